"""The production server's settings (gunicorn.conf.py) that are code: the memory a large request freed handed back;
and what a worker holds from its start."""
import gc
import json
import os
import runpy
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONF = ROOT / "gunicorn.conf.py"
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


# A worker's start: the app made and a page served, then the names of the heavy packages it imported.
WORKER_START = """
import json, sys
from mhhs import create_app
from mhhs.config import TestConfig
create_app(TestConfig).test_client().get("/login")
print(json.dumps(sorted(name for name in ("cryptography", "weasyprint", "mhhs.demo") if name in sys.modules)))
"""


def test_a_worker_starts_without_what_only_a_certificate_upload_a_pdf_or_the_seeding_needs():
    """Every worker keeps what it imported: the certificate reader (cryptography, 7 MB), the PDF maker (WeasyPrint,
    27 MB) and the demo data are imported when first used, not by each worker at start."""
    started = subprocess.run([sys.executable, "-c", WORKER_START], cwd=ROOT, capture_output=True, text=True,
                             timeout=90, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert started.returncode == 0, started.stderr[-2000:]
    assert json.loads(started.stdout.strip().splitlines()[-1]) == []


def test_a_worker_keeps_what_it_made_at_start_out_of_the_garbage_collectors_walks(monkeypatch):
    """A full collection stops the worker while it walks every object: those made at start, which live as long as the
    worker, are frozen out of it once the app is loaded (gunicorn's post_worker_init)."""
    monkeypatch.setenv("PUBLIC_URL", "https://release-desk.example.org")
    conf = runpy.run_path(str(CONF))
    try:
        made_at_start = len(gc.get_objects())
        conf["post_worker_init"](None)
        assert gc.get_freeze_count() >= made_at_start and len(gc.get_objects()) < made_at_start
    finally:
        gc.unfreeze()
