"""Every route, as every role, with generated values in every form field and query parameter: wrong types, huge
and negative numbers, 100 KB strings, control characters, missing fields, bad dates, malformed row actions.
Never a 5xx, and nothing stored half (the invariants below hold after every request)."""
import os
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import Client
from tests.helpers import API, ARGUMENTS, ODD, SKIP, check_invariants

EMAILS = [None, "rm.sit@demo.test", "dip@demo.test", "mprs@demo.test", "supplier@demo.test"]


NAME = re.compile(r'name="([^"]+)"')
# What POST-only routes read, which no page of their own lists.
POSTED = ["action", "decision", "from", "comment", "row_version", "confirm", "renews", "gng_reference", "gng_date",
          "lessons_learnt", "work_off_actions", "certificate_data", "defects-0-found_in_id", "defects-7-defect_id",
          "change_requests-0-cr_id"]


def _field_names(client, url):
    """The names of the fields the page at url offers (its forms), plus those POST-only routes read."""
    response = client.get(url)
    page = response.get_data(as_text=True) if response.status_code == 200 and response.mimetype == "text/html" else ""
    return sorted(set(NAME.findall(page)) - {"csrf_token"} | set(POSTED))


QUERY = ["page", "status", "type", "environment", "system", "organisation", "q", "from", "to", "planned",
         "category", "kind", "period", "count", "renews", "rfc", "propose", "rfc_id", "system_id", "release_type",
         "version", "next", "date", "view"]
values = st.one_of(st.sampled_from(ODD), st.integers(-10**25, 10**25).map(str), st.text(max_size=40))


def params(names):
    """Any subset of the names (none, a few or all: missing fields too), each with an odd value."""
    return st.dictionaries(st.sampled_from(names), values, max_size=len(names))

@pytest.fixture
def fuzz(app):
    # Everyone logs in before the first example: junk posted to /login later may lock the address for a while.
    clients = {email: Client(app) for email in EMAILS}
    for email, http in clients.items():
        if email:
            assert http.login(email).status_code == 303
        else:
            http._refresh_token()
    client = clients.__getitem__

    with app.app_context():
        # The API takes tokens and JSON: tests/api/test_api.py fuzzes it with both.
        rules = [r for r in app.url_map.iter_rules() if r.endpoint not in SKIP and not r.endpoint.startswith(API)]
        urls = sorted((r.rule, sorted(r.methods), r.build({a: ARGUMENTS[(r.endpoint, a)]() for a in r.arguments})[1])
                      for r in rules)
    # Each URL with the fields any role's page there offers (a manager and a Central Party see most forms).
    fields = {url: sorted(set(_field_names(client("rm.sit@demo.test"), url))
                          | set(_field_names(client("dip@demo.test"), url))) for _, _, url in urls}
    return client, urls, fields


# CI runs a fixed set of examples; FUZZ_RANDOM=1 FUZZ_EXAMPLES=5000 explores new ones.
SETTINGS = settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", "400")), deadline=None,
                    derandomize=not os.environ.get("FUZZ_RANDOM"), database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@SETTINGS
@given(data=st.data())
def test_no_post_answers_5xx_or_stores_half(app, fuzz, data):
    client, urls, fields = fuzz
    url = data.draw(st.sampled_from([url for _, methods, url in urls if "POST" in methods]))
    email, form = data.draw(st.sampled_from(EMAILS)), data.draw(params(fields[url]))
    response = client(email).post(url, form, htmx=data.draw(st.booleans()))
    check_invariants(app, response, f"POST {url} as {email} with {str(form)[:300]}")


@SETTINGS
@given(data=st.data())
def test_no_get_answers_5xx(app, fuzz, data):
    client, urls, _ = fuzz
    url = data.draw(st.sampled_from([url for _, methods, url in urls if "GET" in methods]))
    email, query = data.draw(st.sampled_from(EMAILS)), data.draw(params(QUERY))
    response = client(email).get(url, query_string=query, htmx=data.draw(st.booleans()))
    check_invariants(app, response, f"GET {url} as {email} with {str(query)[:300]}")
