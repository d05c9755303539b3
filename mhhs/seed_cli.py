"""`flask seed [--demo]`. The seeding (demo.py: every domain's demo data, and what it imports) is imported when the
command runs, not by every worker of the server, which never seeds: about 9 MB of each worker's memory."""
import click
from flask import Blueprint

cli = Blueprint("demo_cli", __name__, cli_group=None)


@cli.cli.command("seed")
@click.option("--demo", is_flag=True, help="Also add the demo participants, users, RFCs, outages and certificates "
                                           "(never in production).")
def seed_command(demo):
    """Load the programme's reference data; running it again changes nothing."""
    from .demo import seed_everything
    click.echo(f"Reference data loaded ({seed_everything(demo)} rows added).")
