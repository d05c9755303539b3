"""`flask mail send-pending`: delivers whatever the outbox still holds, for cron."""
import click
from flask import Blueprint

from .services import deliver_pending

cli = Blueprint("mail_cli", __name__, cli_group="mail")


def deliver_and_report(done=""):
    """Every cron command's end: delivers the outbox, says what it did ("`done`; n message(s) sent, m failed.") and
    exits 1 when a message failed, so cron reports it."""
    sent, failed = deliver_pending()
    click.echo(f"{done + '; ' if done else ''}{sent} message(s) sent, {failed} failed.")
    if failed:
        raise SystemExit(1)


@cli.cli.command("send-pending")
def send_pending():
    """Send every pending or failed message through the configured SMTP server."""
    deliver_and_report()
