"""Consulted before approval (RCM §13): a Release Manager shares a submitted RFC with the impacted Central Parties
and participants for awareness; each records no objection, or an objection with its reason. An objection does not
block approval: the approval step names it."""

from functools import cache

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import joinedload, selectinload

from ...audit.services import record
from ...core.services import Invalid, Refused, unit_of_work
from ...core.time import utcnow
from ...directory.models import Organisation, OrgKind, System, environment_systems, organisation_environments
from ...extensions import db
from ...notifications.services import managers_of, notify, users_of
from ..models import Consultation, ConsultationResponse, Rfc
from ..permissions import can_answer_consultation, can_consult, consultation_of, is_consulted_role
from ..states import RfcStatus
from .common import CONFLICT

CONSULTED_KINDS = (OrgKind.CENTRAL_PARTY, OrgKind.TEST_PARTICIPANT)
REASON_LENGTH = 2000


def consultable_organisations(ids=None):
    """Every organisation an RFC can be shared with: the Central Parties and Test Participants (of `ids` only,
    when given)."""
    query = select(Organisation).where(Organisation.kind.in_(CONSULTED_KINDS))
    if ids is not None:
        query = query.where(Organisation.id.in_(ids))
    return db.session.scalars(query.order_by(Organisation.kind, Organisation.name)).all()


def consultable(rfc, organisations=None):
    """The organisations this RFC can be shared with: all of them but the raising one."""
    organisations = consultable_organisations() if organisations is None else organisations
    return [o for o in organisations if o.id != rfc.organisation_id]


def impacted(rfcs):
    """{rfc id: the ids of the organisations impacted in its target environments, less the raising one}, offered
    ticked: those that test there (`Organisation.tests_in`) and those whose systems run there; one query for a
    page's RFCs."""
    targets = {e.id for rfc in rfcs for e in rfc.environments}
    testing = select(organisation_environments.c.environment_id, organisation_environments.c.organisation_id) \
        .where(organisation_environments.c.environment_id.in_(targets))
    owning = select(environment_systems.c.environment_id, System.organisation_id).join(System) \
        .where(environment_systems.c.environment_id.in_(targets))
    where = {}
    for environment_id, organisation_id in db.session.execute(testing.union(owning)) if targets else ():
        where.setdefault(environment_id, set()).add(organisation_id)
    return {rfc.id: set().union(*(where.get(e.id, set()) for e in rfc.environments)) - {rfc.organisation_id}
            for rfc in rfcs}


def awaiting_answer(user):
    """RCM §13: the submitted RFCs shared with the user's organisation that it has not answered yet, the soonest
    window first (its home page)."""
    if not is_consulted_role(user):
        return []
    return db.session.scalars(_unanswered(), {"organisation_id": user.organisation_id}).all()


@cache  # built at first use (the mappers configured), not at import
def _unanswered():
    """An organisation's consultations not answered yet, built once, the organisation bound at execution (its users'
    home pages ask). The RFC's status as an expression, so that no index on it leads (every submitted RFC): the
    organisation's few consultations lead, each joined to its RFC by id."""
    return (select(Rfc).join(Consultation).where(Consultation.organisation_id == bindparam("organisation_id"),
                                                 Consultation.response.is_(None),
                                                 func.coalesce(Rfc.status, Rfc.status) == RfcStatus.SUBMITTED)
            .options(joinedload(Rfc.system), joinedload(Rfc.organisation), selectinload(Rfc.environments))
            .order_by(Rfc.window_start, Rfc.id))


def consulted_words(rfc):
    """"Avanade (no objection); Acme (objection: …)": who was consulted and what each said, in one line."""
    return "; ".join(f"{c.organisation.name} ({c.words})" for c in rfc.consultations)


def objections(rfc):
    return [c for c in rfc.consultations if c.objects]


def objection_text(rfc):
    """What the approval step names: each objection with its reason ("" when none)."""
    return "; ".join(f"{c.organisation.name}: {c.reason}" for c in objections(rfc))


@unit_of_work(CONFLICT)
def consult(user, rfc, organisation_ids):
    """Shares the submitted RFC with these organisations (those not yet consulted); their users are told through the
    outbox and see the RFC from then on."""
    if not can_consult(user, rfc):
        raise Refused(f"{rfc.number} is {rfc.status.value}: an RFC is shared for consultation while it awaits "
                      "approval, by a Release Manager.", "organisation_ids")
    offered = {o.id: o for o in consultable(rfc)}
    chosen = list(dict.fromkeys(organisation_ids or []))
    unknown = [i for i in chosen if i not in offered]
    if unknown:
        raise Invalid({"organisation_ids": "Choose Central Parties or Test Participants other than the raising "
                                           "organisation."})
    already = {c.organisation_id for c in rfc.consultations}
    new = [offered[i] for i in chosen if i not in already]
    if not new:
        raise Invalid({"organisation_ids": "Tick at least one organisation not consulted yet." if chosen else
                       "Tick the organisations to consult."})
    now = utcnow()
    for organisation in new:
        rfc.consultations.append(Consultation(organisation_id=organisation.id, shared_by_id=user.id, shared_at=now))
    db.session.flush()
    record("rfc.consulted", actor=user, obj=rfc, summary=", ".join(o.name for o in new))
    for organisation in new:
        notify("rfc_consulted", users_of(organisation.id), "rfcs.detail", {"rfc_id": rfc.id}, rfc=rfc, by=user,
               organisation=organisation)
    db.session.commit()
    return new


@unit_of_work(CONFLICT)
def answer_consultation(user, rfc, response, reason):
    """The consulted organisation's answer (it may change it while the RFC awaits approval): no objection, or an
    objection with its reason; an objection is told to the phase's Release Managers at once."""
    if not can_answer_consultation(user, rfc):
        raise Refused(f"{rfc.number} is {rfc.status.value}: only a consulted organisation answers, while the RFC "
                      "awaits approval.", "response")
    reason = (reason or "").strip()
    problems = {}
    if response not in tuple(ConsultationResponse):
        problems["response"] = "Choose No objection or Objection."
    elif response == ConsultationResponse.OBJECTION and not reason:
        problems["reason"] = "Say why you object: the Release Manager approving it reads the reason."
    if len(reason) > REASON_LENGTH:
        problems["reason"] = f"Keep the reason to {REASON_LENGTH:,} characters; it is {len(reason):,}."
    if problems:
        raise Invalid(problems)
    consultation = consultation_of(user, rfc)
    consultation.response = response
    consultation.reason = reason if response == ConsultationResponse.OBJECTION else ""
    consultation.responded_by_id, consultation.responded_at = user.id, utcnow()
    record("rfc.consultation_answered", actor=user, obj=rfc,
           summary=f"{consultation.organisation.name}: {consultation.words}")
    if consultation.objects:
        notify("rfc_objection", managers_of(rfc.phases), "rfcs.detail", {"rfc_id": rfc.id}, rfc=rfc, by=user,
               consultation=consultation)
    db.session.commit()
    return consultation
