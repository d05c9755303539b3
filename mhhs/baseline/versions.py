"""Version numbers Major.Minor.Patch.Emergency (RCM §11): reading one. What runs in a cell and what an RFC
deploys are both such numbers; which part a release type raises is an RFC rule (rfcs/versions.py)."""
import re

PATTERN = re.compile(r"(\d+)\.(\d+)\.(\d+)\.(\d+)")
FORMAT = "A version has four numeric parts: Major.Minor.Patch.Emergency, e.g. {}."


def parse(version):
    match = PATTERN.fullmatch((version or "").strip())
    return tuple(int(p) for p in match.groups()) if match else None


def sort_key(version):
    """A text that sorts as the version does (each part its digit count, then its digits), stored beside it so
    SQL can order a system's versions and read only the neighbours; None when it is not a version."""
    parts = parse(version)
    return "".join(f"{len(str(part)):02d}{part}" for part in parts) if parts else None


def normal(version):
    """The version as stored: its four parts without leading zeros."""
    return ".".join(map(str, parse(version)))
