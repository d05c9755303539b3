"""The certificate details' rules as the functions the upload form and the API both ask: the MPID typed in any case
is the organisation's own, in its words; through the API a lower-case MPID is stored as the page stores it."""
import base64
from datetime import timedelta

from cryptography.hazmat.primitives import serialization
from sqlalchemy import select

from mhhs.api.services import create_token
from mhhs.certificates.models import Certificate
from mhhs.certificates.rules import certificate_problems, normal_mpid
from mhhs.core.time import to_london, utcnow
from mhhs.directory.models import Organisation
from mhhs.directory.reference_data import DEMO_PASSWORD
from mhhs.extensions import db
from tests.certificates.factory import make_x509
from tests.rfcs.factory import user


def test_the_mpid_and_length_rules_by_field(app):
    with app.app_context():
        northwold = db.session.scalar(select(Organisation).where(Organisation.name == "Northwold Energy"))
        assert normal_mpid(" nwen ") == "NWEN"
        assert certificate_problems({"mpid": "NWEN", "technical_contact": ""}, northwold) == {}
        assert certificate_problems({"mpid": "FENN", "technical_contact": "x" * 201}, northwold) == {
            "mpid": "MPID FENN belongs to another organisation.",
            "technical_contact": "Field cannot be longer than 200 characters."}
        assert certificate_problems({"mpid": "ZZZZ"}, northwold) == {"mpid": "Northwold Energy holds the MPIDs NWEN."}
        assert certificate_problems({"mpid": ""}, northwold) == {"mpid": "Enter the MPID the certificate is for."}


def test_through_the_api_the_mpid_is_taken_as_the_page_takes_it(app):
    with app.app_context():
        _token, secret = create_token(user("supplier@demo.test"), "PKI", ["certificates"],
                                      to_london(utcnow()).date() + timedelta(days=5), password=DEMO_PASSWORD)
    der = base64.b64encode(make_x509().public_bytes(serialization.Encoding.DER)).decode()
    answer = app.test_client().post("/api/v1/certificates", headers={"Authorization": f"Bearer {secret}"}, json={
        "certificate": der, "environment": "sit-a", "kind": "DIP TLS", "mpid": " nwen "})
    assert answer.status_code == 201 and answer.json["mpid"] == "NWEN" and answer.json["environment"] == "SIT-A"
    with app.app_context():
        assert db.session.scalar(select(Certificate.mpid)) == "NWEN"
