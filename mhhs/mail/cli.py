"""`flask mail send-pending`: delivers whatever the outbox still holds, for cron."""
import click
from flask import Blueprint

from .services import deliver_pending

cli = Blueprint("mail_cli", __name__, cli_group="mail")


@cli.cli.command("send-pending")
def send_pending():
    """Send every pending or failed message through the configured SMTP server."""
    sent, failed = deliver_pending()
    click.echo(f"{sent} message(s) sent, {failed} failed.")
    if failed:
        raise SystemExit(1)
