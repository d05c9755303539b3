"""`flask certificates remind`: the expiry reminders, meant for a daily cron job."""
import click
from flask import Blueprint

from ..core.time import to_london, utcnow
from ..mail.cli import deliver_and_report
from .services import send_reminders

cli = Blueprint("certificates_cli", __name__, cli_group="certificates")


@cli.cli.command("remind")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), help="Run as if on this day (default: today).")
def remind(today):
    """E-mail reminders at 60, 30, 14, 7 and 1 days before expiry and on expiry, each once."""
    day = today.date() if today else to_london(utcnow()).date()
    queued = send_reminders(day)
    deliver_and_report(f"{day:%Y-%m-%d}: {queued} reminder(s) queued")
