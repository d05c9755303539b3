"""The header's search: each kind of object is found through the full-text index, and only what the user may see."""
import re

from sqlalchemy import select

from mhhs.certificates.models import Kind
from mhhs.certificates.parsing import parse_certificate
from mhhs.certificates.services import delete_certificate, save_certificate
from mhhs.core.search import SearchDocument
from mhhs.directory.models import Environment, System
from mhhs.directory.services import save_system
from mhhs.extensions import db
from mhhs.rfcs import services as rfc_services
from mhhs.rfcs.models import Rfc
from mhhs.search.services import rebuild
from tests.certificates.factory import der, make_x509
from tests.outages.factory import make_outage
from tests.rfcs.factory import approve, content, env_ids, make_rfc, user


def found(client, words):
    """The result links and titles of a search, as the page lists them."""
    page = client.get("/search?q=" + words).get_data(as_text=True)
    return re.findall(r'<a href="(/[^"]*)">([^<]*)</a>\s*(?:<br>|</li>)', page)


def titles(client, words):
    return [title for _, title in found(client, words)]


def upload(email, environment, mpid, common_name):
    parsed = parse_certificate(der(make_x509(common_name=common_name, sans=(common_name,))))
    environment_id = db.session.scalar(select(Environment.id).where(Environment.name == environment))
    return save_certificate(user(email), parsed, {"environment_id": environment_id, "kind": Kind.DIP_TLS.value,
                                                  "mpid": mpid, "market_role_id": None, "technical_contact": ""})


def test_each_kind_is_found_by_its_words(app, as_user):
    with app.app_context():
        rfc_id = make_rfc(version="1.2.0.0", title="Acknowledgement timeouts fixed",
                          defects=[{"defect_id": "DEF-4711", "severity": "High", "summary": "Ack lost under load",
                                    "found_in_id": env_ids("SIT-A")[0]}])
        approve(rfc_id, "rm.sit@demo.test")
        outage = make_outage("dip@demo.test", description="Queue manager crashed overnight")
        certificate = upload("supplier@demo.test", "SIT-A", "NWEN", "gateway.northwold.example")
        outage_id, certificate_id = outage.id, certificate.id
    supplier = as_user("supplier@demo.test")
    number = f"RFC-{rfc_id:06d}"
    # The RFC first, then what belongs to it (its defect names it).
    assert titles(supplier, number) == [f"{number} DIP 1.2.0.0 Acknowledgement timeouts fixed",
                                        "DEF-4711 Ack lost under load"]
    for words in (str(rfc_id), f"rfc {rfc_id}", "acknowledgement timeouts", "timeo", "DIP 1.2.0.0", "1.2.0"):
        assert (f"/rfcs/{rfc_id}", f"{number} DIP 1.2.0.0 Acknowledgement timeouts fixed") in found(supplier, words), \
            words
    assert found(supplier, "DEF-4711") == [(f"/rfcs/{rfc_id}", "DEF-4711 Ack lost under load")]
    assert (f"/outages/{outage_id}", "Outage SIT-A DIP") in found(supplier, "queue manager crashed")
    assert found(supplier, "gateway.northwold") == [(f"/certificates/{certificate_id}", "DIP TLS NWEN SIT-A")]
    assert (f"/certificates/{certificate_id}", "DIP TLS NWEN SIT-A") in found(supplier, "NWEN")
    with app.app_context():
        mprs = db.session.scalar(select(System.id).where(System.name == "MPRS"))
    assert (f"/rfcs?system={mprs}", "MPRS") in found(supplier, "mprs")
    # Words that match nothing, and input that is no word at all, are told apart from results.
    assert "Nothing you can see matches" in supplier.get("/search?q=zzqqxx").get_data(as_text=True)
    assert "Type a word or a number" in supplier.get("/search?q=%22%2A%28").get_data(as_text=True)


