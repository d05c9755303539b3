"""`flask readiness remind` and `flask readiness ewg-generate`: the readiness jobs for cron."""
import click
from flask import Blueprint

from ..core.time import london_to_utc, utcnow
from ..mail.cli import deliver_and_report
from . import ewg, health

cli = Blueprint("readiness_cli", __name__, cli_group="readiness")


@cli.cli.command("remind")
@click.option("--at", "at", type=click.DateTime(formats=["%Y-%m-%d %H:%M"]),
              help="Run as if at this London time, e.g. \"2026-12-07 09:45\" (default: now).")
def remind(at):
    """After the morning health check's deadline: each Central Party whose checks are missing is told which, and the
    Release Managers get one summary; each once a day, however often it runs."""
    now = london_to_utc(at) if at else utcnow()
    queued = health.send_reminders(now)
    deliver_and_report(f"{queued} reminder(s) queued")


@cli.cli.command("ewg-generate")
def ewg_generate_command():
    """Make this month's and next month's EWG meetings (on the first Tuesday) if they are not there yet."""
    made = ewg.generate()
    click.echo("\n".join(f"Added the {m.title}." for m in made) or "Both meetings are already there.")
