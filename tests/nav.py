"""The navigation each demo user should see (SPEC §8), shared by the client and browser tests."""
MANAGER = ["RFCs", "Approvals", "Outages", "Certificates", "Environments", "Organisations", "Users", "Outbox"]
OTHERS = ["RFCs", "Outages", "Certificates", "Environments"]
ALL_LINKS = MANAGER
NAV = {
    "rm.sit@demo.test": MANAGER,
    "rm.uit@demo.test": MANAGER,
    "dip@demo.test": OTHERS,
    "mprs@demo.test": OTHERS,
    "helix@demo.test": OTHERS,
    "supplier@demo.test": OTHERS,
}
