"""`flask db backup` while the app is writing, then `flask db restore`; and the files restore refuses."""
import sqlite3
import threading

from sqlalchemy import func, select, text

from mhhs.directory.models import MarketRole
from mhhs.extensions import db


def run(app, *args):
    return app.test_cli_runner().invoke(args=["db", *args])


def market_roles(app):
    with app.app_context():
        return set(db.session.scalars(select(MarketRole.code)))


def test_a_backup_taken_under_concurrent_writes_restores_a_consistent_database(app, tmp_path):
    stop, written, errors = threading.Event(), [], []

    def writer():
        # Another "worker" keeps committing while the backup runs (every wait below has a limit).
        with app.app_context():
            n = 0
            while not stop.is_set() and n < 5000:
                n += 1
                try:
                    db.session.add(MarketRole(code=f"W{n}", name=f"Written {n}"))
                    db.session.commit()
                    written.append(f"W{n}")
                except Exception as error:  # pragma: no cover - reported below
                    errors.append(error)
                    db.session.rollback()
            db.session.remove()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while len(written) < 20 and thread.is_alive():
            stop.wait(0.01)
        result = run(app, "backup", str(tmp_path / "backup.db"))
    finally:
        stop.set()
        thread.join(timeout=30)
    assert not thread.is_alive() and errors == []
    assert result.exit_code == 0, result.output
    assert "integrity ok" in result.output and " MB in " in result.output

    everything_written = market_roles(app)
    with app.app_context():
        db.session.add(MarketRole(code="AFTER", name="Added after the backup"))
        db.session.commit()
    result = run(app, "restore", "--yes", str(tmp_path / "backup.db"))
    assert result.exit_code == 0, result.output
    restored = market_roles(app)
    # The copy is one moment: the reference roles and a prefix of the writer's rows, nothing after the backup.
    assert "AFTER" not in restored and {"MSS", "SDS"} <= restored
    numbers = sorted(int(code[1:]) for code in restored if code.startswith("W") and code[1:].isdigit())
    assert numbers == list(range(1, len(numbers) + 1)) and len(numbers) >= 20
    assert restored <= everything_written | {"AFTER"}
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(MarketRole)) == len(restored)


def test_restore_refuses_a_file_that_is_not_a_release_desk_database(app, tmp_path):
    before = market_roles(app)
    (tmp_path / "notes.txt").write_text("not a database")
    other = tmp_path / "other.sqlite"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.commit()
    for path, message in ((tmp_path / "notes.txt", "not a Release Desk database"),
                          (other, "not a Release Desk database")):
        result = run(app, "restore", "--yes", str(path))
        assert result.exit_code != 0 and message in result.output, result.output
    assert market_roles(app) == before and "MSS" in before


def test_restore_refuses_a_backup_at_another_schema(app, tmp_path):
    assert run(app, "backup", str(tmp_path / "backup.db")).exit_code == 0
    with app.app_context():
        head = db.session.scalar(text("SELECT version_num FROM alembic_version"))
        db.session.execute(text("UPDATE alembic_version SET version_num = 'older'"))
        db.session.commit()
    try:
        assert run(app, "backup", str(tmp_path / "older.db")).exit_code == 0
    finally:
        with app.app_context():
            db.session.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": head})
            db.session.commit()
    result = run(app, "restore", "--yes", str(tmp_path / "older.db"))
    assert result.exit_code != 0 and "This backup is at schema older" in result.output
    assert run(app, "restore", "--yes", str(tmp_path / "backup.db")).exit_code == 0


def _tampered_copy(app, tmp_path, name, *statements):
    path = tmp_path / name
    assert run(app, "backup", str(path)).exit_code == 0
    connection = sqlite3.connect(path)
    connection.executescript(";\n".join(statements))
    connection.commit()
    connection.close()
    return path


def test_restore_refuses_a_backup_whose_schema_differs_from_the_migrations_naming_the_difference(app, tmp_path):
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            return
        head = db.session.scalar(text("SELECT version_num FROM alembic_version"))
    # A trigger that makes whoever logs in next a Release Manager and copies every password hash.
    trigger = _tampered_copy(app, tmp_path, "trigger.db", "CREATE TABLE loot (email, hash)",
                             "CREATE TRIGGER promote AFTER INSERT ON audit_events BEGIN "
                             "UPDATE users SET role = 'RELEASE_MANAGER'; "
                             "INSERT INTO loot SELECT email, password_hash FROM users; END")
    # A file holding nothing but the schema version.
    bare = tmp_path / "bare.db"
    connection = sqlite3.connect(bare)
    connection.executescript(f"CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY);"
                             f"INSERT INTO alembic_version VALUES ('{head}');")
    connection.close()
    # A view where the users table was.
    view = _tampered_copy(app, tmp_path, "view.db", "PRAGMA foreign_keys=OFF", "ALTER TABLE users RENAME TO people",
                          "CREATE VIEW users AS SELECT * FROM people")
    before = market_roles(app)
    for path, difference in ((trigger, "it has a trigger promote the migrations do not make"),
                             (trigger, "it has a table loot"),
                             (bare, " users,"),
                             (view, "it has a view users")):
        result = run(app, "restore", "--yes", str(path))
        assert result.exit_code != 0, result.output
        assert "not the one Release Desk's migrations make" in result.output and difference in result.output
    assert market_roles(app) == before
    with app.app_context():
        # Only the triggers the migrations make (the search index's) are there: not the backup's.
        assert db.session.scalar(text("SELECT count(*) FROM sqlite_master WHERE name IN ('promote', 'loot')")) == 0


def test_a_backup_file_is_readable_by_its_owner_only(app, tmp_path):
    assert run(app, "backup", str(tmp_path / "backup.db")).exit_code == 0
    assert (tmp_path / "backup.db").stat().st_mode & 0o777 == 0o600
