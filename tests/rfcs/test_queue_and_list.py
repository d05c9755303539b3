"""The approval queue (order, warnings, acting in place) and the RFC list (filters, constant queries)."""
import re
from datetime import timedelta

import pytest
from flask import g
from sqlalchemy import event, select, text

from mhhs.core.forms import TOKEN_SLOT
from mhhs.core.time import utcnow
from mhhs.extensions import db
from mhhs.rfcs import queries, services
from mhhs.rfcs.models import PendingApproval, Rfc
from mhhs.rfcs.services import rebuild_pending
from mhhs.rfcs.states import Decision, ReleaseType, RfcStatus
from mhhs.rfcs.views import approval
from tests.helpers import org_ids
from tests.rfcs.factory import approve, env_ids, make_rfc, next_week, user


def queue_numbers(page):
    rows = page.split('id="queue-rows"')[1] if 'id="queue-rows"' in page else page
    return [part.split('"')[0] for part in rows.split('id="queue-rfc-')[1:]]


def test_queue_orders_emergencies_first_then_by_window(app, as_user):
    with app.app_context():
        later = make_rfc(version="1.1.0.0", window_start=next_week() + timedelta(days=2))
        sooner = make_rfc(version="1.2.0.0", window_start=next_week())
        emergency = make_rfc(release_type=ReleaseType.EMERGENCY, version="1.2.0.1",
                             window_start=utcnow() + timedelta(hours=2))
        uit_only = make_rfc(version="1.3.0.0", environments=("UIT",), promotion_reason="UIT first: defect found in UIT")
    page = as_user("rm.sit@demo.test").get("/approvals").get_data(as_text=True)
    assert queue_numbers(page) == [str(emergency), str(sooner), str(later)]
    assert str(uit_only) in queue_numbers(as_user("rm.uit@demo.test").get("/approvals").get_data(as_text=True))


def test_queue_flags_clashes_and_short_notice(app, as_user):
    with app.app_context():
        start = next_week()
        first = make_rfc(version="1.1.0.0", window_start=start)
        approve(first, "rm.sit@demo.test")
        clashing = make_rfc(system="MPRS", email="mprs@demo.test", version="1.0.0.0", rollback_plan="",
                            window_start=start + timedelta(minutes=30))
        late = make_rfc(release_type=ReleaseType.EMERGENCY, version="1.1.0.1",
                        window_start=utcnow() + timedelta(hours=2))
        # The window was moved closer after submission would need a new revision; emulate short notice directly.
        rfc = db.session.get(Rfc, late)
        rfc.submitted_at = rfc.window_start - timedelta(minutes=10)
        db.session.commit()
    page = as_user("rm.sit@demo.test").get("/approvals").get_data(as_text=True)
    clash_row = page.split(f'id="queue-rfc-{clashing}"')[1].split("</tr>")[0]
    assert "Clashes with</span>" in clash_row and f'<a href="/rfcs/{first}">RFC-{first:06d}, DIP 1.1.0.0 in SIT-A' \
        in clash_row
    late_row = page.split(f'id="queue-rfc-{late}"')[1].split("</tr>")[0]
    assert "short notice" in late_row


def test_a_window_in_a_busy_environment_names_five_clashes_and_says_there_are_more(app, as_user):
    """The clashes of a row are bounded: the first five other windows (earliest first), then a link to the week."""
    with app.app_context():
        start = next_week()
        others = [make_rfc(version=f"1.{n + 1}.0.0", window_start=start + timedelta(minutes=n)) for n in range(6)]
        clashing = make_rfc(system="MPRS", email="mprs@demo.test", version="1.0.0.0",
                            window_start=start + timedelta(minutes=30))
    row = as_user("rm.sit@demo.test").get("/approvals").get_data(as_text=True)
    row = row.split(f'id="queue-rfc-{clashing}"')[1].split("</tr>")[0]
    assert all(f'<a href="/rfcs/{i}">RFC-{i:06d} (submitted), DIP' in row for i in others[:5])
    assert f'<a href="/rfcs/{others[5]}">' not in row
    assert "more windows in the same environments at the time" in row


