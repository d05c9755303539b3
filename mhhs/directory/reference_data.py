"""The programme's reference data (SPEC §3, from EAP Tables 1-5 and §12.7, RCM Table 1 and §12.10)."""
from datetime import date, time

from ..core.permissions import Role
from .models import Phase

PROGRAMME_ORG = "MHHS Programme (SI)"

# name: (fix_forward, {system: (support hours, back-up regime)})
CENTRAL_PARTIES = {
    "Avanade": (False, {"DIP": ("Weekdays 09:00–17:00; L1 support team monitors and informs MHHS.",
                                "Periodic, every 4 hours; retention 7 days.")}),
    "DCC": (False, {"DSP": ("To be confirmed.", "To be confirmed."),
                    "CSS": ("To be confirmed.", "To be confirmed.")}),
    "Electralink": (False, {"DTN": ("To be confirmed.", "To be confirmed.")}),
    "Elexon (Helix)": (True, {
        name: ("Operable 24/7; support weekdays 09:00–17:00.", "To be confirmed.")
        for name in ("ISDS", "LSS", "MDS", "VAS", "PMP", "Settlement Operations")
    }),
    "RECCo": (False, {"EES": ("Operable 24/7; support weekdays 08:00–18:00.",
                              "Data cut taken, augmented and backed up before test execution; "
                              "no periodic back-ups during test execution.")}),
    "St Clements": (True, {"MPRS": ("Weekdays 09:00–17:00; gate closure 15:00; end-of-day batch 15:15.",
                                    "Weekly.")}),
}

# EAP §12.7 as data, system: (kind, weekdays with 0 = Monday, from, until, gate closure); the rest "to be confirmed".
WEEKDAYS = "01234"
SUPPORT_HOURS = {
    "DIP": ("hours", WEEKDAYS, time(9), time(17), None),
    **{name: ("hours", WEEKDAYS, time(9), time(17), None)
       for name in ("ISDS", "LSS", "MDS", "VAS", "PMP", "Settlement Operations")},
    "EES": ("hours", WEEKDAYS, time(8), time(18), None),
    "MPRS": ("hours", WEEKDAYS, time(9), time(17), time(15)),
}

# EAP §12.7 Tables 5-9: when each system runs (operable), apart from when its support desk is open (above):
# system: (kind, weekdays, from, until); the rest "to be confirmed".
HELIX_SYSTEMS = ("ISDS", "LSS", "MDS", "VAS", "PMP", "Settlement Operations")
OPERABLE_HOURS = {
    "DIP": ("hours", WEEKDAYS, time(9), time(17)),
    **{name: ("24/7", WEEKDAYS, None, None) for name in HELIX_SYSTEMS},
    "EES": ("24/7", WEEKDAYS, None, None),
    "MPRS": ("hours", WEEKDAYS, time(9), time(17)),
}
# EAP §12.7.4: St Clements' "Gate Closure – 15:00 End of Day Batch – 15:15".
END_OF_DAY_BATCH = {"MPRS": time(15, 15)}
INTERNAL_MONITORING = "Internal monitoring and alerts; in the event of failure MHHS is informed."
MONITORING = {
    "DIP": "DIP L1 Support Team monitors and informs MHHS as required.",
    **{name: INTERNAL_MONITORING for name in HELIX_SYSTEMS},
    "EES": INTERNAL_MONITORING,
    "MPRS": "St Clements monitor the environments and inform MHHS of any outages.",
    "DSP": "In discussion with DCC.", "CSS": "In discussion with DCC.",
}

# Where the central systems exist (EAP §9.3.5-§9.3.6, §9.4.2-§9.4.3, §9.8.2, §10.3.1; the EAP stands for environments):
# DCC offers a single test instance (UIT-B) that SIT-A and SIT-B cannot both use; it serves SIT Functional, so SIT-A.
# Electralink provides no test environment of its own (DTN routes test flows by 'test flags'), so DTN is in none.
# Release Managers keep this presence on each system's page.
DCC_ONLY_IN = "SIT-A"
NOWHERE = {"DTN"}
DCC_SYSTEMS = {"DSP", "CSS"}

# name: (phase, purpose, from, to, systems not present)
ENVIRONMENTS = [
    ("SIT Staging", Phase.SIT, "Readiness for SIT: regression for changes and defect re-testing, so that "
     "the SIT environments are not broken when new code is deployed.", date(2024, 1, 2), date(2026, 1, 19),
     NOWHERE | DCC_SYSTEMS),
    # RCM §7.4 and Table 2 (the RCM stands for test stages over the older EAP Table 1, which put Migration in SIT-B).
    ("SIT-A", Phase.SIT, "SIT Component Integration, SIT Functional, SIT Migration and SIT Functional Regression "
     "testing (RCM §7.4, Table 2).",
     date(2023, 9, 4), date(2025, 4, 4), NOWHERE),
    ("SIT-B", Phase.SIT, "SIT Functional Settlement testing, followed by SIT Non-Functional and SIT Operational "
     "testing (RCM §7.4, Table 2).",
     date(2024, 4, 1), date(2025, 4, 4), NOWHERE | DCC_SYSTEMS),
    ("UIT", Phase.UIT, "Qualification and E2E Sandbox testing: central systems provided as a testing service.",
     date(2024, 9, 9), date(2026, 1, 19), NOWHERE | DCC_SYSTEMS),
]

