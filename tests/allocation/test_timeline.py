"""The timeline's words: the period's links without stray separators; a bar too short for its name named beside it
where its row has room (else only by its title and the list); each item's times as they are (an outage with no end
says so, one past midnight names both days); a stage that runs alone says which stages it may overlap all the same."""
import re
from datetime import timedelta

from mhhs.allocation import services
from mhhs.allocation.timeline import LABEL, WIDTH, Bar, _label
from mhhs.core.time import utcnow
from tests.allocation.factory import at, book, environment, make_participant, next_monday, user
from tests.outages.factory import make_outage


def text(response):
    assert response.status_code == 200
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def test_a_short_bar_is_named_on_it_beside_it_or_not_at_all_by_the_room_its_row_has():
    roomy = Bar("slot", "", x=LABEL + 100, width=200, names=("Northwold Energy",))  # 16 × 6 + 4 = 100 px fit on it
    crowded = Bar("slot", "", x=LABEL + 400, width=4, names=("Redbank",))  # 46 px needed, 16 px to the next bar
    beside = Bar("slot", "", x=LABEL + 420, width=4, names=("Brightmeter",))  # free until the chart's last bar
    edge = Bar("slot", "", x=LABEL + WIDTH - 10, width=4, names=("Fenland",))  # the chart's edge is 6 px on
    other_row = Bar("slot", "", x=LABEL + 405, width=4, y=16, names=("Kestrel",))  # another row does not crowd it
    _label([beside, roomy, edge, crowded, other_row])
    assert (roomy.short, roomy.inside) == ("Northwold Energy", True)
    assert crowded.short == "" and edge.short == ""  # the title and the list below name them
    assert (beside.short, beside.inside) == ("Brightmeter", False)
    assert (other_row.short, other_row.inside) == ("Kestrel", False)


def test_the_timeline_says_each_bar_truly_and_names_short_ones_beside_them(app, as_user):
    monday = next_monday()
    with app.app_context():
        book([make_participant()], at(monday, 10), at(monday, 11))  # before the stages, which run alone
        sit_a = environment().id
        services.add_stage(user(), "SIT Functional", sit_a, monday, monday + timedelta(days=4), exclusive=True)
        services.add_stage(user(), "SIT Migration", sit_a, monday, monday + timedelta(days=4), exclusive=True,
                           may_overlap=True, overlap_reason="Night runs only")
        make_outage("dip@demo.test", environment="UIT", planned=True, start=at(monday, 22),
                    end=at(monday + timedelta(days=1), 2))
        make_outage("dip@demo.test", environment="SIT-B", start=utcnow() - timedelta(hours=2), end=None)  # ongoing
    page = text(as_user("rm.sit@demo.test").get(f"/allocation/timeline?view=month&day={monday}"))
    nav = re.search(r'<nav class="calendar-nav" aria-label="Timeline period">(.*?)</nav>', page).group(1)
    assert "·" not in nav and re.findall(r">([^<>]+)</a>", nav) == ["‹ Previous month", "Today", "Next month ›",
                                                                      "Week view"]
    # An hour in a month is a bar of about 1.3 px: its name is drawn beside it, in dark text.
    assert re.search(r'<text x="[\d.]+" y="\d+" fill="#0f172a" font-size="9" aria-hidden="true">Northwold Energy'
                     r'</text>', page)
    assert f"Northwold Energy: connectivity proving (allocated), {monday:%d %b %Y} 10:00–11:00" in page
    assert f"Planned outage, {monday:%d %b %Y} 22:00–{monday + timedelta(days=1):%d %b %Y} 02:00" in page
    # An outage under way, seen in this week: it runs on as far as anyone knows.
    week = text(as_user("rm.sit@demo.test").get("/allocation/timeline"))
    assert re.search(r"Unplanned outage, from \d\d \w{3} \d{4} \d\d:\d\d \(not yet ended\)", week)
    assert "Stage SIT Functional (runs alone; may overlap SIT Migration, as recorded)" in page
    assert "Stage SIT Migration (runs alone; may overlap SIT Functional, as recorded)" in page


