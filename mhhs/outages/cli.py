"""`flask outages rebuild-downtime`: the stored downtime days made again from the outages (after an upgrade, and
daily from cron so that a quiet day's ended days are added without waiting for the next outage)."""
import click
from flask import Blueprint

from ..core.time import utcnow
from . import downtime

cli = Blueprint("outages_cli", __name__, cli_group="outages")


@cli.cli.command("rebuild-downtime")
def rebuild_command():
    """Recompute every stored day of downtime from the outage log."""
    click.echo(f"{downtime.rebuild(utcnow())} day figures stored.")
