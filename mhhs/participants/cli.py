"""`flask participants sweep` and `flask participants remind`: daily jobs of connectivity proving."""
import click
from flask import Blueprint

from ..core.time import to_london, utcnow
from ..mail.cli import deliver_and_report
from . import proving

cli = Blueprint("participants_cli", __name__, cli_group="participants")


@cli.cli.command("sweep")
def sweep():
    """Finds proving steps that regressed as time passed (certificates expired): voids their sign-offs, tells once."""
    found = proving.sweep(utcnow())
    deliver_and_report(f"{found} regression(s) found")


@cli.cli.command("remind")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), help="Run as if on this day (default: today).")
def remind(today):
    """Reminds participants whose onboarding interval starts within 14 days of their open steps (once a week)."""
    day = today.date() if today else to_london(utcnow()).date()
    queued = proving.send_reminders(day)
    deliver_and_report(f"{day:%Y-%m-%d}: {queued} reminder(s) queued")
