"""`flask db backup PATH` and `flask db restore PATH`: a consistent copy taken while the app serves, checked;
and putting one back, refused unless it is a Release Desk database at the current schema.
SQLite through its online backup API; PostgreSQL through pg_dump / pg_restore (custom format)."""
import os
import shutil
import sqlite3
import subprocess
import tempfile
import time
from pathlib import Path

import click
from flask import Flask, current_app
from flask_migrate import Migrate, upgrade
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


# What sqlite_master lists: tables, their indexes, and any trigger or view. SQLite's own rows are not compared.
_SCHEMA = "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name"


def _clauses(sql):
    """A CREATE statement as the set of its top-level clauses: batch migrations rebuild a table with its
    constraints in any order, so the same schema may be written in different orders."""
    sql = " ".join((sql or "").split())
    head, _, body = sql.partition("(")
    body = body.rstrip()
    body = body[:-1] if body.endswith(")") else body
    clauses, depth, current = [], 0, ""
    for character in body:
        depth += character == "("
        depth -= character == ")"
        if character == "," and depth == 0:
            clauses.append(current.strip())
            current = ""
        else:
            current += character
    clauses.append(current.strip())
    return head.strip(), frozenset(clauses)


def _sqlite_schema(connection):
    return {(kind, name): (table, _clauses(sql)) for kind, name, table, sql in connection.execute(_SCHEMA)}


def _fresh_sqlite_schema():
    """The schema the migrations make, built now in a throwaway database with `flask db upgrade`."""
    with tempfile.TemporaryDirectory() as directory:
        fresh = Flask(__name__)
        fresh.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{Path(directory) / 'fresh.sqlite'}"
        db.init_app(fresh)
        Migrate(fresh, db, directory=current_app.extensions["migrate"].directory, render_as_batch=True)
        with fresh.app_context():
            upgrade()
            db.engine.dispose()
        connection = sqlite3.connect(Path(directory) / "fresh.sqlite")
        try:
            return _sqlite_schema(connection)
        finally:
            connection.close()


def _refuse_other_sqlite_objects(connection):
    """Refuses a database whose tables, columns, indexes, triggers or views are not exactly the migrations' own,
    naming the first differences."""
    expected, found = _fresh_sqlite_schema(), _sqlite_schema(connection)
    first = {"trigger": 0, "view": 1, "table": 2, "index": 3}  # the dangerous differences are named first
    order = lambda key: (first.get(key[0], 0), key[1])  # noqa: E731
    problems = [f"it has a {kind} {name} the migrations do not make"
                for kind, name in sorted(found.keys() - expected.keys(), key=order)]
    lacking = sorted(expected.keys() - found.keys(), key=order)
    for kind in first:  # one line per kind, every name in it: a file missing most tables says which
        names = [name for k, name in lacking if k == kind]
        if names:
            problems.append(f"it lacks the {kind} {names[0]}" if len(names) == 1
                            else f"it lacks the {kind}s {', '.join(names)}")
    problems += [f"its {kind} {name} is not the one the migrations make"
                 for kind, name in sorted(found.keys() & expected.keys(), key=order)
                 if found[kind, name] != expected[kind, name]]
    if problems:
        shown = "; ".join(problems[:5]) + (f"; and {len(problems) - 5} more differences" if len(problems) > 5 else "")
        raise BackupRefused(f"This backup's schema is not the one Release Desk's migrations make: {shown}.")


def _private_file(path):
    """Creates path empty, readable and writable by its owner only (0600), before anything is written to it."""
    path.unlink(missing_ok=True)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    os.chmod(path, 0o600)


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
    _private_file(path)  # a backup holds every password hash and token digest
    if db.engine.dialect.name == "sqlite":
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
            _refuse_other_sqlite_objects(source)
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
        _refuse_other_postgres_objects(path)
        db.session.remove()
        db.engine.dispose()  # no pooled connection may hold a lock on a table pg_restore replaces
        subprocess.run([_pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction",
                        f"--dbname={_postgres_url()}", str(path)], check=True, capture_output=True)
    db.engine.dispose()


def _pg_objects(listing):
    """(type, name) of each schema object in a `pg_restore --list` listing (data and comments left out)."""
    objects = set()
    for line in listing.splitlines():
        if line.startswith(";") or not line.strip():
            continue
        words = line.split(";", 1)[-1].split()
        # "<id>; <oid> <oid> TYPE schema name owner": types may be two words (TABLE DATA, FK CONSTRAINT, ...)
        body = " ".join(words[2:])
        for kind in ("TABLE DATA", "SEQUENCE SET", "SEQUENCE OWNED BY", "DEFAULT ACL", "ACL", "COMMENT"):
            if body.startswith(kind + " "):
                break
        else:
            objects.add(" ".join(body.split()[:-1]))  # the owner, last, differs between installations
    return objects


def _refuse_other_postgres_objects(path):
    """Refuses a dump holding schema objects (triggers, views, functions, tables, indexes) that the live database,
    made by the migrations, does not have, or lacking some it has."""
    with tempfile.TemporaryDirectory() as directory:
        live = Path(directory) / "live.dump"
        subprocess.run([_pg_tool("pg_dump"), "--format=custom", "--schema-only", f"--file={live}", _postgres_url()],
                       check=True)
        expected = _pg_objects(subprocess.run([_pg_tool("pg_restore"), "--list", str(live)], capture_output=True,
                                              text=True, check=True).stdout)
    found = _pg_objects(subprocess.run([_pg_tool("pg_restore"), "--list", str(path)], capture_output=True, text=True,
                                       check=True).stdout)
    problems = [f"it has {name} the migrations do not make" for name in sorted(found - expected)]
    problems += [f"it lacks {name}" for name in sorted(expected - found)]
    if problems:
        raise BackupRefused("This backup's schema is not the one Release Desk's migrations make: "
                            + "; ".join(problems[:5]) + ".")


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
