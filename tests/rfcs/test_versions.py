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
