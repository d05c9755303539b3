"""Reading certificates with `cryptography`: the fields, chains, and every kind of file that is refused."""
import hashlib
from datetime import UTC, datetime

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from mhhs.certificates.parsing import PRIVATE_KEY, CertificateRefused, parse_certificate
from tests.certificates.factory import der, key, make_x509, name, pem

START = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize("key_kind, encode", [("rsa", pem), ("ec", der), ("rsa", der), ("ec", pem)])
def test_fields_are_read_from_the_certificate(key_kind, encode):
    certificate = make_x509("nwen.dip.test", days=90, key_kind=key_kind, valid_from=START, serial=0xABC123,
                            sans=("nwen.dip.test", "alt.nwen.test"))
    parsed = parse_certificate(encode(certificate))
    assert parsed.subject == "CN=nwen.dip.test,O=Northwold Energy,C=GB"
    assert parsed.issuer == parsed.subject
    assert parsed.serial == "ABC123"
    assert parsed.valid_from == datetime(2026, 1, 1)
    assert parsed.valid_to == datetime(2026, 4, 1)
    assert parsed.fingerprint.replace(":", "") == hashlib.sha256(der(certificate)).hexdigest().upper()
    assert len(parsed.fingerprint.split(":")) == 32
    assert parsed.alt_names == "nwen.dip.test, alt.nwen.test"
    assert parsed.der == der(certificate)


@pytest.mark.parametrize("order", ["leaf first", "ca first"])
def test_a_chain_gives_its_leaf(order):
    ca = make_x509("Demo Issuing CA", key_kind="rsa", sans=())
    leaf = make_x509("leaf.nwen.test", key_kind="ec", issuer=ca, issuer_key=key("rsa"))
    data = pem(leaf) + pem(ca) if order == "leaf first" else pem(ca) + pem(leaf)
    parsed = parse_certificate(data)
    assert "CN=leaf.nwen.test" in parsed.subject and "CN=Demo Issuing CA" in parsed.issuer


def _refusal(data):
    with pytest.raises(CertificateRefused) as refused:
        parse_certificate(data)
    return str(refused.value)


def test_private_keys_are_refused_in_every_form():
    private = key("rsa")
    pkcs8 = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption())
    traditional = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                                        serialization.NoEncryption())
    der_key = private.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption())
    encrypted = private.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                      serialization.BestAvailableEncryption(b"secret"))
    bundle = pkcs12.serialize_key_and_certificates(b"nwen", private, make_x509(key_kind="rsa"), None,
                                                   serialization.NoEncryption())
    cert_with_key = pem(make_x509()) + pkcs8
    for data in (pkcs8, traditional, der_key, encrypted, bundle, cert_with_key):
        assert _refusal(data) == PRIVATE_KEY


def test_a_csr_is_refused():
    csr = (x509.CertificateSigningRequestBuilder().subject_name(name("csr.nwen.test"))
           .sign(key("ec"), hashes.SHA256()))
    for data in (csr.public_bytes(serialization.Encoding.PEM), csr.public_bytes(serialization.Encoding.DER)):
        assert "certificate signing request (CSR)" in _refusal(data)


def test_text_empty_and_truncated_files_are_refused():
    assert "not a certificate" in _refusal(b"Dear Sir, please find our certificate attached.\n")
    assert "empty" in _refusal(b"")
    whole = pem(make_x509())
    assert "damaged or incomplete" in _refusal(whole[: len(whole) // 2] + b"\n-----END CERTIFICATE-----\n")
    assert "damaged or incomplete" in _refusal(whole[: len(whole) // 2])


def test_common_name_round_trip_keeps_unusual_characters():
    certificate = make_x509("nwen <test> & co", sans=())
    assert x509.load_der_x509_certificate(parse_certificate(der(certificate)).der).subject.get_attributes_for_oid(
        NameOID.COMMON_NAME)[0].value == "nwen <test> & co"
