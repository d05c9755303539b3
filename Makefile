# Release Desk: `make run` serves the app with demo data; `make test` runs every test.
# Both set up a fresh machine first: virtual environment, Python and npm packages, Debian packages.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask
export FLASK_APP := app.py
SUDO := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)
# Wait for another install's package lock (up to 10 minutes) instead of failing at once.
APT := $(SUDO) apt-get -o DPkg::Lock::Timeout=600
APT_INSTALL := $(APT) update -qq && DEBIAN_FRONTEND=noninteractive $(APT) install -y -qq --no-install-recommends

.PHONY: run serve test test-postgres bench setup setup-dev system-deps browser-deps postgres-deps bench-deps db clean

# The development server's key: made once under instance/ and reused, so sessions survive a restart.
DEV_KEY := instance/secret_key
DEV_ENV = SECRET_KEY="$$(cat $(DEV_KEY))"

run: setup db
	$(DEV_ENV) $(FLASK) seed --demo
	@echo
	@echo "Release Desk on http://127.0.0.1:5000 — demo logins (password: demo-pass):"
	@echo "  rm.sit@demo.test (Release Manager, SIT)    rm.uit@demo.test (Release Manager, UIT)"
	@echo "  dip@demo.test (Central Party, Avanade)     mprs@demo.test (Central Party, St Clements)"
	@echo "  helix@demo.test (Central Party, Elexon)    supplier@demo.test (Test Participant)"
	@echo
	$(DEV_ENV) $(FLASK) run --host 127.0.0.1 --port 5000

# The production server (gunicorn.conf.py) on the same database: what `make run` serves, with 2 workers.
serve: setup db
	$(DEV_ENV) PUBLIC_URL="$${PUBLIC_URL:-http://127.0.0.1:8000}" $(VENV)/bin/gunicorn app:app

test: setup-dev browser-deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	$(PY) -m pytest

# The same suite against a throwaway PostgreSQL server on loopback, removed afterwards.
test-postgres: setup-dev browser-deps postgres-deps
	scripts/with-postgres.sh $(PY) -m pytest

# The heavy pages under gunicorn beside a hello-world, driven by wrk: p50, p95, req/s and ratios (SQLite; then
# `.venv/bin/python scripts/bench_http.py --postgres` for PostgreSQL).
bench: setup-dev bench-deps postgres-deps
	$(PY) scripts/bench_http.py

setup: system-deps $(VENV)/.deps static/vendor/.installed

setup-dev: setup $(VENV)/.dev-deps

db: setup $(DEV_KEY)
	$(DEV_ENV) $(FLASK) db upgrade

$(DEV_KEY):
	mkdir -p instance
	umask 077 && python3 -c 'import secrets; print(secrets.token_hex(32))' > $@

$(PY):
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip

$(VENV)/.deps: requirements.txt | $(PY)
	$(VENV)/bin/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-deps: requirements-dev.txt $(VENV)/.deps
	$(VENV)/bin/pip install --quiet -r requirements-dev.txt
	touch $@

# Front-end assets come from the npm registry, pinned by package-lock.json, served from static/vendor.
static/vendor/.installed: package.json package-lock.json
	command -v npm >/dev/null || ($(APT_INSTALL) nodejs npm)
	npm ci --no-audit --no-fund
	mkdir -p static/vendor
	cp node_modules/htmx.org/dist/htmx.min.js node_modules/@picocss/pico/css/pico.min.css static/vendor/
	touch $@

# WeasyPrint renders with Pango.
system-deps:
	@(ldconfig -p | grep -q libpangoft2-1.0) || ($(APT_INSTALL) libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core)

browser-deps:
	@command -v chromium >/dev/null || ($(APT_INSTALL) chromium)

bench-deps:
	@command -v wrk >/dev/null || ($(APT_INSTALL) wrk)

postgres-deps:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || ($(APT_INSTALL) postgresql)

clean:
	rm -rf $(VENV) node_modules static/vendor instance/*.sqlite*
