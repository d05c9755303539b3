"""Connectivity proving (issue 26): the matrix of an environment, a participant's steps, and step 4 (a DIP message
sent and its response received) recorded by the participant's pipeline, through the same rules and service as the
page."""
from flask import abort
from flask_login import current_user
from sqlalchemy import select

from ..core.time import utcnow
from ..directory.models import Environment
from ..extensions import db
from ..participants import proving
from ..participants.models import Participant, StepStatus
from ..participants.permissions import can_record_steps, can_see_proving_matrix, visible_participants
from . import schemas
from .authentication import api_access
from .blueprint import bp


def _environment(name):
    found = db.session.scalar(select(Environment).where(Environment.name == name))
    if found is None:
        abort(404, f"There is no environment “{name}”.")
    return found


def _participant(participant_id):
    found = db.session.scalar(visible_participants(select(Participant).where(Participant.id == participant_id),
                                                   current_user))
    if found is None:
        abort(404, "There is no such participant you may see.")
    return found


def _step(state):
    row = state.row
    return {"number": state.number, "name": state.name, "status": state.status, "detail": state.detail,
            "required": state.required, "derived": state.derived, "message_id": row.message_id if row else None,
            "message_at": row.message_at if row else None, "recorded_at": row.recorded_at if row else None}


def _row(participant, environment, states, sign_off):
    return {"id": participant.id, "organisation": participant.name, "kind": participant.kind,
            "route": participant.route, "interval": participant.interval_number,
            "environment": environment.name, "steps": [_step(state) for state in states],
            "signed_off_at": sign_off.signed_at if sign_off else None}


@bp.route("/participants/proving/<environment>", methods=["GET"])
@api_access("participants", can_see_proving_matrix)
@bp.response(200, schemas.ProvingMatrix)
def proving_matrix(environment):
    """The proving matrix of a central environment (e.g. SIT-A): every participant proving connectivity there,
    its five steps and its sign-off (Release Managers)."""
    found = _environment(environment)
    rows = proving.matrix(found, utcnow())["rows"]
    return {"environment": found.name, "participants": [_row(p, found, states, sign_off)
                                                        for p, states, sign_off in rows]}


@bp.route("/participants/<int:participant_id>/proving/<environment>", methods=["GET"])
@api_access("participants")
@bp.response(200, schemas.ProvingParticipant)
def proving_steps(participant_id, environment):
    """A participant's connectivity-proving steps in a central environment (your own organisation's, or any for a
    Release Manager)."""
    participant, found = _participant(participant_id), _environment(environment)
    facts, states = proving.steps_of(participant, found)
    return _row(participant, found, states, facts.sign_off)


@bp.route("/participants/<int:participant_id>/proving/<environment>/dip-message", methods=["POST"])
@api_access("participants", can_record_steps)
@bp.arguments(schemas.DipMessageIn())
@bp.response(200, schemas.ProvingParticipant)
def record_dip_message(data, participant_id, environment):
    """Record step 4, a DIP message sent and its response received (EAP §11.3.1.3), with its message id and time:
    refused while step 3 is not done, and for a participant testing only the EES market role."""
    participant, found = _participant(participant_id), _environment(environment)
    values = {"status": StepStatus.DONE, "blocked_by": "", "not_applicable_reason": "", "note": data["note"],
              "message_id": data["message_id"].strip(), "message_at": data["sent_at"]}
    proving.record_step(current_user, participant, found, proving.MESSAGE_STEP, values)
    facts, states = proving.steps_of(participant, found)
    return _row(participant, found, states, facts.sign_off)
