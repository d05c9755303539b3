"""Release and closure communications (RCM steps 4.3 and 5.2): one message per organisation, the release note
attached, its audience asked to acknowledge it."""
from ..audit.services import record
from ..core.services import Invalid, Refused, unit_of_work
from ..extensions import db
from ..mail.services import email_text, queue
from ..notifications.services import notify, subscribers
from ..rfcs.permissions import can_communicate
from ..rfcs.services import CONFLICT
from . import acknowledgements


def communication_text(rfc, kind):
    """The proposed subject and body of a release or closure communication (templates/email/)."""
    return email_text(f"email/rfc_{kind}.txt", rfc=rfc)


def nothing_to_communicate(rfc, kind):
    return f"{rfc.number} is {rfc.status.value}: there is no {kind} to communicate yet."


@unit_of_work(CONFLICT)
def communicate(user, rfc, kind, organisations, subject, body, attachment):
    """Queues one message per organisation (its users only see their own colleagues' addresses)."""
    if not can_communicate(user, rfc, kind):
        raise Refused(nothing_to_communicate(rfc, kind))
    messages, skipped = [], []
    for organisation in organisations:
        recipients = [u.email for u in organisation.users if u.active]
        if recipients:
            messages.append(queue(recipients, subject, body, kind=kind, attachment=attachment, about=rfc,
                                  created_by=user))
        else:
            skipped.append(organisation.name)
    if not messages:
        raise Invalid({"organisation_ids": "None of the chosen organisations has an active user to write to."})
    if kind == "release":
        acknowledgements.add_audience(rfc, [o for o in organisations if o.name not in skipped])
        # Followers of the system or its environments hear too, unless their organisation's message reached them.
        reached = {o.id for o in organisations}
        notify("release_communicated", [u for u in subscribers([rfc.system_id], [e.id for e in rfc.environments])
                                        if u.organisation_id not in reached],
               "rfcs.detail", {"rfc_id": rfc.id}, rfc=rfc)
    record(f"rfc.communicated_{kind}", actor=user, obj=rfc,
           summary=f"{kind} communication to {len(messages)} organisation(s): {subject}"
                   + (f"; not sent to {', '.join(skipped)} (no active users)" if skipped else ""))
    db.session.commit()
    return messages, skipped
