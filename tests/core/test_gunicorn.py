"""The production server's settings (gunicorn.conf.py) that are code: the memory a large request freed handed back."""
import runpy
from pathlib import Path

CONF = Path(__file__).resolve().parents[2] / "gunicorn.conf.py"
MB = 1024 * 1024


def test_a_worker_hands_back_freed_memory_after_a_request_that_grew_it(monkeypatch):
    monkeypatch.setenv("PUBLIC_URL", "https://release-desk.example.org")
    monkeypatch.delenv("GUNICORN_TRIM_MEGABYTES", raising=False)
    conf = runpy.run_path(str(CONF))
    sizes, trims = [], []

    class Libc:
        def malloc_trim(self, pad):
            trims.append(pad)
            sizes.append(sizes[-1] - 20 * MB)  # what the trim gave back

    conf["post_request"].__globals__.update(_libc=Libc(), _trimmable=True, _resident_bytes=lambda: sizes[-1])
    hook = conf["post_request"]
    for resident, trimmed in ((100 * MB, 1),  # the first request: the size to grow from
                              (90 * MB, 1), (95 * MB, 1),  # a few MB more than after the trim: kept
                              (130 * MB, 2)):  # a large page: 16 MB and more over the last trim
        sizes.append(resident)
        hook(None, None, {}, None)
        assert len(trims) == trimmed, resident
    assert conf["TRIM_MEGABYTES"] == 16