def test_acting_in_place_returns_the_updated_row(app, as_user):
    with app.app_context():
        rfc_id = make_rfc()
    sit = as_user("rm.sit@demo.test")
    response = sit.post(f"/rfcs/{rfc_id}/decide", {"decision": "reject", "from": "queue"}, htmx=True)
    row = response.get_data(as_text=True)
    assert row.lstrip().startswith(f'<tr id="queue-rfc-{rfc_id}"') and "a comment is needed to reject" in row
    row = sit.post(f"/rfcs/{rfc_id}/decide", {"decision": "approve", "from": "queue"}, htmx=True).get_data(as_text=True)
    assert ">approved<" in row and "you: approved" in row
    with app.app_context():
        assert db.session.get(Rfc, rfc_id).status == RfcStatus.APPROVED
    assert str(rfc_id) not in queue_numbers(sit.get("/approvals").get_data(as_text=True))


def test_queue_filters(app, as_user):
    with app.app_context():
        patch = make_rfc(release_type=ReleaseType.PATCH, version="0.0.1.0")
        minor = make_rfc(version="0.1.0.0", environments=("SIT-B",))
    sit = as_user("rm.sit@demo.test")
    response = sit.http.get("/approvals?type=Patch", headers={"HX-Request": "true", "HX-Target": "queue-rows"})
    assert "<html" not in response.get_data(as_text=True)
    assert queue_numbers(response.get_data(as_text=True)) == [str(patch)]
    with app.app_context():
        sit_b = env_ids("SIT-B")[0]
    assert queue_numbers(sit.get(f"/approvals?environment={sit_b}").get_data(as_text=True)) == [str(minor)]


def test_only_managers_have_a_queue(as_user):
    assert as_user("dip@demo.test").get("/approvals").status_code == 403


def test_rfc_list_filters_and_scope(app, as_user):
    with app.app_context():
        approved = make_rfc(version="1.1.0.0", title="Ack timeout fix")
        approve(approved, "rm.sit@demo.test")
        make_rfc(version="1.2.0.0", title="Still pending")
    tp_page = as_user("supplier@demo.test").get("/rfcs").get_data(as_text=True)
    assert "Ack timeout fix" in tp_page and "Still pending" not in tp_page
    dip = as_user("dip@demo.test")
    assert "Still pending" in dip.get("/rfcs").get_data(as_text=True)
    rows = dip.http.get("/rfcs?status=approved&q=ack", headers={"HX-Request": "true", "HX-Target": "rfc-rows"})
    assert "Ack timeout fix" in rows.get_data(as_text=True) and "Still pending" not in rows.get_data(as_text=True)


def test_rfc_list_queries_are_constant(app, as_user, count_queries):
    rm = as_user("rm.sit@demo.test")
    with app.app_context():  # two windows that clash from the start: the clashing RFCs' loading is counted in both
        make_rfc(version="1.0.0.0")
        make_rfc(version="1.0.1.0", release_type=ReleaseType.PATCH)
    rm.get("/approvals")  # the per-process copies (core/changes.py) read once, as any worker's first request does
    with count_queries() as few:
        rm.get("/rfcs")
    with count_queries() as queue_few:
        rm.get("/approvals")
    with app.app_context():
        for i in range(40):
            make_rfc(version=f"2.{i}.0.0", environments=("SIT-A", "UIT") if i % 2 else ("SIT-B",))
    with count_queries() as many:
        page = rm.get("/rfcs").get_data(as_text=True)
    assert "42 in all" in page and ">Next</a>" in page
    assert many.count == few.count
    with count_queries() as last:
        rm.get("/rfcs?last=1")
    assert last.count == few.count  # the last page costs what the first does
    rm.get("/approvals")  # its new rows' copies (views.approval._rows) read once, as at any worker's first request
    with count_queries() as queue_many:
        rm.get("/approvals")
    assert queue_many.count == queue_few.count


