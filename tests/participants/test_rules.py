"""The participants' content rules as tables: connection details (host names, addresses, endpoints) and the
E2E Sandbox route (EAP Table 1)."""
from datetime import date

import pytest

from mhhs.participants.models import Route
from mhhs.participants.rules import (
    address_problem,
    connection_problems,
    endpoint_problem,
    entries,
    host_name_problem,
    normal_entries,
    route_problems,
)


@pytest.mark.parametrize("name, ok", [
    ("dip-sit-a.northwold.example", True), ("a.b", True), ("*.dip.example.co.uk", True), ("host.example.", True),
    ("localhost", False), ("-bad.example", False), ("bad-.example", False), ("under_score.example", False),
    ("space here.example", False), ("a..b", False), ("x" * 64 + ".example", False), ("1.2.3.4", False),
    ("dip.*.example", False), ("https://dip.example", False),
])
def test_host_names(name, ok):
    assert (host_name_problem(name) is None) == ok


@pytest.mark.parametrize("address, ok", [
    ("203.0.113.10", True), ("203.0.113.0/28", True), ("2001:db8::1", True), ("2001:db8::/48", True),
    ("10.0.0.1/32", True), ("203.0.113.300", False), ("203.0.113.0/33", False), ("2001:db8::g", False),
    ("dip.example", False), ("1.2.3", False),
])
def test_addresses(address, ok):
    assert (address_problem(address) is None) == ok


@pytest.mark.parametrize("endpoint, ok", [
    ("https://dip-sit-a.northwold.example/webhooks", True), ("https://203.0.113.5:8443/dip", True),
    ("sftp://files.northwold.example", True), ("https://[2001:db8::1]/x", True),
    ("ftp://files.example", False), ("dip-sit-a.northwold.example/webhooks", False), ("https://", False),
    ("https://bad_host.example/", False), ("https://dip.example:99999/", False),
])
def test_endpoints(endpoint, ok):
    assert (endpoint_problem(endpoint) is None) == ok


def test_each_field_names_its_first_bad_entry_and_entries_are_stored_one_a_line():
    problems = connection_problems({"endpoints": "https://ok.example/a", "host_names": "ok.example, bad_one.example",
                                    "addresses": "203.0.113.1\n999.1.1.1\nnope"})
    assert set(problems) == {"host_names", "addresses"}
    assert "bad_one.example" in problems["host_names"] and "999.1.1.1" in problems["addresses"]
    assert entries(" a.example,b.example ;\n\nc.example ") == ["a.example", "b.example", "c.example"]
    assert normal_entries("a.example, b.example a.example") == "a.example\nb.example"


TODAY = date(2026, 12, 6)


@pytest.mark.parametrize("route, passed, on, refused", [
    (Route.SIT, None, None, set()),
    (Route.QUALIFICATION, None, None, set()),
    (Route.SANDBOX, Route.SIT, date(2026, 11, 1), set()),
    (Route.SANDBOX, Route.QUALIFICATION, TODAY, set()),
    (Route.SANDBOX, None, None, {"passed_route", "passed_on"}),
    (Route.SANDBOX, Route.SANDBOX, date(2026, 11, 1), {"passed_route"}),
    (Route.SANDBOX, Route.SIT, None, {"passed_on"}),
    (Route.SANDBOX, Route.SIT, date(2026, 12, 7), {"passed_on"}),
])
def test_the_sandbox_only_after_passing_sit_or_qualification(route, passed, on, refused):
    assert set(route_problems(route, passed, on, TODAY)) == refused