def test_a_pending_rfcs_window_is_on_the_timeline_only_for_who_may_see_the_rfc(app, as_user):
    """A submitted RFC is the raising organisation's and the Release Managers' to see (SPEC §2): another Central
    Party or a Test Participant does not learn its number, nor that it exists, from the timeline."""
    from mhhs.rfcs.models import Rfc
    from mhhs.rfcs.numbers import rfc_number
    from tests.rfcs.factory import make_rfc
    with app.app_context():
        rfc_id = make_rfc()
        number, day = rfc_number(rfc_id), app.extensions["sqlalchemy"].session.get(Rfc, rfc_id).window_start.date()
    url = f"/allocation/timeline?view=month&day={day}"
    seen = {email: f"Deployment window {number}" in text(as_user(email).get(url))
            for email in ("rm.sit@demo.test", "dip@demo.test", "helix@demo.test", "supplier@demo.test")}
    assert seen == {"rm.sit@demo.test": True, "dip@demo.test": True, "helix@demo.test": False,
                    "supplier@demo.test": False}


def test_an_outage_under_way_is_drawn_until_now_never_into_next_month(app, as_user):
    with app.app_context():
        make_outage("dip@demo.test", environment="SIT-B", start=utcnow() - timedelta(hours=2), end=None)
    following = (utcnow().date().replace(day=1) + timedelta(days=32)).replace(day=1)
    page = text(as_user("rm.sit@demo.test").get(f"/allocation/timeline?view=month&day={following}"))
    assert "not yet ended" not in page and "Nothing planned on SIT-B in this month." in page


def test_a_busy_day_drawn_as_one_bar_says_when_one_of_its_outages_is_still_under_way(app, as_user):
    """A day too busy to draw apart (more than two bars in a month) is one bar that counts them: while one of them has
    no end, the bar says so and runs until now, not to the last of the ended ones."""
    start = (utcnow() - timedelta(days=1)).replace(hour=10, minute=0, second=0, microsecond=0)  # yesterday
    with app.app_context():
        for minutes, end in ((0, start + timedelta(minutes=1)), (1, start + timedelta(minutes=2)), (2, None)):
            make_outage("dip@demo.test", environment="SIT-B", start=start + timedelta(minutes=minutes), end=end)
    page = text(as_user("rm.sit@demo.test").get(f"/allocation/timeline?view=month&day={start.date()}"))
    assert re.search(r"3 outages, [^<]*–now \(one not yet ended\)", page)


def test_the_today_line_stands_at_this_moment_and_a_span_over_new_year_names_both_years(app, as_user):
    from datetime import date

    from mhhs.allocation.timeline import build, view_range
    from mhhs.directory.models import london_day_start
    with app.app_context():
        first, last = view_range("week", date(2026, 12, 30))
        now = london_day_start(first) + timedelta(days=2, hours=6)  # Wednesday 06:00, a quarter into the third day
        chart = build(first, last, now, user())
        assert round(chart.today_x, 1) == round(LABEL + WIDTH * (2.25 / 7), 1)
        services.add_stage(user(), "Winter retests", environment().id, date(2026, 12, 28), date(2027, 1, 8))
    page = text(as_user("rm.sit@demo.test").get("/allocation/timeline?view=week&day=2026-12-30"))
    assert "Stage Winter retests: 28 Dec 2026–08 Jan 2027" in page


def test_a_window_that_took_place_stays_on_the_timeline_of_its_week(app, as_user):
    from mhhs.rfcs.models import Rfc
    from mhhs.rfcs.numbers import rfc_number
    from mhhs.rfcs.states import Outcome
    from tests.rfcs.factory import approved_earlier, deploy, make_rfc
    with app.app_context():
        rfc_id = make_rfc()
        approved_earlier(rfc_id, "rm.sit@demo.test")
        deploy(rfc_id, "SIT-A", Outcome.DEPLOYED)
        number = rfc_number(rfc_id)
        day = app.extensions["sqlalchemy"].session.get(Rfc, rfc_id).window_start.date()
    page = text(as_user("supplier@demo.test").get(f"/allocation/timeline?view=week&day={day}"))
    assert f"Deployment window {number} (deployed)" in page