def test_a_kept_queue_page_reads_its_rfcs_as_columns_and_each_order_pages_on_its_own(app, as_user, monkeypatch):
    """Warm, the queue says whether its kept rows hold from the RFCs' id and row version and their decisions, control
    points and consultations, read as columns (views.approval._states): an RFC is read whole only to render its row
    again. Each order pages on its own, its first and last pages' statements each made once (core.pagination)."""
    with app.app_context():
        later = str(make_rfc(version="1.1.0.0", window_start=next_week() + timedelta(days=2)))
        sooner = str(make_rfc(version="1.2.0.0", window_start=next_week()))
        engine = db.engine
    rm = as_user("rm.sit@demo.test")

    def numbers(url):
        return queue_numbers(rm.get(url).get_data(as_text=True))
    assert numbers("/approvals") == [sooner, later]
    statements = []

    def seen(_connection, _cursor, statement, *_args):
        statements.append(statement)
    event.listen(engine, "before_cursor_execute", seen)
    try:
        assert numbers("/approvals") == [sooner, later]
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert statements and not [s for s in statements if "rfcs.title" in s]
    assert numbers("/approvals?sort=number&dir=asc") == [later, sooner]
    assert numbers("/approvals") == [sooner, later]
    monkeypatch.setitem(app.config, "PER_PAGE", 1)
    assert numbers("/approvals") == [sooner] and numbers("/approvals?last=1") == [later]
    assert numbers("/approvals?sort=number&dir=asc&last=1") == [sooner]


def test_a_window_outside_an_environments_dates_is_a_warning_not_a_refusal(app, as_user):
    with app.app_context():
        rfc_id = make_rfc(environments=("SIT-A", "UIT"))  # SIT-A's dates end on 04 Apr 2025
    page = as_user("rm.sit@demo.test").get("/approvals").get_data(as_text=True)
    assert "outside SIT-A dates" in page and "outside UIT dates" in page
    page = as_user("dip@demo.test").get(f"/rfcs/{rfc_id}").get_data(as_text=True)
    assert "The window falls outside SIT-A's availability dates (04 Sep 2023 – 04 Apr 2025)." in page


def test_the_services_keep_the_queue_rows_as_a_rebuild_makes_them(ctx):
    def rows():
        return sorted(db.session.execute(select(PendingApproval.rfc_id, PendingApproval.phase,
                                                PendingApproval.priority, PendingApproval.window_start)).all())

    both = make_rfc(environments=("SIT-A", "UIT"))
    emergency = make_rfc(release_type=ReleaseType.EMERGENCY, version="1.1.0.1",
                         window_start=utcnow() + timedelta(hours=2))
    changed = make_rfc(version="1.2.0.0")
    withdrawn = make_rfc(version="1.3.0.0")
    services.decide(user("rm.sit@demo.test"), db.session.get(Rfc, both), Decision.APPROVED)
    services.decide(user("rm.sit@demo.test"), db.session.get(Rfc, changed), Decision.CHANGES_REQUESTED, "More")
    services.withdraw(user("dip@demo.test"), db.session.get(Rfc, withdrawn))
    kept = rows()
    assert [(r.rfc_id, r.phase.value, r.priority) for r in kept] == [(both, "UIT", 1), (emergency, "SIT", 0)]
    rebuild_pending()
    assert rows() == kept


def test_keyset_pages_walk_the_whole_list_both_ways_and_keep_filters(app, as_user, monkeypatch):
    from mhhs.core import pagination
    monkeypatch.setattr(pagination, "COUNT_LIMIT", 30)
    with app.app_context():
        made = [make_rfc(version=f"3.{i}.0.0", submit=False) for i in range(60)]
    dip = as_user("dip@demo.test")

    def walk(url, direction):
        seen, pages = [], 0
        while url and pages < 10:
            page = dip.get(url).get_data(as_text=True).replace("&amp;", "&")
            rows = page.split('id="rfc-rows"')[1]
            seen += [int(n) for n in re.findall(r'href="/rfcs/(\d+)"', rows)]
            found = re.search(rf'href="(/rfcs\?[^"]*)"[^>]*>{direction}<', rows)
            url, pages = (found.group(1) if found else None), pages + 1
        return seen, page

    forward, first = walk("/rfcs?status=draft", "Next")
    assert forward == sorted(made, reverse=True)  # newest first, each once, none missed
    assert "more than 30 in all" in first
    backward, _ = walk("/rfcs?status=draft&last=1", "Previous")
    assert sorted(backward) == sorted(made) and len(backward) == 60
    assert dip.get("/rfcs?after=not-a-cursor").status_code == 200  # a bad cursor shows the first page


