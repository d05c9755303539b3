"""Property test (Hypothesis): every form route posted to, every GET route's query string, as every role (and
nobody), and every API route with JSON bodies and query strings drawn from the OpenAPI description's own schemas.
Values are wrong types, huge and negative numbers, 100 KB strings, control characters, impossible dates and missing
fields. After every request: never a 5xx, and the database holds its invariants: SQLite's integrity and foreign keys,
no RFC or outage in an impossible state (tests/helpers.py INVARIANTS), nothing stored by a GET or by a refused
request, and an audit row for every row a request added or removed in the audited tables.

CI runs a fixed set of examples (derandomized); FUZZ_RANDOM=1 FUZZ_EXAMPLES=5000 explores new ones. The number of
requests made and of 5xx answers is printed (-s) and written to test-artifacts/fuzz-requests.json."""
import json
import os
import re
from collections import Counter
from pathlib import Path

import pytest
from flask_wtf import FlaskForm
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from wtforms.fields.core import UnboundField

from mhhs.extensions import db
from tests.conftest import Client
from tests.helpers import API, ARGUMENTS, ODD, SKIP, USERS, check_invariants, sample_outage
from tests.participants.factory import make_participant
from tests.rfcs.factory import approved_earlier, make_rfc

ROOT = Path(__file__).resolve().parents[2]
ARTIFACT = ROOT / "test-artifacts" / "fuzz-requests.json"
EMAILS = [None, "rm.sit@demo.test", "dip@demo.test", "mprs@demo.test", "supplier@demo.test"]
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "0"))
SETTINGS = dict(deadline=None, derandomize=not os.environ.get("FUZZ_RANDOM"), database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

# Rows whose adding or removing is recorded in the audit trail (audit.services.record, in the same transaction).
AUDITED = ["rfcs", "outages", "certificates", "api_tokens", "users", "organisations", "systems", "environments",
           "freezes", "test_phases", "pki_officers", "mail_groups", "market_roles", "major_releases"]
SNAPSHOT = text("SELECT " + ", ".join(f"(SELECT count(*) FROM {t}) AS {t}" for t in AUDITED + ["audit_events"]))

TALLY = Counter()  # requests made and 5xx answers, by kind, for the closing line


@pytest.fixture(scope="module", autouse=True)
def report():
    yield
    ARTIFACT.parent.mkdir(exist_ok=True)
    ARTIFACT.write_text(json.dumps(dict(TALLY), indent=2, sort_keys=True) + "\n")
    print(f"\nfuzzed {TALLY['requests']} requests ({TALLY['form posts']} form posts, {TALLY['query strings']} "
          f"query strings, {TALLY['api']} API calls): {TALLY['5xx']} answered 5xx")


def _database_checks():
    """SQLite's own checks: the file is sound and no row points at a row that is gone."""
    if db.engine.dialect.name != "sqlite":
        return {}  # PostgreSQL enforces foreign keys itself, on every statement
    connection = db.session.connection()
    return {"integrity": connection.exec_driver_sql("PRAGMA quick_check").scalar(),
            "foreign keys": connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()}


def checked(app, kind, method, what, send):
    """Sends one request and checks every invariant after it."""
    with app.app_context():
        before = db.session.execute(SNAPSHOT).one()._asdict()
        db.session.remove()
    response = send()
    TALLY["requests"] += 1
    TALLY[kind] += 1
    TALLY["5xx"] += response.status_code >= 500
    check_invariants(app, response, what)
    with app.app_context():
        after = db.session.execute(SNAPSHOT).one()._asdict()
        database = _database_checks()
        db.session.remove()
    changed = sorted(t for t in AUDITED if before[t] != after[t])
    assert not database or (database["integrity"] == "ok" and not database["foreign keys"]), f"{what}: {database}"
    if changed:
        assert method != "GET", f"{what}: a GET changed {changed}"
        assert response.status_code < 400, f"{what}: refused with {response.status_code} but changed {changed}"
        assert after["audit_events"] > before["audit_events"], f"{what}: changed {changed} without an audit row"
    return response


# Forms and query strings -------------------------------------------------------------------------------------------

NAME = re.compile(r'name="([^"]+)"')
# What POST-only routes read, which no page of their own lists.
POSTED = ["action", "decision", "from", "comment", "row_version", "confirm", "renews", "gng_reference", "gng_date",
          "lessons_learnt", "work_off_actions", "certificate_data", "defects-0-found_in_id", "defects-7-defect_id",
          "change_requests-0-cr_id", "everywhere"]
QUERY = ["page", "status", "type", "environment", "system", "organisation", "q", "from", "to", "planned",
         "category", "kind", "period", "count", "renews", "rfc", "propose", "rfc_id", "system_id", "release_type",
         "version", "next", "date", "view", "after", "before", "last", "sort", "dir", "state", "follow_up",
         "_method", "endpoint", "_external"]
# Posting these would end the role's session for the examples after them (tests/auth covers them).
NOT_POSTED = {"auth.logout"}
values = st.one_of(st.sampled_from(ODD), st.integers(-10**25, 10**25).map(str), st.text(max_size=40),
                   st.sampled_from(["9223372036854775808", "1e308", "-0", "0x10", "1_000"]))


def _form_fields():
    """Every field name of every WTForms form of the app: the names a route without a page of its own may read."""
    found, classes = set(), [FlaskForm]
    while classes:
        cls = classes.pop()
        classes.extend(cls.__subclasses__())
        found |= {name for klass in cls.__mro__ for name, value in vars(klass).items()
                  if isinstance(value, UnboundField)}
    return found


def params(names):
    """Any subset of the names (none, a few or all: missing fields too), each with an odd value; now and then a
    name no form has."""
    generated = st.from_regex(r"[a-z_]{1,12}(-[0-9]{1,2}-[a-z_]{1,10})?", fullmatch=True)
    return st.dictionaries(st.one_of(st.sampled_from(names), generated) if names else generated, values,
                           max_size=max(len(names), 3))


def _page_fields(client, url):
    """The names of the fields the page at url shows (its WTForms form, rendered)."""
    response = client.get(url)
    page = response.get_data(as_text=True) if response.status_code == 200 and response.mimetype == "text/html" else ""
    return set(NAME.findall(page)) - {"csrf_token"}


@pytest.fixture
def fuzz(app):
    # Everyone logs in before the first example: junk posted to /login later may lock the address for a while.
    clients = {email: Client(app) for email in EMAILS}
    for email, http in clients.items():
        if email:
            assert http.login(email).status_code == 303
        else:
            http._refresh_token()
    with app.app_context():
        rules = [r for r in app.url_map.iter_rules() if r.endpoint not in SKIP and not r.endpoint.startswith(API)]
        urls = sorted((r.endpoint, sorted(r.methods),
                       r.build({a: ARGUMENTS[(r.endpoint, a)]() for a in r.arguments})[1]) for r in rules)
    every_field = _form_fields() | set(POSTED)
    # A form route gets the fields its page shows to a manager or a Central Party (who see most forms); a route with
    # no page of its own gets every form's field names and POST-only ones.
    fields = {}
    for endpoint, methods, url in urls:
        if "POST" in methods and endpoint not in NOT_POSTED:
            shown = _page_fields(clients["rm.sit@demo.test"], url) | _page_fields(clients["dip@demo.test"], url)
            fields[url] = sorted(shown | set(POSTED) if shown else every_field)
    return clients.__getitem__, urls, fields


@settings(max_examples=EXAMPLES or 250, **SETTINGS)
@given(data=st.data())
def test_no_form_post_answers_5xx_or_breaks_the_database(app, fuzz, data):
    client, urls, fields = fuzz
    url = data.draw(st.sampled_from(sorted(fields)))
    email, form = data.draw(st.sampled_from(EMAILS)), data.draw(params(fields[url]))
    htmx = data.draw(st.booleans())
    checked(app, "form posts", "POST", f"POST {url} as {email} with {str(form)[:300]}",
            lambda: client(email).post(url, form, htmx=htmx))


@settings(max_examples=EXAMPLES or 250, **SETTINGS)
@given(data=st.data())
def test_no_query_string_answers_5xx_or_writes(app, fuzz, data):
    client, urls, _ = fuzz
    url = data.draw(st.sampled_from([url for _, methods, url in urls if "GET" in methods]))
    email, query = data.draw(st.sampled_from(EMAILS)), data.draw(params(QUERY))
    htmx = data.draw(st.booleans())
    checked(app, "query strings", "GET", f"GET {url} as {email} with {str(query)[:300]}",
            lambda: client(email).get(url, query_string=query, htmx=htmx))


# The API: bodies and query strings from the OpenAPI description ---------------------------------------------------

ODD_JSON = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(-10**25, 10**25), st.floats(allow_nan=True),
                                  st.sampled_from(ODD), st.text(max_size=30)),
                        lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                st.dictionaries(st.text(max_size=12), inner, max_size=4)),
                        max_leaves=12)