# The timeline is drawn once per process per viewer and period (allocation.views._drawn): what a user changes is on
# the very next page, a copy drawn for one viewer is never shown to another, and a bar under way still grows.

def test_what_a_user_changes_is_on_the_very_next_timeline(app, as_user):
    from mhhs.schedule.services import add_freeze
    monday = next_monday()
    url = f"/allocation/timeline?view=month&day={monday}"
    manager = as_user("rm.sit@demo.test")
    page = text(manager.get(url))  # drawn, and kept
    assert "Stage Night runs" not in page and "Freeze: Year end" not in page and "Northwold Energy:" not in page
    with app.app_context():
        book([make_participant()], at(monday, 14), at(monday, 15))  # before the freeze, which refuses it
    assert f"Northwold Energy: connectivity proving (allocated), {monday:%d %b %Y} 14:00–15:00" in text(
        manager.get(url))
    with app.app_context():
        services.add_stage(user(), "Night runs", environment().id, monday, monday + timedelta(days=4))
    assert "Stage Night runs: " in text(manager.get(url))
    with app.app_context():
        add_freeze(user(), environment().id, monday, monday, "Year end")
    assert "Freeze: Year end" in text(manager.get(url))
    with app.app_context():
        make_outage("dip@demo.test", environment="UIT", planned=True, start=at(monday, 9), end=at(monday, 10))
    assert f"Planned outage, {monday:%d %b %Y} 09:00–10:00" in text(manager.get(url))


def test_a_pending_window_kept_for_one_viewer_is_shown_to_no_other_until_its_organisation_is_consulted(app, as_user):
    """The Release Manager's copy of the month holds a pending RFC's window: a Test Participant and another Central
    Party asking for the same month see their own copies without it; once the Release Manager consults that Central
    Party, it sees the window at its next request, and the Test Participant still does not."""
    from mhhs.extensions import db
    from mhhs.rfcs.models import Rfc
    from mhhs.rfcs.numbers import rfc_number
    from mhhs.rfcs.services.consultation import consult
    from tests.rfcs.factory import make_rfc
    with app.app_context():
        rfc_id = make_rfc()
        number, day = rfc_number(rfc_id), db.session.get(Rfc, rfc_id).window_start.date()
    url, window = f"/allocation/timeline?view=month&day={day}", f"Deployment window {number}"
    helix, supplier = as_user("helix@demo.test"), as_user("supplier@demo.test")
    assert window in text(as_user("rm.sit@demo.test").get(url))
    assert window not in text(supplier.get(url)) and window not in text(helix.get(url))
    with app.app_context():
        consult(user(), db.session.get(Rfc, rfc_id), [user("helix@demo.test").organisation_id])
        db.session.commit()
    assert window in text(helix.get(url))
    assert window not in text(supplier.get(url))


def test_an_outage_under_way_grows_on_a_kept_timeline_as_time_passes(app, as_user, monkeypatch):
    with app.app_context():
        make_outage("dip@demo.test", environment="SIT-B", start=utcnow() - timedelta(hours=2), end=None)
    manager, day = as_user("rm.sit@demo.test"), utcnow().date()

    def width():
        page = text(manager.get(f"/allocation/timeline?day={day}"))
        return float(re.search(r'width="([\d.]+)"[^>]*><title>Unplanned outage, from', page).group(1))

    before = width()
    later = utcnow() + timedelta(minutes=10)  # a week's pixel is some 10 minutes
    monkeypatch.setattr("mhhs.allocation.views.utcnow", lambda: later)
    assert width() > before


def test_a_process_keeps_a_bounded_number_of_drawn_timelines(app, as_user, monkeypatch):
    """Memory per worker stays bounded however many periods are asked for: the least recently asked goes first."""
    from mhhs.allocation.views import _drawn
    from mhhs.core import changes
    monkeypatch.setattr(changes, "COPIES", 3)
    manager, monday = as_user("rm.sit@demo.test"), next_monday()
    for weeks in range(6):
        text(manager.get(f"/allocation/timeline?day={monday + timedelta(weeks=weeks)}"))
    kept = changes._copies[_drawn]
    assert len(kept) == 3 and max(first for _viewer, _view, first, _last in kept) == monday + timedelta(weeks=5)
