"""The rules an RFC must meet to be submitted (RCM §10-§12), as messages keyed by the form field they concern."""
import re
from datetime import timedelta

from ..baseline.versions import parse
from ..core.services import length_problems
from ..core.time import add_business_days, format_london, time_range_problem
from ..windows.support import freeze_text
from .models import APPROVAL_GATE, BY_HAND, CLOSURE_GATE, CONTROL_POINTS
from .states import ROLLOUT_PLAN_REQUIRED, Outcome, ReleaseType, RfcStatus
from .versions import version_problem

SEVERITIES = ["Critical", "High", "Medium", "Low"]

# RCM §12.8, Table 10: an Emergency release's process is three steps (plan, build & test; deployment; review and
# closure). The control points of Table 9 those steps do not have are not applicable by themselves, with this reason.
EMERGENCY_STEPS = "RCM §12.8, Table 10: plan, build & test; deployment; review and closure"
EMERGENCY_NOT_APPLICABLE = {
    4: f"Not part of the Emergency release process ({EMERGENCY_STEPS}): no approval of the release package and "
       "installation instructions before the RFC.",
    5: f"Not part of the Emergency release process ({EMERGENCY_STEPS}): known issues are not agreed with the "
       "resolving defect teams before deployment.",
}


def emergency_problems(rfc):
    """RCM §12.8: an Emergency release relates to a critical or blocking defect and brings the evidence of testing
    completed in development environments (Table 10 step 1)."""
    problems = {}
    if rfc.release_type != ReleaseType.EMERGENCY:
        return problems
    if not (rfc.dev_test_evidence or "").strip():
        problems["dev_test_evidence"] = ("An Emergency release needs the evidence of testing completed in development "
                                         "environments (RCM §12.8, Table 10 step 1).")
    if rfc.defects and not any(d.severity == "Critical" or d.blocking for d in rfc.defects):
        problems["defects"] = ("An Emergency release fixes at least one defect of Critical severity or marked "
                               "blocking (RCM §12.8): otherwise raise a Patch or a Minor release.")
    return problems
SHA256 = re.compile(r"[0-9a-f]{64}")
SHA256_MESSAGE = "A SHA-256 checksum is 64 hexadecimal characters."
DOWNTIME_MESSAGE = "Enter a number of minutes, 0 or more."
MAX_DOWNTIME = 100_000
# What one release note may hold (issue 23): the programme's notes list tens of defects with a line or two each;
# these bounds are several times that, and keep the largest note's PDFs to a few seconds of one worker
# (scripts/bench_pdf.py renders the largest allowed; 450 defects of 1,990 characters took 24 s before).
MAX_ROWS = 100  # defects, and change requests, per note
SUMMARY_LENGTH = 300  # characters in a defect's or a change request's summary: the detail is in the defect tracker
TEXT_LENGTH = 5_000  # characters in each long field (plans, known issues, instructions)
# The longest text each field of an RFC (and of its release-note rows) takes: the form's Length() and the API read it.
CONTENT_LIMITS = {"version": 40, "title": 200, "reason": 5000, "promotion_reason": 2000,
                  "implementation_plan": TEXT_LENGTH, "rollback_plan": TEXT_LENGTH, "stakeholders_impacted": 5000,
                  "known_issues": TEXT_LENGTH, "installation_instructions": TEXT_LENGTH, "build_reference": 120,
                  "dev_test_evidence": TEXT_LENGTH, "not_carried_reason": 5000, "resources_required": TEXT_LENGTH,
                  "timings": TEXT_LENGTH, "communications_required": TEXT_LENGTH, "runbook_reference": 200}
# RCM 4.1, Table 10 step 2: the rollout plan's fields, and what a Major or Minor release is told when one is empty.
ROLLOUT_PLAN = {
    "resources_required": "Say which resources the rollout needs (people, access, tools).",
    "timings": "Give the rollout's timings (the steps and how long each takes).",
    "communications_required": "Say which communications the rollout needs (before, during and after it).",
    "runbook_reference": "Give the runbook's reference.",
}