DATE_TIMES = st.one_of(
    st.datetimes().map(lambda moment: moment.isoformat() + "Z"),
    st.sampled_from(["0001-01-01T00:00:00Z", "9999-12-31T23:59:59+14:00", "2026-02-30T10:00:00Z", "2026-12-14",
                     "2026-12-14T09:30:00", "2026-12-14T25:61:00Z", "now"]))


def from_schema(schema, spec):
    """A strategy for values of an OpenAPI (JSON Schema) schema: mostly of its type, now and then anything."""
    if "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    kinds = schema.get("type", ["object"] if "properties" in schema else ["string"])
    kinds = kinds if isinstance(kinds, list) else [kinds]
    typed = [st.none() if kind == "null"
             else DATE_TIMES if kind == "string" and schema.get("format") in ("date-time", "date")
             else st.one_of(st.sampled_from(ODD), st.text(max_size=40)) if kind == "string"
             else st.one_of(st.integers(-2**70, 2**70), st.sampled_from([0, -1, 2**31, 2**63])) if kind == "integer"
             else st.floats(allow_nan=True) if kind == "number"
             else st.booleans() if kind == "boolean"
             else st.lists(from_schema(schema.get("items", {}), spec), max_size=4) if kind == "array"
             else st.fixed_dictionaries({}, optional={name: from_schema(inner, spec) for name, inner
                                                      in schema.get("properties", {}).items()})
             for kind in kinds]
    if "enum" in schema:
        typed.append(st.sampled_from(schema["enum"]))
    return st.one_of(*typed, *typed, ODD_JSON)  # twice as likely of its type as anything at all


