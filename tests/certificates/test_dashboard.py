"""The expiry dashboard: soonest first, statuses, filters, counts, gaps, CSV; constant queries per page."""
import csv
import io
import re

import pytest
from sqlalchemy import select

from mhhs.certificates.models import Kind, OfficerRole
from mhhs.directory.models import Environment
from mhhs.extensions import db
from tests.certificates.factory import make_certificate, make_officer


def rows(page):
    return page.split('id="certificate-rows"')[1] if 'id="certificate-rows"' in page else page


def test_statuses_and_order(app, as_user):
    with app.app_context():
        for days in (400, -5, 20, 60):
            make_certificate("Northwold Energy", "SIT-A", days=days + 1)
        replaced = make_certificate("Northwold Energy", "SIT-B", days=10, kind=Kind.DIP_JWS)
        make_certificate("Northwold Energy", "SIT-B", days=300, kind=Kind.DIP_JWS).replaces_id = replaced.id
        replaced.replaced = True
        db.session.commit()
    page = rows(as_user("supplier@demo.test").get("/certificates").get_data(as_text=True))
    order = [s for s in ("expired", "replaced", "expiring within 30 days", "expiring within 90 days", "valid")
             if f">{s}<" in page]
    assert order == ["expired", "replaced", "expiring within 30 days", "expiring within 90 days", "valid"]
    positions = [page.index(f">{s}<") for s in order]
    assert positions == sorted(positions)  # soonest expiry first


def test_counts_per_status(app, as_user):
    with app.app_context():
        make_certificate("Northwold Energy", "SIT-A", days=10)
        make_certificate("Northwold Energy", "SIT-B", days=10)
        make_certificate("Northwold Energy", "UIT", days=500)
    page = as_user("supplier@demo.test").get("/certificates").get_data(as_text=True)
    assert "expiring within 30 days: 2" in page and "valid: 1" in page and "expired: 0" in page


def test_filters_return_the_rows_partial(app, as_user):
    with app.app_context():
        make_certificate("Northwold Energy", "SIT-A", days=10, kind=Kind.DIP_TLS)
        make_certificate("Northwold Energy", "UIT", days=500, kind=Kind.DIP_JWS)
        uit = db.session.scalar(select(Environment.id).where(Environment.name == "UIT"))
    tp = as_user("supplier@demo.test")
    response = tp.http.get(f"/certificates?environment={uit}", headers={"HX-Request": "true",
                                                                        "HX-Target": "certificate-rows"})
    page = response.get_data(as_text=True)
    assert "<html" not in page and "DIP JWS" in page and "DIP TLS" not in page
    page = rows(tp.get("/certificates?status=expiring+within+30+days").get_data(as_text=True))
    assert "DIP TLS" in page and "DIP JWS" not in page
    page = rows(tp.get("/certificates?kind=DIP+JWS").get_data(as_text=True))
    assert "DIP JWS" in page and "DIP TLS" not in page


def test_csv_is_exactly_what_the_filter_shows(app, as_user):
    with app.app_context():
        make_certificate("Northwold Energy", "SIT-A", days=10)
        make_certificate("Northwold Energy", "UIT", days=500)
        make_certificate("Avanade", "UIT", days=500, mpid="")
    response = as_user("rm.sit@demo.test").get("/certificates/export.csv?status=valid")
    assert response.mimetype == "text/csv"
    table = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert sorted(r["Organisation"] for r in table) == ["Avanade", "Northwold Energy"]
    assert {r["Status"] for r in table} == {"valid"} and all(len(r["SHA-256 fingerprint"]) == 95 for r in table)


def test_gaps_show_organisations_missing_a_needed_certificate(app, as_user):
    with app.app_context():
        make_certificate("Northwold Energy", "SIT-A", days=100, kind=Kind.DIP_TLS)
        make_certificate("Northwold Energy", "SIT-B", days=-3, kind=Kind.DIP_TLS)
        make_certificate("Northwold Energy", "SIT-B", days=100, kind=Kind.DIP_JWS)
    page = as_user("supplier@demo.test").get("/certificates").get_data(as_text=True)
    assert "SIT-A: Northwold Energy has no valid DIP JWS certificate." in page
    assert "SIT-B: Northwold Energy has no valid DIP TLS certificate." in page
    assert "UIT: Northwold" not in page


def test_dashboard_queries_do_not_grow_with_certificates(app, as_user, count_queries):
    rm = as_user("rm.sit@demo.test")
    with app.app_context():
        make_certificate("Northwold Energy", "SIT-A")
    # The counts, gaps and the list's count are read once, then kept per process; so is a page of rows per query
    # string: the default order asked by name is read.
    rm.get("/certificates")
    with count_queries() as few:
        rm.get("/certificates?sort=expires")
    with app.app_context():
        for i in range(60):
            make_certificate("Avanade" if i % 2 else "Northwold Energy", ["SIT-A", "SIT-B", "UIT"][i % 3],
                             days=30 + i, mpid="")
    rm.get("/certificates")
    with count_queries() as many:
        page = rm.get("/certificates?sort=expires").get_data(as_text=True)
    assert "61 in all" in page and ">Next</a>" in page
    assert many.count == few.count
    with count_queries() as last:
        page = rm.get("/certificates?last=1").get_data(as_text=True)
    assert ">Previous</a>" in page and last.count == few.count  # the last page costs what the first does
    with count_queries() as kept:
        assert rm.get("/certificates?last=1").get_data(as_text=True) == page
    assert kept.count < few.count


