"""Version numbers Major.Minor.Patch.Emergency (RCM §11): the next one, and checks on a typed one."""
from ..baseline.versions import FORMAT, parse
from .states import ReleaseType

PART = {ReleaseType.MAJOR: 0, ReleaseType.MINOR: 1, ReleaseType.PATCH: 2, ReleaseType.EMERGENCY: 3}


def next_version(last, release_type, taken=()):
    """The part of the chosen type goes up by one and every part to its right resets to 0; a version already used
    (say, by a release that was rolled back) is skipped. A system with no release yet counts from 0.0.0.0, so its
    first Major is 1.0.0.0."""
    parts = list(parse(last) if last else (0, 0, 0, 0))
    index = PART[release_type]
    while True:
        parts[index] += 1
        parts[index + 1:] = [0] * (3 - index)
        proposal = ".".join(map(str, parts))
        if proposal not in taken:
            return proposal


def version_problem(typed, last, taken):
    """The message for a typed version that cannot be used, or None.
    last: the system's last approved version (or None); taken: every version the system already has."""
    parts = parse(typed)
    if parts is None:
        return FORMAT.format("1.2.0.0")
    normal = ".".join(map(str, parts))
    if normal in taken:
        return f"{normal} is already used for this system."
    if last is not None and parts <= parse(last):
        return f"The version must be higher than the system's last approved release, {last}."
    return None
