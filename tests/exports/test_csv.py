"""CSV exports: a cell a spreadsheet would run as a formula arrives as text (OWASP CSV injection)."""
import csv
import io

import pytest

from mhhs.exports.csv import safe_cell
from tests.outages.factory import make_outage


@pytest.mark.parametrize("typed", ["=HYPERLINK(\"http://evil.test\",\"x\")", "+1+1", "-2+3", "@SUM(A1)", "\tcmd",
                                   "\rcmd"])
def test_formula_starts_are_neutralised(typed):
    assert safe_cell(typed) == "'" + typed


def test_plain_text_and_numbers_pass_unchanged():
    assert [safe_cell(v) for v in ("Messages not acknowledged", "RFC-000001", 42, 0.5, None)] == [
        "Messages not acknowledged", "RFC-000001", 42, 0.5, ""]


def test_outage_csv_carries_a_formula_description_as_text(app, as_user):
    with app.app_context():
        make_outage("dip@demo.test", description='=HYPERLINK("http://evil.test","Click")')
    response = as_user("rm.sit@demo.test").get("/outages/export.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert 'filename=outages.csv' in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    descriptions = [r["Description"] for r in rows if "evil.test" in r["Description"]]
    assert descriptions == ['\'=HYPERLINK("http://evil.test","Click")']