# code: (name, central)
MARKET_ROLES = {
    "MSS": ("Metering Service Smart", False),
    "SDS": ("Smart/Non-Smart Data Service", False),
    "MSA": ("Metering Service Advanced", False),
    "ADS": ("Advanced Data Service", False),
    "UMSDS": ("UMS Data Service", False),
    "DC": ("Data Collector", False),
    "DA": ("Data Aggregator", False),
    "MOP": ("Meter Operator", False),
    "SUP-D": ("Supplier (domestic)", False),
    "SUP-ND": ("Supplier (non-domestic)", False),
    "UMSO": ("Unmetered Supplies Operator", False),
    "NETOPS": ("Network Operations", False),
    "REGS": ("Registration Services", False),
    "DIP": ("Data Integration Platform", True),
    "DSP": ("DCC Data Service Provider", True),
    "CSS": ("Central Switching Service", True),
    "EES": ("Electricity Enquiry Service", True),
    "ISDS": ("Industry Standing Data Service", True),
    "LSS": ("Load Shaping Service", True),
    "MDS": ("Market-wide Data Service", True),
    "VAS": ("Volume Allocation Service", True),
    "SETTOPS": ("Settlement Operations", True),
    "DTN": ("Data Transfer Network", True),
}

# name: (date, confirmed, purpose)
ROADMAP = {
    "IR2.1": (date(2023, 10, 23), True, "Code release to enable the CIT test phase."),
    "IR5.4": (date(2024, 3, 4), True, "Code release to enable the SIT Functional test phase."),
    "IR7 (SIT A)": (date(2024, 5, 27), True, "Code release to enable the SIT Migration test phase."),
    "IR7 (SIT B)": (date(2024, 6, 3), True, "Code release to populate SIT-B."),
    "IR8 (SIT A)": (date(2024, 8, 19), False, "Code release to enable SIT Functional Cycle 3."),
    "IR8 (SIT B)": (date(2024, 8, 27), False, "Code release to enable SIT Non-Functional Cycle 3."),
}

# Demo database only: invented Test Participants and the users of SPEC §8.
# name: MPIDs (invented)
DEMO_PARTICIPANTS = {"Northwold Energy": "NWEN", "Brightmeter Services": "BMSV", "Fenland Networks": "FENN"}
# name: the environments it tests in (RCM §14: its users retest the defects found there)
DEMO_TESTS_IN = {"Northwold Energy": ("SIT-A", "SIT-B"), "Brightmeter Services": ("SIT-B",),
                 "Fenland Networks": ("SIT-A", "UIT")}
DEMO_PASSWORD = "demo-pass"
# email: (name, role, organisation, phases)
DEMO_USERS = {
    "rm.sit@demo.test": ("Sam Ashdown", Role.RELEASE_MANAGER, PROGRAMME_ORG, {Phase.SIT}),
    "rm.uit@demo.test": ("Uma Treadwell", Role.RELEASE_MANAGER, PROGRAMME_ORG, {Phase.UIT}),
    "dip@demo.test": ("Dana Ingram", Role.CENTRAL_PARTY, "Avanade", set()),
    "mprs@demo.test": ("Milo Parsons", Role.CENTRAL_PARTY, "St Clements", set()),
    "helix@demo.test": ("Helen Hale", Role.CENTRAL_PARTY, "Elexon (Helix)", set()),
    "supplier@demo.test": ("Sunil Patel", Role.TEST_PARTICIPANT, "Northwold Energy", set()),
}

# The programme's standing distribution lists (RCM Table 8 and §6.3.1, EAP §6.2): key: (name, purpose).
MAIL_GROUPS = {
    "ewg": ("EWG", "Environments Working Group: environment plans, planned outages and releases (EAP §6.2)."),
    "sit_participants": ("SIT participants", "Everyone who tests in SIT-A or SIT-B: releases, outages and retests."),
    "uit_participants": ("UIT participants", "Everyone who tests in UIT: releases, outages and retests."),
    "triage": ("Defect Triage", "The defect triage teams: known issues and workarounds of each release (RCM 4.3)."),
}

# Demo only: who is on which list (by e-mail), and a list a Release Manager made; EWG receives the weekly report.
DEMO_MAIL_GROUPS = {
    "EWG": ["rm.sit@demo.test", "rm.uit@demo.test", "dip@demo.test", "mprs@demo.test", "helix@demo.test"],
    "SIT participants": ["supplier@demo.test", "helix@demo.test"],
    "UIT participants": ["supplier@demo.test"],
    "Defect Triage": ["rm.sit@demo.test", "helix@demo.test", "supplier@demo.test"],
    "Settlement test leads": ["helix@demo.test", "supplier@demo.test"],
}
