"""Reads an uploaded file as an X.509 certificate (PEM or DER) with `cryptography`, refusing anything else."""
from dataclasses import dataclass
from datetime import datetime

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from ..core.services import Refused

PRIVATE_KEY = ("This file holds a private key. Never upload private keys: keep them on your own systems. "
               "Nothing was stored; upload the certificate alone.")


class CertificateRefused(Refused):
    """A file that is not a certificate we may store; the message belongs next to the file field."""

    def __init__(self, message):
        super().__init__(message, "certificate_file")


@dataclass
class ParsedCertificate:
    subject: str
    issuer: str
    serial: str
    valid_from: datetime  # naive UTC
    valid_to: datetime
    fingerprint: str
    alt_names: str
    der: bytes
    organisation_names: tuple = ()  # the subject's O values
    subject_values: tuple = ()  # every value in the subject (O, OU, CN...), where an MPID may be named


def _holds_private_key(data):
    if b"PRIVATE KEY-----" in data:
        return True
    try:
        serialization.load_der_private_key(data, password=None)
        return True
    except TypeError:  # an encrypted key: still a key
        return True
    except (ValueError, Exception):
        pass
    try:
        pkcs12.load_key_and_certificates(data, None)
        return True  # a PKCS#12 bundle normally carries the key
    except Exception:
        return False


def _is_csr(data):
    if b"CERTIFICATE REQUEST-----" in data:
        return True
    try:
        x509.load_der_x509_csr(data)
        return True
    except ValueError:
        return False


def _leaf(certificates):
    # The leaf is the certificate that issued no other certificate in the file.
    issuers = {c.issuer for c in certificates if c.issuer != c.subject}
    leaves = [c for c in certificates if c.subject not in issuers]
    return (leaves or certificates)[0]


def parse_certificate(data):
    if not data:
        raise CertificateRefused("The file is empty. Choose the certificate file (PEM or DER).")
    if _holds_private_key(data):
        raise CertificateRefused(PRIVATE_KEY)
    if _is_csr(data):
        raise CertificateRefused("This is a certificate signing request (CSR), not a certificate. "
                                 "Upload the certificate the certificate authority issued for it.")
    if b"-----BEGIN CERTIFICATE-----" in data:
        try:
            certificate = _leaf(x509.load_pem_x509_certificates(data))
        except ValueError:
            raise CertificateRefused("The PEM file is damaged or incomplete (cut short?). "
                                     "Export the certificate again and upload the whole file.") from None
    else:
        try:
            certificate = x509.load_der_x509_certificate(data)
        except ValueError:
            raise CertificateRefused("This file is not a certificate. Upload an X.509 certificate as "
                                     "PEM (.pem, .crt) or DER (.der, .cer).") from None
    try:
        names = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        alt_names = ", ".join(str(getattr(name, "value", name)) for name in names)
    except x509.ExtensionNotFound:
        alt_names = ""
    return ParsedCertificate(
        subject=certificate.subject.rfc4514_string(),
        issuer=certificate.issuer.rfc4514_string(),
        serial=format(certificate.serial_number, "X"),
        valid_from=certificate.not_valid_before_utc.replace(tzinfo=None),
        valid_to=certificate.not_valid_after_utc.replace(tzinfo=None),
        fingerprint=certificate.fingerprint(hashes.SHA256()).hex(":").upper(),
        alt_names=alt_names,
        der=certificate.public_bytes(serialization.Encoding.DER),
        organisation_names=tuple(str(a.value) for a in certificate.subject
                                 .get_attributes_for_oid(x509.oid.NameOID.ORGANIZATION_NAME)),
        subject_values=tuple(str(a.value) for a in certificate.subject),
    )
