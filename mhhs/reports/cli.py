"""`flask reports weekly --send`, for cron: the last complete week's report by e-mail, once per week; weeks
missed since the last one sent are sent on the next run."""
from datetime import date, timedelta

import click
from flask import Blueprint
from sqlalchemy import func, select

from ..core.time import to_london, utcnow
from ..extensions import db
from ..mail.services import absolute_url, email_text, queue
from ..notifications.services import weekly_report_readers
from . import weekly
from .models import WeeklyReportSent

cli = Blueprint("reports_cli", __name__, cli_group="reports")


def send_weekly(now):
    """Queues the report of every complete week not yet sent (the last one only, the first time); returns them."""
    last = weekly.last_complete_week(to_london(now).date())
    sent = db.session.scalar(select(func.max(WeeklyReportSent.week)))
    monday = last
    if sent:
        year, number = sent.split("-W")
        monday = date.fromisocalendar(int(year), int(number), 1) + timedelta(days=7)
    weeks = []
    while monday <= last:
        readers = weekly_report_readers()
        subject, body = email_text("email/weekly_report.txt", report=weekly.build(None, monday, now),
                                   link=absolute_url("reports.weekly_report", week=weekly.week_name(monday)))
        unsubscribe = absolute_url("notifications.settings")
        for reader in readers:  # each reader alone: the link shows them what they may see
            queue([reader.email], subject, body + f"\nTurn these e-mails off: {unsubscribe}\n", kind="weekly_report",
                  unsubscribe_url=unsubscribe)
        db.session.add(WeeklyReportSent(week=weekly.week_name(monday), recipients=len(readers)))
        db.session.commit()
        weeks.append(weekly.week_name(monday))
        monday += timedelta(days=7)
    return weeks


@cli.cli.command("weekly")
@click.option("--send", is_flag=True, help="E-mail the report of each complete week not yet sent.")
def weekly_command(send):
    """The weekly testing and readiness report: with --send, e-mail it (run it from cron, e.g. every Monday)."""
    if not send:
        click.echo(f"The report of {weekly.week_name(weekly.last_complete_week(to_london(utcnow()).date()))} is at "
                   f"{absolute_url('reports.weekly_report')}; add --send to e-mail it.")
        return
    weeks = send_weekly(utcnow())
    click.echo(f"Queued the report of {', '.join(weeks)}; `flask mail send-pending` delivers it." if weeks
               else "Nothing to send: the last complete week's report has been sent already.")
