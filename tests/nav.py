"""The navigation each demo user should see (SPEC §8), shared by the client and browser tests."""
MANAGER = ["RFCs", "Approvals", "Outages", "Certificates", "Environments", "GO / NO-GO", "EWG", "Organisations",
           "Users", "Outbox"]
OTHERS = ["RFCs", "Outages", "Certificates", "Environments", "GO / NO-GO", "EWG"]
# A Test Participant does not read the decisions' snapshots and the EWG's agenda (other participants' details).
PARTICIPANT = ["RFCs", "Outages", "Certificates", "Environments"]
ALL_LINKS = MANAGER
NAV = {
    "rm.sit@demo.test": MANAGER,
    "rm.uit@demo.test": MANAGER,
    "dip@demo.test": OTHERS,
    "mprs@demo.test": OTHERS,
    "helix@demo.test": OTHERS,
    "supplier@demo.test": PARTICIPANT,
}


def account_link(page, name):
    """A link of the account menu (the user's name in the header, Notifications, API tokens, Log out), opened."""
    page.locator("header .account-menu summary").click()
    return page.locator("header .account-menu").get_by_role("link", name=name)
