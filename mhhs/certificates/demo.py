"""Demo certificates (demo database only): real self-signed certificates with a spread of expiry dates."""
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from sqlalchemy import func, select

from ..directory.models import Environment, Organisation
from ..extensions import db
from .models import Certificate, Kind
from .parsing import parse_certificate
from .services import index_for_search

# organisation, environment, kind, MPID, days until expiry
DEMO = [
    ("Northwold Energy", "SIT-A", Kind.DIP_TLS, "NWEN", 20),
    ("Northwold Energy", "SIT-A", Kind.DIP_JWS, "NWEN", 200),
    ("Northwold Energy", "UIT", Kind.DIP_TLS, "NWEN", -3),
    ("Brightmeter Services", "SIT-B", Kind.DIP_TLS, "BMSV", 75),
    ("Avanade", "SIT-A", Kind.DIP_TLS, "", 400),
]


def seed_demo_certificates():
    """Adds the demo certificates once; returns how many were added."""
    if db.session.scalar(select(func.count()).select_from(Certificate)):
        return 0
    key = ec.generate_private_key(ec.SECP256R1())
    for org_name, env_name, kind, mpid, days in DEMO:
        add_demo_certificate(org_name, env_name, kind, mpid, days, key)
    db.session.commit()
    return len(DEMO)


def add_demo_certificate(org_name, env_name, kind, mpid, days, key=None):
    """A real self-signed certificate for the organisation and environment, expiring in `days` (demo only)."""
    key = key or ec.generate_private_key(ec.SECP256R1())
    now = datetime.now(UTC)
    common_name = f"{(mpid or org_name.split()[0]).lower()}.{env_name.lower().replace(' ', '-')}.demo.test"
    subject = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, org_name),
                         x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    not_after = now + timedelta(days=days)
    certificate = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
                   .public_key(key.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(not_after - timedelta(days=365)).not_valid_after(not_after)
                   .sign(key, hashes.SHA256()))
    parsed = parse_certificate(certificate.public_bytes(serialization.Encoding.DER))
    demo = Certificate(
        organisation_id=db.session.scalar(select(Organisation.id).where(Organisation.name == org_name)),
        environment_id=db.session.scalar(select(Environment.id).where(Environment.name == env_name)),
        kind=kind, mpid=mpid, subject=parsed.subject, issuer=parsed.issuer, serial=parsed.serial,
        valid_from=parsed.valid_from, valid_to=parsed.valid_to, fingerprint=parsed.fingerprint,
        alt_names=parsed.alt_names, der=parsed.der)
    db.session.add(demo)
    db.session.flush()
    index_for_search(demo)
    return demo
