"""What a certificate's details must be before it is stored, by the form field they concern: the upload and PKI
officer forms' validators and the API ask these functions, so the words are the same."""
from sqlalchemy import select

from ..core.services import length_problems
from ..directory.models import (
    MPID,  # the one MPID pattern
    Organisation,
)
from ..extensions import db

LIMITS = {"mpid": 10, "technical_contact": 200}


def normal_mpid(text):
    return (text or "").strip().upper()


def mpid_problem(mpid, organisation, required):
    """mpid: as normal_mpid() gives it. Four letters or digits, not another organisation's, one of its own."""
    if not mpid:
        return "Enter the MPID the certificate is for." if required else None
    if not MPID.fullmatch(mpid):
        return "An MPID is four letters or digits, e.g. ABCD."
    others = db.session.scalars(select(Organisation).where(Organisation.id != organisation.id,
                                                           Organisation.mpids.contains(mpid))).all()
    if any(mpid in o.mpid_list for o in others):
        return f"MPID {mpid} belongs to another organisation."
    if organisation.mpid_list and mpid not in organisation.mpid_list:
        return f"{organisation.name} holds the MPIDs {', '.join(organisation.mpid_list)}."
    return None


def certificate_problems(values, organisation):
    """The upload form's rules for a caller without a form; values: services.CERTIFICATE_FIELDS, mpid normalised."""
    problems = length_problems(values, LIMITS)
    if "mpid" not in problems and (problem := mpid_problem(values.get("mpid"), organisation, required=True)):
        problems["mpid"] = problem
    return problems
