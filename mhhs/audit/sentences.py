"""The audit trail read as sentences after the person's name, for every object (RFCs, outages, certificates,
officers, the baseline, the directory): one renderer, so no page shows an internal action key."""

# action: the words after the person's name; {} takes the event's summary.
WORDS = {
    "rfc.saved": "saved the draft", "rfc.submitted": "submitted {}", "rfc.withdrawn": "withdrew the RFC",
    "rfc.approved": "approved {}", "rfc.rejected": "rejected {}", "rfc.changes_requested": "requested changes to {}",
    "rfc.governance": "recorded the governance approval: {}", "rfc.control_point": "{}",
    "rfc.deployment": "recorded the deployment in {}", "rfc.retest": "recorded the retest of {}",
    "rfc.lessons": "saved the rollout report and lessons learnt", "rfc.closed": "closed the RFC ({})",
    "rfc.communicated_release": "sent the release communication: {}",
    "rfc.communicated_closure": "sent the closure communication: {}",
    "rfc.acknowledged": "marked the release note read ({})",
    "rfc.acknowledgement_reminder": "sent a reminder to read the release note to {}",
    "rfc.consulted": "shared the RFC before approval (RCM §13) with {}",
    "rfc.consultation_answered": "answered the consultation for {}",
    "rfc.work_off_action": "added a work-off action: {}",
    "rfc.work_off_action_done": "marked a work-off action done: {}",
    "outage.logged": "logged the outage: {}", "outage.updated": "changed the outage: {}",
    "outage.update": "posted an update: {}", "outage.ended": "ended the outage: {}",
    "outage.cancelled": "cancelled the outage: {}",
    "certificate.uploaded": "uploaded the certificate: {}", "certificate.renewed": "uploaded a renewal: {}",
    "certificate.deleted": "deleted the certificate: {}",
    "pki_officer.appointed": "appointed a PKI officer: {}", "pki_officer.removed": "removed a PKI officer: {}",
    "proving.step_recorded": "recorded a connectivity-proving step: {}",
    "connectivity.signed_off": "signed off connectivity to {}", "connectivity.voided": "voided the sign-off of {}",
    "connectivity.regressed": "found connectivity proving regressed in {}",
    "baseline.recorded": "recorded a baseline: {}", "baseline.imported": "imported a baseline: {}",
    "freeze.declared": "declared a freeze: {}", "freeze.lifted": "lifted a freeze: {}",
    "test_phase.added": "added a test phase: {}", "test_phase.removed": "removed a test phase: {}",
    "stage.overlap": "recorded that two stages may overlap: {}", "allocation.notice": "set the slots' notice to {}",
    "tranche.added": "added a tranche: {}", "tranche.placed": "placed a participant in a tranche: {}",
    "tranche.taken_out": "took a participant out of a tranche: {}",
    "slot.allocated": "allocated a slot: {}", "slot.requested": "requested a slot: {}",
    "slot.waiting": "requested a slot, waitlisted: {}", "slot.approved": "approved a slot request: {}",
    "slot.declined": "declined a slot request: {}", "slot.cancelled": "cancelled a slot: {}",
    "slot.offered": "offered a slot from the waitlist: {}", "slot.accepted": "took an offered slot: {}",
    "slot.moved": "moved a slot: {}",
    "mail_group.created": "made a distribution list: {}", "mail_group.updated": "changed a distribution list: {}",
    "release_slot.updated": "moved the weekly release slot to {}",
    # participants (issue 26a)
    "participant.added": "added to the participant register: {}",
    "participant.changed": "changed the register entry: {}",
    "participant.environment_manager": "named the Environment Manager: {}",
    "onboarding_interval.saved": "set the onboarding interval: {}",
    "participant_environment.added": "added a test environment: {}",
    "participant_environment.changed": "changed a test environment: {}",
    "participant_environment.removed": "removed a test environment: {}",
    "participant_outage.logged": "logged unavailability: {}", "participant_outage.ended": "ended unavailability: {}",
    "central_connection.saved": "set connection details: {}",
    "user.password_reset": "reset the password", "user.calendar_token": "made new calendar feed URLs",
    "user.notifications": "changed the notification settings: {}",
    "api_token.created": "created an API token: {}", "api_token.revoked": "revoked an API token: {}",
    "entry_criterion.saved": "saved an entry criterion: {}",
    "entry_criterion.removed": "removed an entry criterion: {}",
    "participant.criterion_met": "met an entry criterion: {}",
    "participant.criterion_waived": "waived an entry criterion: {}",
    "participant.criterion_reopened": "reopened an entry criterion: {}",
    "participant.standing_data": "declared Industry Standing Data loaded: {}",
    "health_check.reported": "reported the health check: {}",
    "health_check.deadline": "moved the health check's deadline to {}",
    "login": "logged in", "logout": "logged out", "logout.everywhere": "signed out everywhere: {}",
    "login.failed": "failed to log in: {}", "password.wrong": "gave a wrong password when asked for it again",
    "user.password_changed": "changed their password: {}",
    # Readiness: proving tests, GO / NO-GO decisions, the EWG (issue 28)
    "readiness.proving": "recorded a proving test: {}", "readiness.decided": "recorded the decision: {}",
    "readiness.condition_done": "marked a condition done: {}", "readiness.action_done": "marked an action done: {}",
    "ewg.generated": "added the meeting: {}", "ewg.changed": "changed the meeting: {}",
    "ewg.agenda_sent": "sent the agenda: {}", "ewg.minutes": "saved the minutes of the {}",
    "ewg.minutes_sent": "sent the minutes {}", "ewg.action": "added an action: {}",
    "login.locked": "was locked out: {}", "login.unlocked": "was unlocked: {}",
    "login.refused_address": "was refused a login from a throttled address: {}",
    "login.refused_locked": "was refused a login while locked out: {}",
}


def _fallback(action):
    """An action not listed ("organisation.created"): its words in the order people say them."""
    thing, _, verb = action.partition(".")
    return f"{verb.replace('_', ' ')} the {thing.replace('_', ' ')}" + (": {}" if verb else "")


def sentence(event):
    who = event.actor.name if event.actor else "The system"
    words = WORDS.get(event.action) or _fallback(event.action)
    bare = words.replace(": {}", "").replace(" ({})", "").replace(" {}", "")  # no summary: the words alone
    text = f"{who} {words.format(event.summary) if event.summary else bare}".strip()
    return f"{text}, through {event.via}" if event.via else text
