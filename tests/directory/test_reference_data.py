"""Reference data (SPEC §3): what the seed loads, and that loading it again changes nothing."""
from datetime import date

import pytest
from sqlalchemy import func, select

from mhhs.directory.models import Environment, MajorRelease, MarketRole, Organisation, Phase, System, User
from mhhs.directory.seed import seed_demo, seed_reference
from mhhs.extensions import db

MODELS = (Organisation, System, Environment, MarketRole, MajorRelease, User)


def counts():
    return {m.__name__: db.session.scalar(select(func.count()).select_from(m)) for m in MODELS}


def test_environments_have_their_phase_and_dates(ctx):
    envs = {e.name: e for e in db.session.scalars(select(Environment))}
    assert (envs["SIT-A"].phase, envs["SIT-A"].available_from, envs["SIT-A"].available_to) == (
        Phase.SIT, date(2023, 9, 4), date(2025, 4, 4))
    assert (envs["SIT Staging"].available_from, envs["SIT Staging"].available_to) == (date(2024, 1, 2), date(2026, 1,
                                                                                                             19))
    assert (envs["SIT-B"].available_from, envs["SIT-B"].available_to) == (date(2024, 4, 1), date(2025, 4, 4))
    assert (envs["UIT"].phase, envs["UIT"].available_from, envs["UIT"].available_to) == (
        Phase.UIT, date(2024, 9, 9), date(2026, 1, 19))


@pytest.mark.parametrize("system, present_in", [
    ("DSP", ["SIT-A"]), ("CSS", ["SIT-A"]),  # DCC's single test instance (UIT-B), which SIT-A and SIT-B cannot share
    ("DTN", []),  # Electralink provides no test environment of its own
    ("DIP", ["SIT Staging", "SIT-A", "SIT-B", "UIT"]), ("MPRS", ["SIT Staging", "SIT-A", "SIT-B", "UIT"]),
])
def test_eap_9_3_5_to_9_3_6_and_9_8_2_central_systems_exist_only_where_the_eap_places_them(ctx, system, present_in):
    """EAP §9.3.5-§9.3.6, §9.8.2, §10.3.1: DCC offers a single test instance, Electralink none."""
    row = db.session.scalar(select(System).where(System.name == system))
    assert [e.name for e in row.environments] == present_in


def test_rcm_7_4_table_2_sit_a_and_sit_b_purposes(ctx):
    """RCM §7.4, Table 2: Functional, Migration and Functional Regression run in SIT-A; Settlement in SIT-B, followed
    by Non-Functional and Operational (the older EAP Table 1 put Migration in SIT-B)."""
    envs = {e.name: e.purpose for e in db.session.scalars(select(Environment))}
    assert "SIT Migration" in envs["SIT-A"] and "SIT Functional Regression" in envs["SIT-A"]
    assert "Migration" not in envs["SIT-B"]
    assert "Settlement" in envs["SIT-B"] and "followed by SIT Non-Functional and SIT Operational" in envs["SIT-B"]


def test_central_parties_own_their_systems_and_fix_forward_flag(ctx):
    orgs = {o.name: o for o in db.session.scalars(select(Organisation))}
    systems = {org: sorted(s.name for s in orgs[org].systems) for org in
               ("Avanade", "DCC", "Electralink", "Elexon (Helix)", "RECCo", "St Clements")}
    assert systems == {
        "Avanade": ["DIP"], "DCC": ["CSS", "DSP"], "Electralink": ["DTN"],
        "Elexon (Helix)": ["ISDS", "LSS", "MDS", "PMP", "Settlement Operations", "VAS"],
        "RECCo": ["EES"], "St Clements": ["MPRS"],
    }
    assert {name for name, org in orgs.items() if org.fix_forward} == {"St Clements", "Elexon (Helix)"}
    mprs = db.session.scalar(select(System).where(System.name == "MPRS"))
    assert "gate closure 15:00" in mprs.support_hours and "15:15" in mprs.support_hours


def test_roadmap_and_market_roles(ctx):
    names = set(db.session.scalars(select(MajorRelease.name)))
    assert names == {"IR2.1", "IR5.4", "IR7 (SIT A)", "IR7 (SIT B)", "IR8 (SIT A)", "IR8 (SIT B)"}
    roles = set(db.session.scalars(select(MarketRole.name)))
    assert {"Data Collector", "Supplier (domestic)", "Supplier (non-domestic)", "Registration Services"} <= roles


def test_seeding_twice_changes_nothing_and_keeps_manager_edits(ctx):
    sit_a = db.session.scalar(select(Environment).where(Environment.name == "SIT-A"))
    sit_a.available_to = date(2026, 6, 30)  # a Release Manager kept the dates current
    db.session.commit()
    before = counts()
    assert seed_reference() == 0 and seed_demo() == 0
    assert counts() == before
    assert db.session.get(Environment, sit_a.id).available_to == date(2026, 6, 30)


def test_seed_command_without_demo_adds_no_demo_users(app):
    with app.app_context():
        db.session.execute(User.__table__.delete())
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["seed"])
    assert "Reference data loaded" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_create_manager_command(app):
    result = app.test_cli_runner().invoke(args=["create-manager", "--email", "First@Example.org", "--name", "First RM",
                                                "--phase", "both"], input="a-long-password\na-long-password\n")
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "first@example.org"))
        assert user.phases == {Phase.SIT, Phase.UIT}
    again = app.test_cli_runner().invoke(args=["create-manager", "--email", "first@example.org", "--name", "X"],
                                         input="a-long-password\na-long-password\n")
    assert again.exit_code != 0 and "exists already" in again.output