@pytest.fixture
def fuzz_api(app, make_token):
    """Each API route and method with the tokens of every role, the body and query strategies its OpenAPI
    operation describes, and its path's ids: a draft, an approved RFC, an outage and ids that name nothing."""
    secrets = [make_token(email, name=email) for email in USERS.values()]
    with app.app_context():
        draft = make_rfc(submit=False)
        approved = make_rfc(version="1.2.0.0")
        approved_earlier(approved)
        ids = {"rfc_id": [draft, approved, 2**31 - 1], "outage_id": [sample_outage(), 2**31 - 1],
               # the participants' half: an environment by name, a participant's register entry, and what is absent
               "name": ["SIT-A", "UIT", "Nowhere"], "environment": ["SIT-A", "UIT", "Nowhere"],
               "participant_id": [make_participant().id, 2**31 - 1]}
        spec = app.extensions["openapi_spec"].to_dict()
        rules = [r for r in app.url_map.iter_rules() if r.endpoint.startswith(API)]
    operations = []
    for rule in rules:
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            operation = spec["paths"][path][method.lower()]
            body = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            query = {p["name"]: from_schema(p.get("schema", {}), spec) for p in operation.get("parameters", [])
                     if p["in"] == "query"}
            operations.append((rule, method, from_schema(body, spec) if body else None, query))
    return secrets, ids, operations


@settings(max_examples=EXAMPLES or 200, **SETTINGS)
@given(data=st.data())
def test_no_api_call_answers_5xx_or_breaks_the_database(app, api, fuzz_api, data):
    secrets, ids, operations = fuzz_api
    rule, method, body, query = data.draw(st.sampled_from(operations))
    url = rule.build({a: data.draw(st.sampled_from(ids[a])) for a in rule.arguments})[1].removeprefix("/api/v1")
    sent = data.draw(st.one_of(body, ODD_JSON)) if body is not None else None
    arguments = {k: str(v) for k, v in data.draw(st.fixed_dictionaries({}, optional=query)).items()}
    secret = data.draw(st.sampled_from(secrets))
    answer = checked(app, "api", method, f"{method} {url}?{arguments} with {str(sent)[:300]}",
                     lambda: api(method, url, secret, sent, query_string=arguments))
    assert answer.status_code < 400 or answer.content_type == "application/problem+json"
