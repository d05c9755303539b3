"""RCM §11 versioning: every example from the document, and the checks on a typed version."""
import pytest

from mhhs.rfcs.states import ReleaseType
from mhhs.rfcs.versions import next_version, version_problem

MAJOR, MINOR, PATCH, EMERGENCY = ReleaseType.MAJOR, ReleaseType.MINOR, ReleaseType.PATCH, ReleaseType.EMERGENCY


@pytest.mark.parametrize("last, release_type, expected", [
    (None, MAJOR, "1.0.0.0"),          # versioning following the first major release will be 1.0.0.0
    ("1.0.0.0", MINOR, "1.1.0.0"),     # ... following the first minor release will be 1.1.0.0
    ("1.0.0.0", EMERGENCY, "1.0.0.1"),  # first major followed by an emergency release: 1.0.0.1
    ("1.0.1.6", EMERGENCY, "1.0.1.7"),  # zero minor, one patch and seven emergency releases: 1.0.1.7
    ("1.0.0.7", PATCH, "1.0.1.0"),     # each release type resets the subordinate numbers
    ("1.0.1.7", PATCH, "1.0.2.0"),     # another, second patch release: 1.0.2.0
    ("1.0.2.0", MAJOR, "2.0.0.0"),     # following the second major release: 2.0.0.0
    ("1.3.2.5", MAJOR, "2.0.0.0"),     # any Major gives N+1.0.0.0
    ("1.3.2.5", MINOR, "1.4.0.0"),
    ("9.9.9.9", EMERGENCY, "9.9.9.10"),  # parts are numbers, not digits
    (None, MINOR, "0.1.0.0"),
])
def test_next_version(last, release_type, expected):
    assert next_version(last, release_type) == expected


@pytest.mark.parametrize("typed, last, taken, message", [
    ("1.2.3", "1.0.0.0", set(), "four numeric parts"),
    ("1.2.3.x", None, set(), "four numeric parts"),
    ("v1.2.0.0", None, set(), "four numeric parts"),
    ("", None, set(), "four numeric parts"),
    ("1.0.0.0", "1.0.0.0", {"1.0.0.0"}, "1.0.0.0 is already used for this system."),
    ("0.9.0.0", "1.0.0.0", {"1.0.0.0"}, "higher than the system's last approved release, 1.0.0.0"),
    ("1.1.0.0", "1.0.0.0", {"1.0.0.0", "1.1.0.0"}, "1.1.0.0 is already used"),
])
def test_typed_versions_that_are_refused(typed, last, taken, message):
    assert message in version_problem(typed, last, taken)


@pytest.mark.parametrize("typed, last, taken", [
    ("1.0.0.0", None, set()),
    ("1.1.0.0", "1.0.0.0", {"1.0.0.0"}),
    ("1.0.0.10", "1.0.0.9", {"1.0.0.9"}),
    (" 2.0.0.0 ", "1.5.0.0", set()),
])
def test_typed_versions_that_are_accepted(typed, last, taken):
    assert version_problem(typed, last, taken) is None


@pytest.mark.parametrize("typed, last, release_type, message", [
    ("1.0.0.1", "1.0.0.0", MINOR, "A Minor release changes the second (Minor) part, but this version changes the "
                                  "fourth (Emergency) part (RCM §11): expected 1.1.0.0."),
    ("2.0.0.0", "1.0.0.0", MINOR, "changes the first (Major) part (RCM §11): expected 1.1.0.0."),
    ("1.1.0.0", "1.0.0.0", PATCH, "A Patch release changes the third (Patch) part, but this version changes the "
                                  "second (Minor) part (RCM §11): expected 1.0.1.0."),
    ("1.0.1.0", "1.0.0.0", EMERGENCY, "changes the third (Patch) part (RCM §11): expected 1.0.0.1."),
    ("1.1.0.0", "1.0.0.0", MAJOR, "expected 2.0.0.0."),
    ("1.1.0.3", "1.0.0.0", MINOR, "resets the parts after the second (Minor) part to 0 (RCM §11): expected 1.1.0.0."),
    ("1.0.0.1", None, MINOR, "resets the parts after the second (Minor) part to 0 (RCM §11): expected 0.1.0.0."),
])
def test_rcm_11_table_4_a_version_changes_the_part_of_its_release_type(typed, last, release_type, message):
    """RCM §11, Table 4: Major is the first part, Minor the second, Patch the third, Emergency the fourth; a release
    increments its own part and resets the parts after it. The refusal names the part and the version expected."""
    assert message in version_problem(typed, last, {last}, release_type)


@pytest.mark.parametrize("typed, last, release_type", [
    ("1.1.0.0", "1.0.0.7", MINOR), ("1.0.1.0", "1.0.0.7", PATCH), ("1.0.0.8", "1.0.0.7", EMERGENCY),
    ("2.0.0.0", "1.3.2.5", MAJOR), ("1.0.0.0", None, MAJOR), ("1.2.0.0", "1.0.0.0", MINOR),  # 1.1.0.0 rolled back
    ("1.1.0.0", None, MINOR),  # no version known yet: nothing to compare, the parts after Minor are 0
])
def test_rcm_11_versions_of_their_own_part_are_accepted(typed, last, release_type):
    taken = {last, "1.1.0.0"} if typed == "1.2.0.0" else {last}
    assert version_problem(typed, last, taken, release_type) is None
