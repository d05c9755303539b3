"""`flask create-manager`: the first Release Manager of a new installation."""
import click
from flask import Blueprint
from sqlalchemy import select

from ..core.passwords import hash_password, password_problem
from ..core.permissions import Role
from ..extensions import db
from . import reference_data as ref
from .models import Organisation, OrgKind, User

cli = Blueprint("directory_cli", __name__, cli_group=None)


@cli.cli.command("create-manager")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--phase", type=click.Choice(["SIT", "UIT", "both"]), default="both")
@click.password_option()
def create_manager(email, name, phase, password):
    """Create a Release Manager (the first account of a new installation)."""
    email = email.strip().lower()
    if db.session.scalar(select(User).where(User.email == email)):
        raise click.ClickException(f"A user with e-mail {email} exists already.")
    if password_problem(password):
        raise click.ClickException(f"Choose another password: {password_problem(password)}")
    org = db.session.scalar(select(Organisation).where(Organisation.name == ref.PROGRAMME_ORG))
    if org is None:
        org = Organisation(name=ref.PROGRAMME_ORG, kind=OrgKind.PROGRAMME)
        db.session.add(org)
        db.session.flush()
    db.session.add(User(email=email, name=name, role=Role.RELEASE_MANAGER, organisation_id=org.id,
                        password_hash=hash_password(password),
                        scope_sit=phase in ("SIT", "both"), scope_uit=phase in ("UIT", "both")))
    db.session.commit()
    click.echo(f"Release Manager {email} created ({phase}).")
