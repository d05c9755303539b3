"""Real X.509 certificates made with `cryptography`, and stored ones for tests that need rows."""
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID
from sqlalchemy import select

from mhhs.certificates.models import Certificate, Kind, OfficerRole, PkiOfficer, Scheme
from mhhs.certificates.parsing import parse_certificate
from mhhs.directory.models import Environment, Organisation
from mhhs.extensions import db

_KEYS = {}


def key(kind="ec"):
    # Key generation is the slow part: one key per kind serves every test.
    if kind not in _KEYS:
        _KEYS[kind] = ec.generate_private_key(ec.SECP256R1()) if kind == "ec" else rsa.generate_private_key(65537, 2048)
    return _KEYS[kind]


def name(common_name, organisation="Northwold Energy"):
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "GB"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
                      x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def make_x509(common_name="nwen.sit-a.test", days=365, key_kind="ec", issuer=None, issuer_key=None,
              valid_from=None, sans=("nwen.sit-a.test",), serial=None, organisation="Northwold Energy"):
    """A certificate that expires `days` after valid_from (or after now, so negative days give an expired one)."""
    not_after = (valid_from or datetime.now(UTC)) + timedelta(days=days)
    not_before = valid_from or min(datetime.now(UTC), not_after) - timedelta(days=1)
    subject_key = key(key_kind)
    builder = (x509.CertificateBuilder().subject_name(name(common_name, organisation))
               .issuer_name(issuer.subject if issuer else name(common_name, organisation))
               .public_key(subject_key.public_key())
               .serial_number(serial or x509.random_serial_number())
               .not_valid_before(not_before).not_valid_after(not_after))
    if sans:
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName(s) for s in sans]), critical=False)
    return builder.sign(issuer_key or subject_key, hashes.SHA256())


def pem(certificate):
    return certificate.public_bytes(serialization.Encoding.PEM)


def der(certificate):
    return certificate.public_bytes(serialization.Encoding.DER)


def make_certificate(organisation_name, environment_name, days=365, kind=Kind.DIP_TLS, mpid="NWEN", **kwargs):
    """Stores a certificate row straight from a real certificate (for tests about lists and reminders)."""
    parsed = parse_certificate(der(make_x509(days=days, **kwargs)))
    organisation = db.session.scalar(select(Organisation).where(Organisation.name == organisation_name))
    environment = db.session.scalar(select(Environment).where(Environment.name == environment_name))
    certificate = Certificate(organisation_id=organisation.id, environment_id=environment.id, kind=kind, mpid=mpid,
                              subject=parsed.subject, issuer=parsed.issuer, serial=parsed.serial,
                              valid_from=parsed.valid_from, valid_to=parsed.valid_to, fingerprint=parsed.fingerprint,
                              alt_names=parsed.alt_names, der=parsed.der)
    db.session.add(certificate)
    db.session.commit()
    return certificate


def make_officer(organisation_name, role=OfficerRole.SRO, name="Olive Officer", email="olive@northwold.test"):
    organisation = db.session.scalar(select(Organisation).where(Organisation.name == organisation_name))
    officer = PkiOfficer(organisation_id=organisation.id, role=role, name=name, email=email,
                         scheme=Scheme.DCC_CSS if role == OfficerRole.NOMINATING_OFFICER else Scheme.DIP)
    db.session.add(officer)
    db.session.commit()
    return officer
