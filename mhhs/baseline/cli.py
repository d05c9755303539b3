"""`flask baseline import FILE.csv`: a programme's existing configuration baseline, all rows or none."""
from pathlib import Path

import click
from flask import Blueprint

from ..core.services import Invalid
from . import services as baseline

cli = Blueprint("baseline_cli", __name__, cli_group="baseline")


@cli.cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_command(path):
    """Import rows "system,environment,version,since" (since in Europe/London time, e.g. 2026-11-02 09:00)."""
    try:
        count = baseline.import_baseline(path.read_text(encoding="utf-8-sig"), path.name)
    except UnicodeDecodeError:
        raise click.ClickException(f"{path.name} is not UTF-8 text; nothing was imported.") from None
    except Invalid as invalid:
        lines = "\n".join(f"  {where}: {message}" for where, message in invalid.problems.items())
        raise click.ClickException(f"Nothing was imported; fix these rows and run it again:\n{lines}") from None
    click.echo(f"{count} baseline cell(s) imported from {path.name}.")