def rollout_plan_problems(rfc):
    """RCM 4.1, Table 10 step 2: a Major or Minor release's plan names its resources, timings, communications and
    runbook; they are optional for a Patch (and an Emergency's minimum process)."""
    problems = {}
    if rfc.release_type in ROLLOUT_PLAN_REQUIRED:
        for field, message in ROLLOUT_PLAN.items():
            _need(problems, field, getattr(rfc, field),
                  f"{message} A {rfc.release_type.value} release's rollout plan needs it (RCM 4.1, Table 10).")
    return problems
DEFECT_LIMITS = {"defect_id": 40, "summary": SUMMARY_LENGTH}
CHANGE_REQUEST_LIMITS = {"cr_id": 40, "title": 200, "summary": SUMMARY_LENGTH}
ROW_WORDS = {"defects": "defects", "change_requests": "change requests"}


def rows_problem(rows, what):
    """A release note lists at most MAX_ROWS defects (and change requests): rows with only a severity, a found-in
    or an unticked box are blank ones and do not count."""
    filled = [row for row in rows or [] if any(value not in (None, "", False) for name, value in row.items()
                                               if name not in ("severity", "found_in_id"))]
    if len(filled) > MAX_ROWS:
        return (f"A release note lists at most {MAX_ROWS} {what}; this one has {len(filled)}. "
                "Group minor ones, or link to the full list in the defect tracker.")
    return None


def downtime_problem(minutes):
    return DOWNTIME_MESSAGE if minutes is not None and not 0 <= minutes <= MAX_DOWNTIME else None


def window_time_problem(moment):
    """A window's time must be one the calendar arithmetic reaches (issue 23: an API window at
    0001-01-01T00:00:00Z was stored and then broke every page showing it)."""
    return time_range_problem(moment)


def checksum_problem(text):
    return SHA256_MESSAGE if text and not SHA256.fullmatch(text.strip().lower()) else None


def content_problems(content):
    """What a draft's content breaks before it can be stored at all (lengths, downtime, checksum), by field; rows as
    defects[0].summary. The submission rules come later (submission_problems)."""
    problems = length_problems(content, CONTENT_LIMITS)
    for name, problem in (("expected_downtime", downtime_problem(content.get("expected_downtime"))),
                          ("build_sha256", checksum_problem(content.get("build_sha256"))),
                          ("window_start", window_time_problem(content.get("window_start"))),
                          ("window_end", window_time_problem(content.get("window_end")))):
        if problem:
            problems[name] = problem
    for rows, limits in (("defects", DEFECT_LIMITS), ("change_requests", CHANGE_REQUEST_LIMITS)):
        if problem := rows_problem(content.get(rows), ROW_WORDS[rows]):
            problems[rows] = problem
        for i, row in enumerate(content.get(rows) or []):
            problems.update(length_problems(row, limits, f"{rows}[{i}]."))
    return problems


def earliest_start(release_type, now):
    """RCM Table 3: Minor and Patch need 1 business day's notice, Emergency 1 hour, Major none."""
    if release_type in (ReleaseType.MINOR, ReleaseType.PATCH):
        return add_business_days(now, 1)
    if release_type == ReleaseType.EMERGENCY:
        return now + timedelta(hours=1)
    return now


def notice_problem(release_type, window_start, now):
    if window_start is None or release_type is None:
        return None
    if window_start < now:
        return "The window starts in the past: choose a start in the future."
    earliest = earliest_start(release_type, now)
    if window_start < earliest:
        notice = "1 hour" if release_type == ReleaseType.EMERGENCY else "1 business day"
        return (f"A {release_type.value} release needs {notice}'s notice: the earliest allowed window start "
                f"is {format_london(earliest, '%a %d %b %Y %H:%M')}.")
    return None


def _need(problems, field, value, message):
    """Names a required field left empty."""
    if value in (None, "", []) or (isinstance(value, str) and not value.strip()):
        problems[field] = message


