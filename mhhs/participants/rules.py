"""The participants' content rules, one function each, asked by the services (and so by the pages and the API):
connection details (host names, addresses to allow, endpoints), the E2E Sandbox route, the data refresh notice."""
import ipaddress
import re
from urllib.parse import urlsplit

from .models import SANDBOX_AFTER, Route

# RFC 1123 host names: labels of letters, digits and hyphens, not starting or ending with a hyphen; a wildcard
# first label ("*.dip.example") for a certificate's or a proxy's rule.
_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")
SEPARATORS = re.compile(r"[\s,;]+")


def entries(text):
    """The entries of a connection-details field: one per line (commas, semicolons or spaces also separate)."""
    return [entry for entry in SEPARATORS.split(text or "") if entry]


def host_name_problem(name):
    labels = name.rstrip(".").split(".")
    if labels and labels[0] == "*":
        labels = labels[1:]
    if len(name) > 253 or len(labels) < 2 or not all(_LABEL.match(label) for label in labels) \
            or labels[-1].isdigit():
        return f"“{name}” is not a host name (like dip-sit-a.example.co.uk)."
    return None


def address_problem(address):
    try:
        ipaddress.ip_network(address, strict=False)
    except ValueError:
        return f"“{address}” is not an IPv4 or IPv6 address or range (like 203.0.113.10, 2001:db8::/48)."
    return None


def endpoint_problem(endpoint):
    try:
        parts = urlsplit(endpoint)
        parts.port  # noqa: B018  (a port out of range raises here)
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("https", "http", "sftp") or not parts.hostname \
            or (host_name_problem(parts.hostname) and address_problem(parts.hostname)):
        return f"“{endpoint}” is not an endpoint URL (like https://dip-sit-a.example.co.uk/webhooks)."
    return None


CHECKS = {"endpoints": endpoint_problem, "host_names": host_name_problem, "addresses": address_problem}


def connection_problems(values, fields=tuple(CHECKS)):
    """{field: message} for the first bad entry of each connection-details field."""
    problems = {}
    for field in fields:
        for entry in entries(values.get(field)):
            message = CHECKS[field](entry)
            if message:
                problems[field] = message
                break
    return problems


def normal_entries(text):
    """A connection-details field as stored: one entry a line, in the order given, each once."""
    return "\n".join(dict.fromkeys(entries(text)))


def route_problems(route, passed_route, passed_on, today):
    """EAP Table 1: the E2E Sandbox only after passing SIT or Qualification, with what was passed and when."""
    if route != Route.SANDBOX:
        return {}
    problems = {}
    if passed_route not in SANDBOX_AFTER:
        problems["passed_route"] = ("The E2E Sandbox is open only to a participant that passed SIT or Qualification "
                                    "(EAP Table 1): say which it passed.")
    if passed_on is None:
        problems["passed_on"] = "Give the day it passed."
    elif passed_on > today:
        problems["passed_on"] = "The day it passed cannot be in the future."
    return problems
