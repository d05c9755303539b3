"""Sorting by column: each list's headers order it (aria-sort says how), keyset pages keep the order, and a sorted
page costs what the default order's does."""
import re
from datetime import timedelta

from mhhs.core.time import utcnow
from mhhs.extensions import db
from tests.certificates.factory import make_certificate
from tests.outages.factory import make_outage
from tests.rfcs.factory import make_rfc

ROW_LINK = re.compile(r'<td><a href="/rfcs/(\d+)">')


def headers(page):
    """{header text: aria-sort or None} of the sortable headers."""
    return {label: state or None for state, label in
            re.findall(r'<th scope="col"(?: aria-sort="(\w+)")?><a href="[^"]*" class="sort-link">([^<]+)<', page)}


def rfc_ids(page):
    return [int(n) for n in ROW_LINK.findall(page)]


def test_the_rfc_list_sorts_by_title_both_ways_across_keyset_pages(app, as_user, count_queries):
    dip = as_user("dip@demo.test")
    with app.app_context():
        app.config["PER_PAGE"] = 4
        titles = ["Kilo", "Alpha", "Echo", "Bravo", "Hotel", "Delta", "Golf", "Charlie", "Foxtrot"]
        ids = {title: make_rfc(submit=False, title=title, version=f"1.{i}.0.0") for i, title in enumerate(titles)}
    try:
        page = dip.get("/rfcs").get_data(as_text=True)
        assert headers(page) == {"RFC": "descending", "Status": None, "Version": None, "Title": None,
                                 "Window start": None}
        with count_queries() as default:  # the default order asked by name: read, not the copy kept of /rfcs
            dip.get("/rfcs?sort=number&dir=desc")
        seen, url = [], "/rfcs?sort=title&dir=asc"
        while url:
            with count_queries() as sorted_page:
                page = dip.get(url).get_data(as_text=True)
            assert sorted_page.count == default.count
            seen += rfc_ids(page)
            following = re.search(r'<a href="([^"]+)"[^>]*>Next</a>', page)
            url = following and following.group(1).replace("&amp;", "&")
        assert seen == [ids[t] for t in sorted(titles)]
        assert headers(page)["Title"] == "ascending"
        # The header of the sorted column turns it round; the filter form keeps the order.
        assert 'href="/rfcs?sort=title&amp;dir=desc"' in page
        assert '<input type="hidden" name="sort" value="title">' in page
        last = dip.get("/rfcs?sort=title&dir=desc&last=1").get_data(as_text=True)
        assert rfc_ids(last) == [ids[t] for t in sorted(titles, reverse=True)][-4:]  # the last four
    finally:
        app.config["PER_PAGE"] = 25


def test_a_draft_without_a_window_sorts_and_pages_like_any_other(app, as_user):
    dip = as_user("dip@demo.test")
    with app.app_context():
        app.config["PER_PAGE"] = 2
        dated = [make_rfc(submit=False, version=f"1.{i}.0.0", window_start=utcnow() + timedelta(days=10 + i))
                 for i in range(3)]
        undated = make_rfc(submit=False, version="2.0.0.0", window_start=None, window_end=None)
        from mhhs.rfcs.models import Rfc
        rfc = db.session.get(Rfc, undated)
        rfc.window_start = rfc.window_end = None
        db.session.commit()
    try:
        first = dip.get("/rfcs?sort=window&dir=asc").get_data(as_text=True)
        after = re.search(r'<a href="([^"]+)"[^>]*>Next</a>', first).group(1).replace("&amp;", "&")
        second = dip.get(after).get_data(as_text=True)
        assert rfc_ids(first) + rfc_ids(second) == [undated] + dated
    finally:
        app.config["PER_PAGE"] = 25


def test_outages_certificates_users_and_the_queue_sort_by_their_headers(app, as_user):
    with app.app_context():
        now = utcnow()
        ended = make_outage("dip@demo.test", start=now - timedelta(days=3), end=now - timedelta(days=2),
                            description="Ended long ago")
        ongoing = make_outage("dip@demo.test", start=now - timedelta(days=5), description="Still down")
        ended_id, ongoing_id = ended.id, ongoing.id
        make_certificate("Northwold Energy", "SIT-A", mpid="ZZZZ", days=10)
        make_certificate("Northwold Energy", "SIT-B", mpid="AAAA", days=300)
        make_rfc(version="1.0.0.0")
        make_rfc(version="1.1.0.0")
    rm = as_user("rm.sit@demo.test")
    log = rm.get("/outages?sort=end&dir=desc").get_data(as_text=True).split('class="outage-log"')[1]  # not the board
    # Ongoing first when sorted by end, latest first (it has not ended); by start the other way round.
    assert log.index(f"/outages/{ongoing_id}\"") < log.index(f"/outages/{ended_id}\"")
    log = rm.get("/outages?sort=start&dir=desc").get_data(as_text=True).split('class="outage-log"')[1]
    assert log.index(f"/outages/{ended_id}\"") < log.index(f"/outages/{ongoing_id}\"")
    assert headers(log) == {"Start": "descending", "End": None, "Kind": None}

    certificates = rm.get("/certificates?sort=mpid&dir=asc").get_data(as_text=True)
    assert certificates.index(">AAAA") < certificates.index(">ZZZZ")
    assert headers(certificates) == {"Expires": None, "Kind": None, "MPID": "ascending"}
    certificates = rm.get("/certificates").get_data(as_text=True)
    assert certificates.index(">ZZZZ") < certificates.index(">AAAA")  # the soonest expiry first by default

    users = rm.get("/users?sort=email&dir=desc").get_data(as_text=True)
    emails = re.findall(r"<td>([\w.]+@demo\.test)</td>", users)
    assert emails == sorted(emails, reverse=True) and len(emails) == 6
    assert headers(users)["Email"] == "descending"

    queue = rm.get("/approvals?sort=number&dir=desc").get_data(as_text=True)
    numbers = re.findall(r'id="queue-rfc-(\d+)"', queue)
    assert numbers == sorted(numbers, reverse=True) and len(numbers) == 2
    assert headers(queue) == {"RFC": "descending", "Window": None}
    # Anything else in the address gives the list's own order, never an error.
    assert rm.get("/rfcs?sort=password_hash&dir=sideways").status_code == 200
