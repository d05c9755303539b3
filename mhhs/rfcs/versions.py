"""Version numbers Major.Minor.Patch.Emergency (RCM §11): the next one, and checks on a typed one."""
from ..baseline.versions import FORMAT, parse
from .states import ReleaseType

PART = {ReleaseType.MAJOR: 0, ReleaseType.MINOR: 1, ReleaseType.PATCH: 2, ReleaseType.EMERGENCY: 3}
PART_NAMES = ("first (Major)", "second (Minor)", "third (Patch)", "fourth (Emergency)")


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


def version_problem(typed, last, taken, release_type=None):
    """The message for a typed version that cannot be used, or None.
    last: the system's last approved version (or None); taken: every version the system already has.
    RCM §11, Table 4: a release increments its own part and resets the parts after it, so a Minor typed as 1.0.0.1
    is refused, naming the part and the version expected."""
    parts = parse(typed)
    if parts is None:
        return FORMAT.format("1.2.0.0")
    normal = ".".join(map(str, parts))
    if normal in taken:
        return f"{normal} is already used for this system."
    if last is not None and parts <= parse(last):
        return f"The version must be higher than the system's last approved release, {last}."
    return part_problem(parts, last, taken, release_type)


def part_problem(parts, last, taken, release_type):
    """RCM §11, Table 4: the first part that changed from `last` must be the release type's own, and the parts
    after it must be 0. A system with no known version yet (nothing approved, nothing recorded running) has no part
    that changed to judge: only the parts after the type's own must be 0."""
    if release_type is None:
        return None
    own = PART[release_type]
    changed = own if last is None else next((i for i in range(4) if parts[i] != parse(last)[i]), None)
    if changed == own and not any(parts[own + 1:]):
        return None
    expected = next_version(last, release_type, taken)
    if changed is not None and changed != own:
        return (f"A {release_type.value} release changes the {PART_NAMES[own]} part, but this version changes the "
                f"{PART_NAMES[changed]} part (RCM §11): expected {expected}.")
    return (f"A {release_type.value} release resets the parts after the {PART_NAMES[own]} part to 0 (RCM §11): "
            f"expected {expected}.")
