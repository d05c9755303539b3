"""Notice periods in business days (England & Wales bank holidays) and hours, and the other submission rules."""
from datetime import datetime, timedelta

import pytest

from mhhs.core.time import add_business_days, is_business_day, london_to_utc
from mhhs.rfcs.rules import earliest_start, notice_problem
from mhhs.rfcs.states import ReleaseType


def utc(text):
    return london_to_utc(datetime.fromisoformat(text))


@pytest.mark.parametrize("submitted, expected", [
    ("2026-11-24 10:00", "2026-11-25 10:00"),  # Tuesday → Wednesday
    ("2026-11-27 16:30", "2026-11-30 16:30"),  # Friday → Monday
    ("2026-11-28 09:00", "2026-11-30 09:00"),  # Saturday → Monday
    ("2026-12-24 12:00", "2026-12-29 12:00"),  # Christmas Day, Boxing Day (observed Monday 28th) skipped
    ("2026-04-02 11:00", "2026-04-07 11:00"),  # Good Friday and Easter Monday skipped
    ("2026-03-27 12:00", "2026-03-30 12:00"),  # across the clocks going forward: same London wall-clock time
])
def test_one_business_day_of_notice(submitted, expected):
    assert add_business_days(utc(submitted), 1) == utc(expected)
    assert earliest_start(ReleaseType.PATCH, utc(submitted)) == utc(expected)
    assert earliest_start(ReleaseType.MINOR, utc(submitted)) == utc(expected)


def test_bank_holidays_come_from_the_holidays_package():
    assert not is_business_day(datetime(2026, 8, 31).date())   # Late Summer Bank Holiday (England & Wales)
    assert is_business_day(datetime(2026, 8, 3).date())        # Scotland's summer holiday is not one here
    assert not is_business_day(datetime(2026, 11, 28).date())  # Saturday


def test_emergency_needs_an_hour_and_major_none():
    now = utc("2026-11-24 10:00")
    assert earliest_start(ReleaseType.EMERGENCY, now) == now + timedelta(hours=1)
    assert earliest_start(ReleaseType.MAJOR, now) == now


def test_notice_refusal_names_the_earliest_start():
    now = utc("2026-11-27 16:30")
    message = notice_problem(ReleaseType.PATCH, utc("2026-11-30 09:00"), now)
    assert message == ("A Patch release needs 1 business day's notice: the earliest allowed window start is "
                       "Mon 30 Nov 2026 16:30.")
    assert notice_problem(ReleaseType.PATCH, utc("2026-11-30 16:30"), now) is None
    assert "1 hour's notice" in notice_problem(ReleaseType.EMERGENCY, now + timedelta(minutes=30), now)
    assert notice_problem(ReleaseType.EMERGENCY, now + timedelta(minutes=61), now) is None


def test_a_window_in_the_past_is_refused():
    now = utc("2026-11-24 10:00")
    assert "in the past" in notice_problem(ReleaseType.MAJOR, now - timedelta(minutes=1), now)


def test_a_drafts_content_rules_are_one_function_with_the_forms_words():
    """The lengths, the downtime and the checksum the RFC form checked, as the function the form and the API ask."""
    from mhhs.rfcs.rules import content_problems
    problems = content_problems({"title": "x" * 201, "expected_downtime": -1, "build_sha256": "abc",
                                 "defects": [{"defect_id": "DEF-1", "summary": "y" * 301}],
                                 "change_requests": [{"cr_id": "C" * 41, "title": "", "summary": ""}]})
    assert problems == {"title": "Field cannot be longer than 200 characters.",
                        "expected_downtime": "Enter a number of minutes, 0 or more.",
                        "build_sha256": "A SHA-256 checksum is 64 hexadecimal characters.",
                        "defects[0].summary": "Field cannot be longer than 300 characters.",  # issue 23's bound
                        "change_requests[0].cr_id": "Field cannot be longer than 40 characters."}
    assert content_problems({"title": "x" * 200, "expected_downtime": 0, "build_sha256": "AB" * 32,
                             "defects": [{"defect_id": "DEF-1", "summary": ""}]}) == {}


def test_the_rfc_forms_downtime_and_checksum_words_stay_the_pages(app):
    """The form asks the same rule functions as the API and still says what it said: a text that is no number gets
    IntegerField's words and the rule's, a negative number the rule's, a bad checksum the checksum rule's."""
    from werkzeug.datastructures import MultiDict

    from mhhs.rfcs.forms import RfcForm
    from tests.rfcs.factory import user
    with app.test_request_context():
        dip = user("dip@demo.test")
        errors = {}
        for downtime, checksum in (("soon", "abc"), ("-5", "ab" * 32), ("30", "")):
            form = RfcForm(dip, formdata=MultiDict([("expected_downtime", downtime), ("build_sha256", checksum)]),
                           meta={"csrf": False})
            form.validate()
            errors[downtime] = (form.expected_downtime.errors, form.build_sha256.errors)
    assert errors == {
        "soon": (["Not a valid integer value.", "Enter a number of minutes, 0 or more."],
                 ["A SHA-256 checksum is 64 hexadecimal characters."]),
        "-5": (["Enter a number of minutes, 0 or more."], []),
        "30": ([], [])}
