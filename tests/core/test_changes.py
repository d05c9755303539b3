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
