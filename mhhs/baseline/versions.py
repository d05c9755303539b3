"""Version numbers Major.Minor.Patch.Emergency (RCM §11): reading one. What runs in a cell and what an RFC
deploys are both such numbers; which part a release type raises is an RFC rule (rfcs/versions.py)."""
import re

PATTERN = re.compile(r"(\d+)\.(\d+)\.(\d+)\.(\d+)")
FORMAT = "A version has four numeric parts: Major.Minor.Patch.Emergency, e.g. {}."


def parse(version):
    match = PATTERN.fullmatch((version or "").strip())
    return tuple(int(p) for p in match.groups()) if match else None


def normal(version):
    """The version as stored: its four parts without leading zeros."""
    return ".".join(map(str, parse(version)))