@pytest.mark.parametrize("email", ["dip@demo.test", "supplier@demo.test", "rm.sit@demo.test"])
def test_the_newest_first_list_reads_only_its_page(app, email):
    """Most RFCs are visible to everyone, so the list walks the primary key newest first and stops at its page; it
    never reads every visible RFC through an index and sorts them (50 ms instead of 1 at 50,000 RFCs)."""
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite's plan; PostgreSQL plans by its statistics")
        statement = queries.rfc_list_query(user(email)).limit(26)
        sql = str(statement.compile(db.engine, compile_kwargs={"literal_binds": True}))
        plan = " ".join(row[-1] for row in db.session.execute(text("EXPLAIN QUERY PLAN " + sql)))
    assert "SCAN rfcs" in plan and "TEMP B-TREE" not in plan, plan


def test_the_queue_counts_what_waits_and_a_decision_leaves_the_count_at_once(app, as_user, monkeypatch):
    """The queue's "n in all" counts the RFCs waiting for the manager's phase (without a filter from the pending
    rows alone, with one from the RFCs it keeps), and an approval takes its RFC off the very next page's count."""
    monkeypatch.setitem(app.config, "PER_PAGE", 1)
    with app.app_context():
        for i in range(2):
            make_rfc(version=f"4.{i}.0.0")
        patches = [make_rfc(release_type=ReleaseType.PATCH, version=f"0.0.{i}.0") for i in (7, 8)]
        make_rfc(version="4.9.0.0", environments=("UIT",), promotion_reason="UIT first: defect found in UIT")
        sit_pending = db.session.scalar(select(text("count(*)")).select_from(PendingApproval)
                                        .where(PendingApproval.phase == "SIT"))
    sit = as_user("rm.sit@demo.test")
    assert f"{sit_pending} in all" in sit.get("/approvals").get_data(as_text=True)  # the UIT-only one is not there
    assert "2 in all" in sit.get("/approvals?type=Patch").get_data(as_text=True)
    with app.app_context():
        approve(patches[0], "rm.sit@demo.test")
    assert f"{sit_pending - 1} in all" in sit.get("/approvals").get_data(as_text=True)
    assert "in all" not in sit.get("/approvals?type=Patch").get_data(as_text=True)  # one page: no pager


def test_a_new_system_or_environment_is_in_the_filters_on_the_next_page(app, as_user):
    """The RFC list's and the queue's filters are kept per process (directory/choices.py): an environment, a system or
    a Central Party added appears in them on the very next page, for every role alike (they name nothing of an
    RFC)."""
    from mhhs.directory.models import Environment, Organisation, System
    dip, sit = as_user("dip@demo.test"), as_user("rm.sit@demo.test")
    assert "Tidewater" not in dip.get("/rfcs").get_data(as_text=True) + sit.get("/approvals").get_data(as_text=True)
    with app.app_context():
        party = Organisation(name="Tidewater Central", kind="central_party")
        db.session.add_all([party, Environment(name="Tidewater PT", phase="SIT", position=99),
                            System(name="Tidewater Hub", organisation=party)])
        db.session.commit()
    page = dip.get("/rfcs").get_data(as_text=True)
    assert ">Tidewater Hub</option>" in page and ">Tidewater PT</option>" in page
    queue = sit.get("/approvals").get_data(as_text=True)
    assert ">Tidewater Central</option>" in queue and ">Tidewater PT</option>" in queue


def queue_row(page, rfc_id):
    return page.get_data(as_text=True).split(f'id="queue-rfc-{rfc_id}"')[1].split("</tr>")[0]


