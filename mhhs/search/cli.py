"""`flask search rebuild`: the search index filled again from the objects (after a restore or a bulk import)."""
import click
from flask import Blueprint

from .services import rebuild

cli = Blueprint("search_cli", __name__, cli_group="search")


@cli.cli.command("rebuild")
def rebuild_command():
    """Empty the search index and index every RFC, defect, outage, certificate and system again."""
    click.echo(f"Search index rebuilt: {rebuild():,} documents.")
