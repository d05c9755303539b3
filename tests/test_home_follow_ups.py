"""The Release Manager's home: windows passed with no outcome recorded, and outcomes recorded awaiting closure,
each card's count and its "All: …" link listing the same RFCs."""
import re

from mhhs.rfcs.states import RfcStatus
from tests.rfcs.factory import approved_earlier, deploy, make_rfc


def card(page, heading_id):
    section = page.split(f'<h2 id="{heading_id}">')[1].split("</section>")[0]
    count = re.search(r'<small class="count">([^<]+) in all</small>', section).group(1)
    link = re.search(r'<p class="more"><a href="([^"]+)">', section).group(1).replace("&amp;", "&")
    return count, [int(n) for n in re.findall(r'href="/rfcs/(\d+)"', section)], link


def listed(client, url):
    page = client.get(url).get_data(as_text=True)
    return [int(n) for n in re.findall(r'<td><a href="/rfcs/(\d+)">', page)]


def test_follow_ups_after_the_window(app, as_user):
    with app.app_context():
        overdue = approved_earlier(make_rfc(version="1.1.0.0"), days=5)
        half = approved_earlier(make_rfc(version="1.2.0.0", environments=("SIT-A", "SIT-B")), days=4)
        deploy(half, "SIT-A", RfcStatus.DEPLOYED, version="1.2.0.0")
        done = approved_earlier(make_rfc(version="1.3.0.0"), days=3)
        deploy(done, "SIT-A", RfcStatus.DEPLOYED, version="1.3.0.0")
        rolled = approved_earlier(make_rfc(version="1.4.0.0"), days=2)
        deploy(rolled, "SIT-A", RfcStatus.ROLLED_BACK)
        make_rfc(version="1.5.0.0")  # submitted, window next week: neither
    rm = as_user("rm.sit@demo.test")
    home = rm.get("/").get_data(as_text=True)
    count, rfcs, link = card(home, "outcome-due")
    assert (count, rfcs) == ("2", [overdue, half])  # the oldest window first
    assert "outcomes recorded: 1 of 2" in home and "outcomes recorded: 0 of 1" in home
    assert listed(rm, link) == rfcs
    count, rfcs, link = card(home, "closure-due")
    assert (count, rfcs) == ("2", [done, rolled])
    assert listed(rm, link) == rfcs
    # The RFC list offers the same follow-ups as a filter.
    assert '<option value="closure-due" selected>Outcome recorded, awaiting closure</option>' in \
        rm.get(link).get_data(as_text=True)