def test_the_kept_warnings_show_every_change_on_the_very_next_page(app, as_user, monkeypatch):
    """A row's warnings are kept per process (views.approval._warnings): a new clashing window, an objection (which
    moves no counter) and the window's end (its clashes go) each show on the very next page."""
    with app.app_context():
        mine = make_rfc(version="1.1.0.0")
    manager, supplier = as_user("rm.sit@demo.test"), as_user("supplier@demo.test")
    assert "Clashes with" not in queue_row(manager.get("/approvals"), mine)
    with app.app_context():
        theirs = make_rfc(system="MPRS", email="mprs@demo.test", version="1.0.0.0",
                          window_start=next_week() + timedelta(minutes=30))
    row = queue_row(manager.get("/approvals"), mine)
    assert "Clashes with</span>" in row and f'<a href="/rfcs/{theirs}">' in row
    northwold = org_ids(app, "Northwold Energy")
    assert manager.post(f"/rfcs/{mine}/consult", {"organisation_ids": northwold}).status_code == 303
    assert "Consulted: Northwold Energy" in queue_row(manager.get("/approvals"), mine)
    assert supplier.post(f"/rfcs/{mine}/consultation",
                         {"response": "objection", "reason": "Our regression run"}).status_code == 303
    assert "objection</span>" in queue_row(manager.get("/approvals"), mine)
    with app.app_context():
        ended = db.session.get(Rfc, mine).window_end
    monkeypatch.setattr(approval, "utcnow", lambda: ended + timedelta(minutes=1))
    assert "Clashes with" not in queue_row(manager.get("/approvals"), mine)


def test_the_kept_warnings_are_the_viewers_own(app, as_user):
    """The copy is keyed by the viewer: a Central Party's cells never name a window the manager's copy names and the
    Central Party may not see (another organisation's submitted RFC)."""
    with app.app_context():
        mine = make_rfc(version="1.1.0.0")
        theirs = make_rfc(system="MPRS", email="mprs@demo.test", version="1.0.0.0",
                          window_start=next_week() + timedelta(minutes=30))
    page = as_user("rm.sit@demo.test").get("/approvals")
    assert queue_numbers(page.get_data(as_text=True)) == [str(mine), str(theirs)]
    assert f'<a href="/rfcs/{theirs}">' in queue_row(page, mine)
    with app.test_request_context("/approvals"):  # the same rows, as the Central Party's
        g._login_user = user("dip@demo.test")
        cells = approval._queue_context([db.session.get(Rfc, mine), db.session.get(Rfc, theirs)])["warnings"]
        assert f"/rfcs/{theirs}" not in cells[mine] and f"RFC-{theirs:06d}" not in cells[mine]


def test_the_kept_rows_show_every_change_on_the_very_next_page_with_the_readers_own_token(app, as_user):
    """The queue's rows are kept rendered per process (views.approval._rows): a control point another manager ticks
    on the RFC page leaves the row's form on the very next page; each page's forms carry its reader's CSRF token."""
    with app.app_context():
        rfc_id = make_rfc(gate=False)
    sit, other = as_user("rm.sit@demo.test"), as_user("rm.uit@demo.test")
    assert "3 Baseline" in queue_row(sit.get("/approvals"), rfc_id)
    assert other.post(f"/rfcs/{rfc_id}/control-points",
                      {"numbers": "3", "action": "tick", "note": "Baseline checked"}).status_code == 303
    page = sit.get("/approvals")
    assert "3 Baseline" not in queue_row(page, rfc_id) and "4 Package and instructions" in queue_row(page, rfc_id)
    text = page.get_data(as_text=True)
    token = re.search(r'"X-CSRFToken": "([^"]+)"', text).group(1)
    assert set(re.findall(r'name="csrf_token" value="([^"]*)"', queue_row(page, rfc_id))) == {token}
    assert TOKEN_SLOT not in text and "<!--warnings-->" not in text
    assert sit.post(f"/rfcs/{rfc_id}/decide", {"decision": "approve", "from": "queue"}, htmx=True).status_code == 200


