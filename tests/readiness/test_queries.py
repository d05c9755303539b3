"""The readiness pages' query counts do not grow with the rows: the matrix at 3 and 30 participants, the health page
and the status board at a day's checks for a few and for every system."""
from mhhs.readiness.models import Derived
from tests.readiness.factory import environment, make_criterion, make_participant, report


def _participants(first, last):
    for i in range(first, last):
        make_participant(f"Participant {i:03d}")


def test_the_matrix_page_costs_the_same_queries_for_3_and_30_participants(app, as_user, count_queries):
    with app.app_context():
        for derived in Derived:
            make_criterion(derived.label, derived=derived.value, environment_id=environment("SIT-A").id)
        make_criterion("By hand")
    manager = as_user("rm.sit@demo.test")
    counts, made = [], 0
    for size in (3, 30):
        with app.app_context():
            _participants(made, size)
        made = size
        with count_queries() as counter:
            page = manager.get("/readiness?phase=sit")
        # A page at a time (the app's PER_PAGE), the counts of every participant.
        assert page.status_code == 200 and page.text.count("Not ready (7 open)") == min(size, 25)
        assert f"Not ready ({size})" in page.text
        counts.append(counter.count)
    assert counts[0] == counts[1], counts


def test_the_health_page_costs_the_same_queries_for_one_check_and_many(app, as_user, count_queries):
    manager = as_user("rm.sit@demo.test")
    counts = []
    for systems in (("DIP",), ("MPRS", "LSS", "MDS", "VAS", "ISDS")):
        with app.app_context():
            for name in systems:
                report("rm.sit@demo.test", name, "SIT-A")
        with count_queries() as counter:
            assert manager.get("/readiness/health").status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1], counts