def submission_problems(rfc, now, last_version, taken_versions, sit_versions=()):
    """Everything that stops this RFC being submitted now; {} when it may go.
    sit_versions: the versions of the system running in SIT environments (for the promotion path)."""
    problems = _release_problems(rfc, last_version, taken_versions, sit_versions)
    for found in (_window_problems(rfc, now), _plan_problems(rfc), _release_note_problems(rfc)):
        for field, message in found.items():
            problems.setdefault(field, message)
    return problems


def _release_problems(rfc, last_version, taken_versions, sit_versions):
    """What is released, where: system, type, version (or the UIT-first path), title, reason, targets."""
    problems = {}
    if rfc.system is None:
        problems["system_id"] = "Choose the system this release is for."
    elif rfc.system.organisation_id != rfc.organisation_id:
        problems["system_id"] = "Choose one of your organisation's systems."
    _need(problems, "release_type", rfc.release_type, "Choose the release type.")
    if "system_id" not in problems and not is_promotion(rfc, sit_versions):
        problem = version_problem(rfc.version, last_version, taken_versions, rfc.release_type)
        if problem:
            problems["version"] = problem
    _need(problems, "title", rfc.title, "Give the release a title.")
    _need(problems, "reason", rfc.reason, "Say why this release is needed.")
    _need(problems, "environment_ids", list(rfc.environments), "Choose at least one target environment.")
    absent = [e.name for e in rfc.environments if rfc.system is not None and e not in rfc.system.environments]
    if absent and "environment_ids" not in problems:
        where = ", ".join(e.name for e in rfc.system.environments) or "no test environment"
        problems["environment_ids"] = (f"{rfc.system.name} is not present in {', '.join(absent)}: it runs in {where} "
                                       "(EAP §9.3.5-§9.3.6; a Release Manager keeps where each system runs).")
    problem = promotion_problem(rfc, sit_versions)
    if problem:
        problems["promotion_reason"] = problem
    return problems


def _window_problems(rfc, now):
    """When: a window that ends after it starts, with the notice its type needs, and the downtime expected."""
    problems = {}
    _need(problems, "window_start", rfc.window_start, "Enter when the deployment window starts.")
    _need(problems, "window_end", rfc.window_end, "Enter when the deployment window ends.")
    if rfc.window_start and rfc.window_end and rfc.window_end <= rfc.window_start:
        problems["window_end"] = "The window must end after it starts."
    problem = notice_problem(rfc.release_type, rfc.window_start, now)
    if problem:
        problems["window_start"] = problem
    if rfc.expected_downtime is None or rfc.expected_downtime < 0:
        problems["expected_downtime"] = "Enter the expected downtime in minutes (0 if none)."
    return problems


def _plan_problems(rfc):
    """How: the implementation and rollback plans, who is impacted, the installation instructions, the build."""
    problems = {}
    _need(problems, "implementation_plan", rfc.implementation_plan, "Describe the implementation plan.")
    if not rfc.organisation.fix_forward:
        _need(problems, "rollback_plan", rfc.rollback_plan,
              f"Add a rollback plan: only fix-forward organisations may leave it out, and {rfc.organisation.name} "
              "is not one.")
    _need(problems, "stakeholders_impacted", rfc.stakeholders_impacted, "Say which stakeholders are impacted.")
    _need(problems, "installation_instructions", rfc.installation_instructions, "Add the installation instructions.")
    problems.update(rollout_plan_problems(rfc))
    if rfc.build_sha256 and not SHA256.fullmatch(rfc.build_sha256):
        problems["build_sha256"] = SHA256_MESSAGE
    return problems


