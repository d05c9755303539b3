"""`flask db backup PATH` and `flask db restore PATH`: a consistent copy taken while the app serves, checked;
and putting one back, refused unless it is a Release Desk database at the current schema.
SQLite through its online backup API; PostgreSQL through pg_dump / pg_restore (custom format)."""
import shutil
import sqlite3
import subprocess
import time
from pathlib import Path

import click
from flask import current_app
from flask_migrate.cli import db as db_cli

from ..extensions import db
from .health import migration_heads


class BackupRefused(click.ClickException):
    pass


def _sqlite_check(connection):
    """The schema revision of an intact SQLite database; refuses a damaged one or one that is not Release Desk's."""
    try:
        integrity = connection.execute("PRAGMA integrity_check").fetchone()[0]
        revision = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError as error:
        raise BackupRefused(f"This is not a Release Desk database ({error}).") from None
    if integrity != "ok":
        raise BackupRefused(f"The database is damaged: {integrity}")
    return revision[0] if revision else None


def _postgres_url():
    return db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


def _pg_tool(name):
    found = shutil.which(name) or next(iter(sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))), None)
    if not found:
        raise BackupRefused(f"{name} is not installed (Debian: apt-get install postgresql-client).")
    return str(found)


def _pg_revision(path):
    listing = subprocess.run([_pg_tool("pg_restore"), "--list", str(path)], capture_output=True, text=True)
    if listing.returncode != 0:
        raise BackupRefused(f"This is not a Release Desk database (pg_restore: {listing.stderr.strip()}).")
    data = subprocess.run([_pg_tool("pg_restore"), "--data-only", "--table=alembic_version", "--file=-", str(path)],
                          capture_output=True, text=True, check=True).stdout
    lines = data.split("FROM stdin;\n", 1)[1].splitlines() if "FROM stdin;\n" in data else []
    return lines[0].strip() if lines and lines[0] != "\\." else None


def backup(path):
    """Writes a checked copy of the database to path; returns (bytes, seconds, schema revision)."""
    path, started = Path(path), time.perf_counter()
    path.parent.mkdir(parents=True, exist_ok=True)
    if db.engine.dialect.name == "sqlite":
        path.unlink(missing_ok=True)
        raw = db.engine.raw_connection()
        target = sqlite3.connect(path)
        try:
            raw.driver_connection.backup(target)  # one consistent snapshot, whatever is being written meanwhile
            revision = _sqlite_check(target)
        finally:
            target.close()
            raw.close()
    else:
        subprocess.run([_pg_tool("pg_dump"), "--format=custom", f"--file={path}", _postgres_url()], check=True)
        revision = _pg_revision(path)
    return path.stat().st_size, time.perf_counter() - started, revision


def restore(path):
    """Replaces the database's content with the backup's, after checking it is one of ours at this schema."""
    path, heads = Path(path), migration_heads()
    if not path.is_file():
        raise BackupRefused(f"There is no file {path}.")
    if db.engine.dialect.name == "sqlite":
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            _refuse_other_schema(_sqlite_check(source), heads)
            db.session.remove()
            raw = db.engine.raw_connection()
            try:
                source.backup(raw.driver_connection)
            finally:
                raw.close()
        finally:
            source.close()
    else:
        _refuse_other_schema(_pg_revision(path), heads)
        db.session.remove()
        db.engine.dispose()  # no pooled connection may hold a lock on a table pg_restore replaces
        subprocess.run([_pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction",
                        f"--dbname={_postgres_url()}", str(path)], check=True, capture_output=True)
    db.engine.dispose()


def _refuse_other_schema(revision, heads):
    if revision is None:
        raise BackupRefused("This is not a Release Desk database: it has no schema version.")
    if {revision} != heads:
        raise BackupRefused(f"This backup is at schema {revision}; this Release Desk is at {', '.join(heads)}. "
                            "Restore it with the release that made it, then upgrade.")


@db_cli.command("backup")
@click.argument("path", type=click.Path(dir_okay=False))
def backup_command(path):
    """Write a consistent, checked copy of the database to PATH (safe while the app serves)."""
    size, seconds, revision = backup(path)
    click.echo(f"Backup written to {path}: {size / 1_000_000:.1f} MB in {seconds:.2f} s; "
               f"integrity ok; schema {revision}.")


@db_cli.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore_command(path, yes):
    """Replace the database's content with the backup at PATH (a Release Desk database at this schema)."""
    if not yes:
        click.confirm(f"Replace everything in {current_app.config['SQLALCHEMY_DATABASE_URI'].split('@')[-1]} "
                      f"with {path}?", abort=True)
    restore(path)
    click.echo(f"Restored from {path}.")
