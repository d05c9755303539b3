"""The process's kept copies (core/changes.py): read again when their counter moves, and bounded in number."""
from mhhs.core import changes


def test_a_copy_is_read_again_when_its_counter_moves_and_the_least_recently_used_goes_first(app, monkeypatch):
    reads = []

    def load(key):
        reads.append(key)
        return key * 2

    monkeypatch.setattr(changes, "COPIES", 2)
    with app.test_request_context():
        assert [changes.cached(load, changes.SLOTS, key=(k,)) for k in (1, 2, 1)] == [2, 4, 2]
        assert reads == [1, 2]  # 1 read once, kept
        changes.cached(load, changes.SLOTS, key=(3,))  # beyond the bound: 2, the least recently used, goes
        changes.cached(load, changes.SLOTS, key=(1,))
        assert reads == [1, 2, 3]
        changes.cached(load, changes.SLOTS, key=(2,))
        assert reads == [1, 2, 3, 2]
        changes.bump(changes.SLOTS)
        changes.cached(load, changes.SLOTS, key=(2,))
        assert reads == [1, 2, 3, 2, 2]


def test_nothing_read_in_a_transaction_that_moved_counters_is_kept_past_its_rollback(app):
    """A copy read after an uncommitted bump is not kept: once the transaction rolls back, a later commit that moves
    the counter to the same value must not find it (it would show what never was)."""
    from mhhs.extensions import db
    reads = []

    def load():
        reads.append(changes.values(changes.SLOTS))
        return len(reads)

    with app.test_request_context():
        changes.bump(changes.SLOTS)
        assert changes.cached(load, changes.SLOTS) == 1  # read inside the transaction that moved the counter
        db.session.rollback()
        changes.bump(changes.SLOTS)  # another change, committed: the counter at the value the first one had
        db.session.commit()
        assert changes.cached(load, changes.SLOTS) == 2  # read again, not the copy of the undone transaction
        assert changes.cached(load, changes.SLOTS) == 2  # and kept from then on
        assert reads[0] == reads[1]