def _release_note_problems(rfc):
    """The release note: complete defect rows found in a target environment, the defects a Patch or an Emergency
    needs (RCM §12.8), complete change-request rows."""
    problems = {}
    incomplete = [str(i) for i, d in enumerate(rfc.defects, 1)
                  if not (d.defect_id.strip() and d.severity and d.summary.strip() and d.found_in_id)]
    targets = {e.id for e in rfc.environments}
    elsewhere = [f"row {i} ({d.found_in.name})" for i, d in enumerate(rfc.defects, 1)
                 if d.found_in_id and d.found_in_id not in targets]
    if incomplete:
        problems["defects"] = (f"Complete defect row {', '.join(incomplete)}: Defect ID, Severity, Summary and "
                               "Found in are all needed.")
    elif elsewhere:
        problems["defects"] = (f"Found in must be one of the target environments: a defect is retested only where it "
                               f"was found (RCM §7.4). Change {', '.join(elsewhere)}, or add that environment.")
    elif rfc.release_type == ReleaseType.PATCH and not rfc.defects:
        problems["defects"] = "A Patch release lists at least one defect it fixes."
    elif rfc.release_type == ReleaseType.EMERGENCY and not rfc.defects:
        problems["defects"] = ("An Emergency release lists the Critical or blocking defect it fixes (RCM §12.8).")
    for field, message in emergency_problems(rfc).items():
        problems.setdefault(field, message)
    incomplete = [str(i) for i, c in enumerate(rfc.change_requests, 1)
                  if not (c.cr_id.strip() and c.title.strip() and c.summary.strip())]
    if incomplete:
        problems["change_requests"] = (f"Complete change request row {', '.join(incomplete)}: CR ID, CR title and "
                                       "CR summary are all needed.")
    return problems


def freeze_problem(rfc, freezes):
    """A window inside a freeze is for Emergency releases only."""
    if freezes and rfc.release_type != ReleaseType.EMERGENCY:
        return (f"{freeze_text(freezes[0])}: only an Emergency release may deploy in a freeze. "
                "Choose a window outside it.")
    return None


def is_promotion(rfc, sit_versions):
    """RCM §8.1: the build a SIT environment runs goes on to UIT under the version it already has."""
    return rfc.version in sit_versions and {e.phase.value for e in rfc.environments} == {"UIT"}


def promotion_problem(rfc, sit_versions):
    """RCM §8.1: code reaches UIT through SIT; UIT first (a defect found in UIT) needs its reason."""
    phases = {e.phase.value for e in rfc.environments}
    if "UIT" in phases and "SIT" not in phases and rfc.version and rfc.version not in sit_versions \
            and not (rfc.promotion_reason or "").strip():
        return (f"{rfc.version} is not running in SIT-A or SIT-B: say why it goes to UIT first, e.g. "
                "\"UIT first: defect found in UIT\" (RCM §8.1).")
    return None


# Control points (RCM Table 9) as gates -----------------------------------------------------------

def control_point_applies(rfc, number):
    """Control point 2 (programme governance) concerns Major releases only."""
    return number != 2 or rfc.release_type == ReleaseType.MAJOR


def open_control_points(rfc, numbers):
    """The control points of `numbers` neither met nor marked not applicable."""
    closed = {c.number for c in rfc.control_points}
    return [n for n in numbers if n not in closed and control_point_applies(rfc, n)]


def current_gate(rfc):
    """The gate the RFC faces next: approval until it is approved, then closure."""
    return APPROVAL_GATE if rfc.status in (RfcStatus.DRAFT, RfcStatus.SUBMITTED, RfcStatus.CHANGES_REQUESTED) \
        else CLOSURE_GATE


def open_by_hand(rfc):
    """The open control points of the RFC's next gate that a Release Manager can settle in place."""
    return [n for n in open_control_points(rfc, current_gate(rfc)) if n in BY_HAND]


def control_point_text(number):
    return CONTROL_POINTS[number - 1][1]


# The few words that name a control point settled by hand where a whole sentence has no room (the queue's boxes).
SHORT_NAMES = {3: "Baseline", 4: "Package and instructions", 5: "Known issues agreed", 6: "Release plan",
               8: "Issues captured", 10: "Report and lessons"}


def control_point_short(number):
    return SHORT_NAMES.get(number, control_point_text(number))


def gate_message(open_points, action):
    names = "; ".join(f"{n} ({control_point_text(n)})" for n in open_points)
    return (f"Control point{'s' if len(open_points) > 1 else ''} {names} {'are' if len(open_points) > 1 else 'is'} "
            f"open: tick {'them' if len(open_points) > 1 else 'it'} or mark not applicable before {action}.")


# Deployment and closure ----------------------------------------------------------------------------

