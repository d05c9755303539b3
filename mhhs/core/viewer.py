"""Who reads, as far as the visibility clauses need (rfcs.permissions.visible_clause,
allocation.permissions.visible_slots_clause): a hashable key, so that a statement built for one reader can be kept
and reused (functools.lru_cache) instead of being built and keyed again on every request."""
from collections import namedtuple


class Viewer(namedtuple("Viewer", "role organisation_id")):
    __slots__ = ()
    is_authenticated = True  # someone logged in, as the rules that ask read it (core.permissions.is_manager)


def viewer_of(user):
    return Viewer(user.role, user.organisation_id)
