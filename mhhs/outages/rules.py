"""What an outage must be before it is stored, one function per rule, by the form field it concerns: the outage
form's validators and the API ask the same functions, so the words are the same."""
from ..core.services import length_problems
from ..rfcs.numbers import parse_rfc_number
from .models import PLANNED_CATEGORIES, UNPLANNED_CATEGORIES

LIMITS = {"description": 10_000, "impact": 10_000, "defect_reference": 40, "root_cause": 10_000, "rfc_number": 20}
DESCRIPTION_MISSING = "Describe what is down."


def systems_problem(systems, environment):
    """systems: the System objects chosen; environment: the Environment (or None when not chosen)."""
    if not systems:
        return "Choose at least one system that is down."
    outside = [s.name for s in systems if environment and s not in environment.systems]
    if outside:
        return f"{', '.join(outside)} {'is' if len(outside) == 1 else 'are'} not in {environment.name}."
    if len({s.organisation_id for s in systems}) > 1:
        return "Choose systems of one organisation: log one outage per organisation."
    return None


def category_problem(planned, category):
    """category: the category's value as chosen."""
    if category in {c.value for c in (PLANNED_CATEGORIES if planned else UNPLANNED_CATEGORIES)}:
        return None
    if planned:
        return ("A planned outage is a data refresh, data load, infrastructure maintenance, infrastructure patching, "
                "code deployment or rollback.")
    return "An unplanned outage is an infrastructure failure or a software failure."


def end_problem(start, end):
    return "The outage must end after it starts." if end and start and end <= start else None


def rfc_number_problem(text):
    text = (text or "").strip()
    return "Enter an RFC number like RFC-000123." if text and parse_rfc_number(text) is None else None


def outage_problems(values, systems, environment):
    """Every rule above at once, for a caller without a form. values: the form's field names (category as its
    value, start and end in one time zone, rfc_number as typed)."""
    problems = {name: problem for name, problem in (
        ("system_ids", systems_problem(systems, environment)),
        ("category", category_problem(values.get("planned"), values.get("category"))),
        ("end", end_problem(values.get("start"), values.get("end"))),
        ("rfc_number", rfc_number_problem(values.get("rfc_number"))),
        ("description", None if (values.get("description") or "").strip() else DESCRIPTION_MISSING)) if problem}
    return {**length_problems(values, LIMITS), **problems}