def test_the_kept_rows_are_the_readers_own(app, as_user):
    """Rows kept for one Release Manager are not another's: once SIT-A's phase is approved, the SIT manager's row
    offers no decision while the UIT manager's still does; a Central Party's holds no manager's form."""
    with app.app_context():
        rfc_id = make_rfc(environments=("SIT-A", "UIT"))
        approve(rfc_id, "rm.sit@demo.test")
    rows = {}
    for email in ("rm.sit@demo.test", "rm.uit@demo.test", "dip@demo.test"):
        with app.test_request_context("/approvals"):
            g._login_user = user(email)
            rows[email] = approval._rows([db.session.get(Rfc, rfc_id)])[rfc_id]
    assert "row-decision" not in rows["rm.sit@demo.test"] and "row-decision" in rows["rm.uit@demo.test"]
    assert "row-decision" not in rows["dip@demo.test"] and "Consult before approval" not in rows["dip@demo.test"]


def test_the_clashes_of_more_spans_than_one_statement_reads_are_each_found_for_their_own_span(app):
    """Spans are read SPANS_A_STATEMENT to a statement, padded: a clash is found for its own span in every batch,
    and a span beside nothing finds nothing."""
    from mhhs.rfcs.clashes import SPANS_A_STATEMENT, scheduled_windows
    from mhhs.windows.clashes import Span
    with app.app_context():
        start = next_week()
        window = make_rfc(version="1.1.0.0", window_start=start)
        sit_a, sit_b = env_ids("SIT-A")[0], env_ids("SIT-B")[0]
        count = SPANS_A_STATEMENT * 2 + 3  # two full batches and a padded one
        spans = [Span(n, (sit_a if n % 7 == 0 else sit_b,), start + timedelta(minutes=30), start + timedelta(hours=1))
                 for n in range(count)]
        found = {key for key, clash in scheduled_windows(spans, None) if clash.args == {"rfc_id": window}}
    assert found == {n for n in range(count) if n % 7 == 0}


def test_the_list_kept_per_viewer_shows_each_change_on_the_very_next_page_and_no_one_elses_rfcs(app, as_user):
    """A page of the list is kept per process per viewer and query string (rfcs/views/index.py): what changes it is
    on the very next page, an RFC one organisation may see never reaches another's copy, and a search reads the rows
    each time (an RFC's reason moves no counter)."""
    dip, mprs, supplier = as_user("dip@demo.test"), as_user("mprs@demo.test"), as_user("supplier@demo.test")
    with app.app_context():
        rfc_id = make_rfc(version="1.1.0.0", title="Ack timeout fix")
    assert "Ack timeout fix" in dip.get("/rfcs").text  # its organisation's, submitted
    assert "Ack timeout fix" not in mprs.get("/rfcs").text and "Ack timeout fix" not in supplier.get("/rfcs").text
    with app.app_context():
        approve(rfc_id, "rm.sit@demo.test")
    row = supplier.get("/rfcs").text.split(f"RFC-{rfc_id:06d}")[1].split("</tr>")[0]
    assert "Ack timeout fix" in row and ">approved<" in row
    assert "Ack timeout fix" in mprs.get("/rfcs").text  # public now: its copy kept as it stands
    with app.app_context():
        db.session.get(Rfc, rfc_id).organisation.name = "Avanade DIP Services"
        db.session.commit()
    assert "Avanade DIP Services" in mprs.get("/rfcs").text
    assert "Ack timeout fix" not in dip.get("/rfcs?q=zebra").text
    with app.app_context():
        db.session.get(Rfc, rfc_id).reason = "A zebra crossing of the acknowledgements"
        db.session.commit()
    assert "Ack timeout fix" in dip.get("/rfcs?q=zebra").text


def test_a_boosted_request_aimed_at_the_rows_gets_the_whole_list_page(as_user):
    """htmx asks the whole page for a boosted link or a history restore, even aimed at the rows (core/htmx.py)."""
    headers = {"HX-Request": "true", "HX-Target": "rfc-rows", "HX-Boosted": "true"}
    response = as_user("dip@demo.test").http.get("/rfcs", headers=headers)
    assert response.status_code == 200 and "<h1>RFCs</h1>" in response.text
    rows = as_user("dip@demo.test").http.get("/rfcs", headers={"HX-Request": "true", "HX-Target": "rfc-rows"}).text
    assert "<h1>" not in rows and "<table>" in rows