def outcomes_offered(organisation):
    """RCM §12.10: an organisation that supplies no rollback plan cannot have rolled back."""
    return [o for o in Outcome if not (organisation.fix_forward and o == Outcome.ROLLED_BACK)]


def deployment_problems(rfc, outcome, start, end, version, now):
    """Messages keyed by the deployment form's fields; {} when the outcome may be recorded."""
    problems = {}
    if outcome not in outcomes_offered(rfc.organisation):
        problems["outcome"] = (f"{rfc.organisation.name} fixes forward and supplies no rollback plan: choose success "
                               "or fixed forward." if outcome == Outcome.ROLLED_BACK else
                               "Choose the outcome: success, rolled back or fixed forward.")
    if start and start > now:
        problems["actual_start"] = "The deployment cannot start in the future: record it once it has happened."
    elif start and rfc.approved_at and start < rfc.approved_at.replace(second=0, microsecond=0):  # typed to the minute
        problems["actual_start"] = (f"The deployment cannot start before {rfc.number} was approved "
                                    f"({format_london(rfc.approved_at)}).")
    if end and end > now:
        problems["actual_end"] = "The deployment cannot end in the future: record it once it has happened."
    elif start and end and end <= start:
        problems["actual_end"] = "The deployment must end after it starts."
    if outcome == Outcome.FIXED_FORWARD:
        if parse(version) is None:
            problems["version"] = "Enter the version running after the fix, four numbers like 1.2.0.1."
        elif parse(rfc.version) and parse(version) <= parse(rfc.version):
            problems["version"] = f"The version after a fix forward must be higher than {rfc.version}."
    return problems


def overall_outcome(deployments):
    """The RFC's outcome once every target has one: rolled back only if no environment kept it."""
    outcomes = {d.outcome for d in deployments}
    if outcomes == {Outcome.ROLLED_BACK}:
        return RfcStatus.ROLLED_BACK
    return RfcStatus.FIXED_FORWARD if Outcome.FIXED_FORWARD in outcomes else RfcStatus.DEPLOYED


def outcome_summary(rfc):
    """What happened where, in one sentence from the recorded outcomes ("deployed in SIT-A; rolled back in UIT;
    not yet deployed in SIT-B"): the words beside the RFC's status and in its release e-mail, so that neither says
    "deployed" alone while a target rolled back. "" before any outcome."""
    if not rfc.deployments:
        return ""
    places = {}
    for deployment in sorted(rfc.deployments, key=lambda d: d.environment.position):
        places.setdefault(deployment.outcome.value, []).append(deployment.environment.name)
    done = {d.environment_id for d in rfc.deployments}
    waiting = [e.name for e in rfc.environments if e.id not in done]
    if waiting:
        places["not yet deployed"] = waiting
    return "; ".join(f"{outcome} in {', '.join(names)}" for outcome, names in places.items())


def closure_problems(rfc, rollout_report, lessons):
    """Control point 10 (RCM 5.1, 5.2): the rollout report, and lessons learnt after any deviation."""
    problems = {}
    if not rollout_report:
        problems["rollout_report"] = "Write the rollout report (control point 10)."
    if rfc.deviations and not lessons:
        problems["lessons_learnt"] = ("The deployment deviated (" + "; ".join(deviation_text(d) for d in rfc.deviations)
                                      + "): record the lessons learnt before closing.")
    return problems


def deviation_text(deployment):
    words = [] if deployment.outcome == Outcome.DEPLOYED else [deployment.outcome.value]
    if deployment.outside_window:
        words.append("outside the approved window")
    return f"{deployment.environment.name} {' and '.join(words)}"


# What a submitter writes for "no known issues" (the field is optional; empty says it too).
NO_KNOWN_ISSUES = {"", "none", "n/a", "na", "-", "nil", "no known issues", "no known issues at this time"}


def has_known_issues(rfc):
    """Whether the release note lists known issues and workarounds (RCM 4.3: they reach the defect triage teams)."""
    return rfc.known_issues.strip().rstrip(".").strip().lower() not in NO_KNOWN_ISSUES
