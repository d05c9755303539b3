"""The rules an RFC must meet to be submitted (RCM §10-§12), as messages keyed by the form field they concern."""
from datetime import timedelta

from ..core.time import add_business_days, format_london
from .models import ReleaseType
from .versions import version_problem

SEVERITIES = ["Critical", "High", "Medium", "Low"]


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


def submission_problems(rfc, now, last_version, taken_versions):
    """Everything that stops this RFC being submitted now; {} when it may go."""
    problems = {}

    def need(field, value, message):
        if value in (None, "", []) or (isinstance(value, str) and not value.strip()):
            problems[field] = message

    if rfc.system is None:
        problems["system_id"] = "Choose the system this release is for."
    elif rfc.system.organisation_id != rfc.organisation_id:
        problems["system_id"] = "Choose one of your organisation's systems."
    need("release_type", rfc.release_type, "Choose the release type.")
    if "system_id" not in problems:
        problem = version_problem(rfc.version, last_version, taken_versions)
        if problem:
            problems["version"] = problem
    need("title", rfc.title, "Give the release a title.")
    need("reason", rfc.reason, "Say why this release is needed.")
    need("environment_ids", list(rfc.environments), "Choose at least one target environment.")
    need("window_start", rfc.window_start, "Enter when the deployment window starts.")
    need("window_end", rfc.window_end, "Enter when the deployment window ends.")
    if rfc.window_start and rfc.window_end and rfc.window_end <= rfc.window_start:
        problems["window_end"] = "The window must end after it starts."
    problem = notice_problem(rfc.release_type, rfc.window_start, now)
    if problem:
        problems["window_start"] = problem
    if rfc.expected_downtime is None or rfc.expected_downtime < 0:
        problems["expected_downtime"] = "Enter the expected downtime in minutes (0 if none)."
    need("implementation_plan", rfc.implementation_plan, "Describe the implementation plan.")
    if not rfc.organisation.fix_forward:
        need("rollback_plan", rfc.rollback_plan,
             f"Add a rollback plan: only fix-forward organisations may leave it out, and {rfc.organisation.name} "
             "is not one.")
    need("stakeholders_impacted", rfc.stakeholders_impacted, "Say which stakeholders are impacted.")
    need("installation_instructions", rfc.installation_instructions, "Add the installation instructions.")

    incomplete = [str(i) for i, d in enumerate(rfc.defects, 1)
                  if not (d.defect_id.strip() and d.severity and d.summary.strip() and d.found_in_id)]
    if incomplete:
        problems["defects"] = (f"Complete defect row {', '.join(incomplete)}: Defect ID, Severity, Summary and "
                               "Found in are all needed.")
    elif rfc.release_type == ReleaseType.PATCH and not rfc.defects:
        problems["defects"] = "A Patch release lists at least one defect it fixes."
    elif rfc.release_type == ReleaseType.EMERGENCY and not rfc.defects:
        problems["defects"] = "An Emergency release lists the blocking defect it fixes."
    incomplete = [str(i) for i, c in enumerate(rfc.change_requests, 1)
                  if not (c.cr_id.strip() and c.title.strip() and c.summary.strip())]
    if incomplete:
        problems["change_requests"] = (f"Complete change request row {', '.join(incomplete)}: CR ID, CR title and "
                                       "CR summary are all needed.")
    return problems
