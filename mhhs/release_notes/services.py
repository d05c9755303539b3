"""Release and closure communications (RCM steps 4.3 and 5.2): one message per organisation, the release note
attached, its audience asked to acknowledge it."""
from ..audit.services import record
from ..core.services import Invalid, Refused, unit_of_work
from ..extensions import db
from ..mail.services import email_text, queue
from ..notifications import mail_groups
from ..notifications.models import MailGroup
from ..notifications.services import notify, subscribers
from ..rfcs import rules
from ..rfcs.permissions import can_communicate
from ..rfcs.services import CONFLICT
from . import acknowledgements


def communication_text(rfc, kind):
    """The proposed subject and body of a release or closure communication (templates/email/)."""
    return email_text(f"email/rfc_{kind}.txt", rfc=rfc)


def nothing_to_communicate(rfc, kind):
    return f"{rfc.number} is {rfc.status.value}: there is no {kind} to communicate yet."


def triage_lists(rfc, kind):
    """RCM 4.3: a release communication whose note has known issues and workarounds goes to the defect triage
    teams too (the standing Defect Triage list), whatever else is chosen."""
    return mail_groups.standing(MailGroup.DEFECT_TRIAGE) if kind == "release" and rules.has_known_issues(rfc) else []


@unit_of_work(CONFLICT)
def communicate(user, rfc, kind, organisations, subject, body, attachment, lists=()):
    """Queues one message per organisation (its users only see their own colleagues' addresses): every active user
    of the organisations chosen, and the members of the distribution lists chosen (RCM Table 8), by organisation."""
    if not can_communicate(user, rfc, kind):
        raise Refused(nothing_to_communicate(rfc, kind))
    lists = list({g.id: g for g in [*lists, *triage_lists(rfc, kind)]}.values())
    by_organisation, names, skipped = {}, {}, []
    for organisation in organisations:
        recipients = [u.email for u in organisation.users if u.active]
        if recipients:
            by_organisation[organisation.id], names[organisation.id] = recipients, organisation.name
        else:
            skipped.append(organisation.name)
    for member in mail_groups.members_of(lists):
        emails = by_organisation.setdefault(member.organisation_id, [])
        names.setdefault(member.organisation_id, member.organisation.name)
        if member.email not in emails:
            emails.append(member.email)
    messages = [queue(recipients, subject, body, kind=kind, attachment=attachment, about=rfc, created_by=user)
                for recipients in by_organisation.values()]
    if not messages:
        raise Invalid({"organisation_ids": "None of the chosen organisations or lists has an active user to "
                                           "write to."})
    if kind == "release":
        acknowledgements.add_audience(rfc, [o for o in organisations if o.name not in skipped])
        # Followers of the system or its environments hear too, unless their organisation's message reached them.
        reached = set(by_organisation)
        notify("release_communicated", [u for u in subscribers([rfc.system_id], [e.id for e in rfc.environments])
                                        if u.organisation_id not in reached],
               "rfcs.detail", {"rfc_id": rfc.id}, rfc=rfc)
    record(f"rfc.communicated_{kind}", actor=user, obj=rfc,
           summary=f"{kind} communication to {len(messages)} organisation(s)"
                   + (f" and the list(s) {', '.join(g.name for g in lists)}" if lists else "") + f": {subject}"
                   + (f"; not sent to {', '.join(skipped)} (no active users)" if skipped else ""))
    db.session.commit()
    return messages, skipped
