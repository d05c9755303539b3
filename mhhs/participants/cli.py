"""`flask participants sweep` and `flask participants remind`: daily jobs of connectivity proving."""
import click
from flask import Blueprint

from ..core.time import to_london, utcnow
from ..mail.services import deliver_pending
from . import proving

cli = Blueprint("participants_cli", __name__, cli_group="participants")


def _delivered(words):
    sent, failed = deliver_pending()
    click.echo(f"{words}; {sent} message(s) sent, {failed} failed.")
    if failed:
        raise SystemExit(1)


@cli.cli.command("sweep")
def sweep():
    """Finds proving steps that regressed as time passed (certificates expired): voids their sign-offs, tells once."""
    found = proving.sweep(utcnow())
    _delivered(f"{found} regression(s) found")


@cli.cli.command("remind")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), help="Run as if on this day (default: today).")
def remind(today):
    """Reminds participants whose onboarding interval starts within 14 days of their open steps (once a week)."""
    day = today.date() if today else to_london(utcnow()).date()
    queued = proving.send_reminders(day)
    _delivered(f"{day:%Y-%m-%d}: {queued} reminder(s) queued")