def test_officer_rules_and_gaps(app, as_user):
    tp = as_user("supplier@demo.test")
    page = tp.get("/certificates/officers").get_data(as_text=True)
    assert "No DIP SRO appointed." in page and "Nominating Officer appointed" not in page  # DIP only (EAP §10.3.1)
    assert tp.post("/certificates/officers", {"role": "SRO", "name": "Sara Reed", "email": "sara@northwold.test"}
                   ).status_code == 303
    page = tp.post("/certificates/officers", {"role": "SRO", "name": "Second", "email": "second@northwold.test"}
                   ).get_data(as_text=True)
    assert "already has a DIP SRO (Sara Reed)" in page and 'value="Second"' in page
    page = tp.post("/certificates/officers", {"role": "Technical Contact", "name": "Tom Tech",
                                              "email": "tom@northwold.test"}).get_data(as_text=True)
    assert "Enter the MPID" in page and "choose one" in page
    with app.app_context():
        make_certificate("Northwold Energy", "SIT-B")
    page = tp.get("/certificates/officers").get_data(as_text=True)
    assert "Sara Reed" in page and "No DIP SRO appointed." not in page
    assert "No DIP Technical Contact for SIT-B, where Northwold Energy holds DIP certificates." in page


def test_officers_of_another_organisation_cannot_be_removed(app, as_user):
    with app.app_context():
        officer_id = make_officer("Northwold Energy", OfficerRole.NOMINATING_OFFICER).id
    assert as_user("dip@demo.test").post(f"/certificates/officers/{officer_id}/remove").status_code == 404
    assert as_user("rm.sit@demo.test").post("/certificates/officers", {"role": "SRO", "name": "X",
                                                                       "email": "x@x.test"}).status_code == 403
    assert as_user("supplier@demo.test").post(f"/certificates/officers/{officer_id}/remove").status_code == 303


def test_certificate_rows_carry_no_html_from_the_certificate(app, as_user):
    with app.app_context():
        make_certificate("Northwold Energy", "SIT-A", common_name="<script>alert(1)</script>", sans=())
    page = as_user("supplier@demo.test").get("/certificates").get_data(as_text=True)
    assert "<script>alert" not in page and "&lt;script" in page


@pytest.mark.parametrize("officers, certificates, gaps", [
    # A DIP-only participant: no Nominating Officer asked for.
    ([], [], ["No DIP SRO appointed."]),
    ([("DIP", "SRO", None)], [("SIT-A", Kind.DIP_TLS)], ["No DIP Technical Contact for SIT-A, where Northwold Energy "
                                                          "holds DIP certificates."]),
    ([("DIP", "SRO", None), ("DIP", "Technical Contact", "SIT-A")], [("SIT-A", Kind.DIP_TLS)], []),
    # Taking part in DCC CSS (a DCC certificate): its Nominating Officer and SRO, and its own Technical Contacts.
    ([("DIP", "SRO", None), ("DIP", "Technical Contact", "SIT-A")], [("SIT-A", Kind.DIP_TLS), ("SIT-A", Kind.DCC_CSS)],
     ["No DCC CSS Nominating Officer appointed.", "No DCC CSS SRO appointed.",
      "No DCC CSS Technical Contact for SIT-A, where Northwold Energy holds DCC CSS certificates."]),
    ([("DIP", "SRO", None), ("DCC CSS", "Nominating Officer", None), ("DCC CSS", "SRO", None)], [],
     []),
])
def test_eap_10_3_1_officer_gaps_per_registration_scheme(app, as_user, officers, certificates, gaps):
    """EAP §10.3.1, Table 10, §11.3.1.1: DIP registration (GlobalSign) needs a Senior Responsible Officer, at most one
    ARO and Technical Contacts per environment; DCC CSS needs its Nominating Officer. Gaps per scheme taken part in."""
    from sqlalchemy import select

    from mhhs.certificates.models import PkiOfficer, Scheme
    from mhhs.directory.models import Environment, Organisation
    from mhhs.extensions import db
    with app.app_context():
        org = db.session.scalar(select(Organisation).where(Organisation.name == "Northwold Energy"))
        for scheme, role, environment in officers:
            env = db.session.scalar(select(Environment).where(Environment.name == environment)) if environment else None
            db.session.add(PkiOfficer(organisation_id=org.id, scheme=Scheme(scheme), role=OfficerRole(role), name=role,
                                      email="o@northwold.test", environment_id=env.id if env else None))
        db.session.commit()
        for environment, kind in certificates:
            make_certificate("Northwold Energy", environment, kind=kind)
    page = as_user("supplier@demo.test").get("/certificates/officers").get_data(as_text=True)
    shown = re.findall(r'<p class="flash flash-error warning">([^<]*)</p>', page)
    assert shown == gaps


def test_eap_10_3_1_a_nominating_officer_is_of_the_dcc_css_scheme(app, as_user):
    """EAP §10.3.1: the Nominating Officer is DCC CSS's; appointed for the DIP, it is refused next to the role."""
    tp = as_user("supplier@demo.test")
    page = tp.post("/certificates/officers", {"scheme": "DIP", "role": "Nominating Officer", "name": "Nia Nom",
                                              "email": "nia@northwold.test"}).get_data(as_text=True)
    assert 'id="role-error"' in page and "A Nominating Officer belongs to the DCC CSS scheme" in page
    assert 'value="Nia Nom"' in page
    assert tp.post("/certificates/officers", {"scheme": "DCC CSS", "role": "Nominating Officer", "name": "Nia Nom",
                                              "email": "nia@northwold.test"}).status_code == 303
    assert tp.post("/certificates/officers", {"scheme": "DIP", "role": "SRO", "name": "Sid",
                                              "email": "sid@northwold.test"}).status_code == 303
    assert tp.post("/certificates/officers", {"scheme": "DCC CSS", "role": "SRO", "name": "Sue",
                                              "email": "sue@northwold.test"}).status_code == 303  # one per scheme
