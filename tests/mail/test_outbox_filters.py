"""The outbox's filters (kind, state, recipient) and each message's text readable in place."""
import re

from mhhs.extensions import db
from mhhs.mail.models import OutboxMessage
from mhhs.mail.services import KIND_WORDS, queue


def subjects(page):
    return re.findall(r'<span class="visually-hidden"> of “([^”]+)”</span></summary>', page)


def test_filters_narrow_the_outbox_and_the_text_is_previewed(app, as_user):
    with app.app_context():
        queue(["dana@avanade.example"], "RFC-000001 approved", "Your RFC was approved.\nLink: /rfcs/1",
              kind="notify:rfc_decided")
        queue(["ops@stclements.example", "dana@avanade.example"], "Release of DIP 1.2", "DIP 1.2 is deployed.",
              kind="release")
        failed = queue(["x@northwold.example"], "Certificate expires in 7 days", "Renew it.",
                       kind="certificate reminder")
        db.session.flush()
        failed.status, failed.error = OutboxMessage.FAILED, "550 mailbox unavailable"
        db.session.commit()
    rm = as_user("rm.sit@demo.test")
    page = rm.get("/outbox").get_data(as_text=True)
    assert set(subjects(page)) == {"RFC-000001 approved", "Release of DIP 1.2", "Certificate expires in 7 days"}
    # Each message's text, in a disclosure that names its subject for a screen reader.
    assert '<summary>Text<span class="visually-hidden"> of “RFC-000001 approved”</span></summary>' \
           '<pre>Your RFC was approved.\nLink: /rfcs/1</pre>' in page
    # The kinds are offered in words, never as stored names.
    assert re.search(f'<option value="notify:rfc_decided" *>{KIND_WORDS["notify:rfc_decided"]}</option>', page)
    assert "<option>notify:" not in page and '">notify:' not in page.split('<div id="outbox-rows">')[0]
    assert subjects(rm.get("/outbox?kind=release").get_data(as_text=True)) == ["Release of DIP 1.2"]
    assert subjects(rm.get("/outbox?state=failed").get_data(as_text=True)) == ["Certificate expires in 7 days"]
    assert set(subjects(rm.get("/outbox?recipient=AVANADE").get_data(as_text=True))) == {"RFC-000001 approved",
                                                                                         "Release of DIP 1.2"}
    combined = rm.get("/outbox?recipient=avanade&kind=release", htmx=True).get_data(as_text=True)
    assert subjects(combined) == ["Release of DIP 1.2"]
    nothing = rm.get("/outbox?recipient=nobody&state=sent").get_data(as_text=True)
    assert "No messages match these filters." in nothing
    # A kind or a state the outbox does not know filters nothing away.
    assert len(subjects(rm.get("/outbox?kind=bogus&state=lost").get_data(as_text=True))) == 3