def test_nothing_hidden_is_found(app, as_user):
    with app.app_context():
        draft = make_rfc(submit=False, version="3.0.0.0", title="Secret rework of the hub")
        submitted = make_rfc(version="3.1.0.0", title="Secret hub patch under review")
        theirs = upload("supplier@demo.test", "SIT-A", "NWEN", "secret.northwold.example")
        theirs_id = theirs.id
    # Another Central Party sees neither Avanade's draft nor its submitted RFC, nor its defects.
    assert titles(as_user("mprs@demo.test"), "secret") == []
    assert titles(as_user("mprs@demo.test"), "DEF-101") == []
    assert titles(as_user("mprs@demo.test"), f"RFC-{draft:06d}") == []
    # A Test Participant does not see submitted RFCs; another organisation's certificate is found by no one else.
    assert titles(as_user("supplier@demo.test"), "secret hub") == []
    assert [link for link, _ in found(as_user("helix@demo.test"), "secret")] == []
    assert [link for link, _ in found(as_user("supplier@demo.test"), "secret")] == [f"/certificates/{theirs_id}"]
    # The author sees both of its own; a Release Manager sees the submitted one and the certificate, not the draft.
    assert {link for link, _ in found(as_user("dip@demo.test"), "secret")} == {f"/rfcs/{draft}", f"/rfcs/{submitted}"}
    assert {link for link, _ in found(as_user("rm.sit@demo.test"), "secret")} == {f"/rfcs/{submitted}",
                                                                                f"/certificates/{theirs_id}"}
    # Each viewer's statement is kept per process (search.services._finding): after the Release Manager's, the same
    # words find no more for another organisation's Test Participant than before.
    assert [link for link, _ in found(as_user("helix@demo.test"), "secret")] == []


def test_the_services_keep_the_index(app, as_user):
    with app.app_context():
        rfc_id = make_rfc(submit=False, title="First words")
        rfc = db.session.get(Rfc, rfc_id)
        rfc_services.save_draft(user("dip@demo.test"), rfc, content(title="Second thoughts", defects=[]))
        certificate = upload("supplier@demo.test", "SIT-A", "NWEN", "gone.northwold.example")
        delete_certificate(user("supplier@demo.test"), certificate)
        system = db.session.scalar(select(System).where(System.name == "DIP"))
        save_system(user("rm.sit@demo.test"), system, {
            "name": "DIP Hub", "organisation_id": system.organisation_id, "support_kind": system.support_kind,
            "support_days": [int(d) for d in system.support_days], "support_start": system.support_start,
            "support_end": system.support_end, "gate_closure": system.gate_closure,
            "support_hours": system.support_hours, "backup_regime": system.backup_regime,
            "environment_ids": [e.id for e in system.environments]})
    dip = as_user("dip@demo.test")
    assert titles(dip, "first words") == []
    assert titles(dip, "second thoughts") == [f"RFC-{rfc_id:06d} DIP Hub 1.1.0.0 Second thoughts"]
    assert titles(dip, "DEF-101") == []  # the defect left the RFC
    assert titles(as_user("supplier@demo.test"), "gone.northwold") == []


def test_the_rebuild_gives_what_the_services_kept(app):
    with app.app_context():
        make_rfc(version="1.2.0.0")
        make_outage("dip@demo.test")
        upload("supplier@demo.test", "SIT-A", "NWEN", "kept.northwold.example")
        kept = sorted(db.session.execute(select(SearchDocument.kind, SearchDocument.object_id, SearchDocument.parent_id,
                                                SearchDocument.title, SearchDocument.body)).all())
        assert rebuild() == len(kept)
        again = sorted(db.session.execute(select(SearchDocument.kind, SearchDocument.object_id,
                                                 SearchDocument.parent_id, SearchDocument.title,
                                                 SearchDocument.body)).all())
        assert again == kept
        assert {kind for kind, *_ in kept} == {"rfc", "defect", "outage", "certificate", "system"}


def test_the_search_page_costs_the_same_however_much_matches(app, as_user, count_queries):
    rm = as_user("rm.sit@demo.test")
    with app.app_context():
        make_rfc(version="1.0.0.0", title="Zephyr run")
    with count_queries() as few:
        assert len(found(rm, "zephyr")) == 1
    with app.app_context():
        for i in range(60):
            make_rfc(version=f"2.{i}.0.0", title="Zephyr run")
    with count_queries() as many:
        page = rm.get("/search?q=zephyr").get_data(as_text=True)
    assert "The first 50 matches" in page
    assert many.count == few.count, (few.count, many.count)
    with app.app_context():
        begin = db.engine.dialect.name == "sqlite"  # SQLite's reads begin with a BEGIN of their own (core/db.py)
    # the user and the visible matching documents: nothing per row (the header no longer reads the organisation)
    assert few.count == 2 + begin
