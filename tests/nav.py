"""The navigation each demo user should see (SPEC §8), shared by the client and browser tests: the links of the row,
and the menus (a disclosure each, like the account menu) with the links inside them."""
ROW = ["RFCs", "Calendar", "Outages", "Certificates", "Environments", "Baseline", "Retests", "Weekly report"]
MANAGER_MENUS = {
    "Participants": ["Register", "Connectivity proving", "Allocation", "Readiness", "Health check", "GO / NO-GO",
                     "EWG"],
    "Directory": ["Organisations", "Users", "Outbox"],
}
OTHERS_MENUS = {"Participants": ["Register", "Allocation", "Readiness", "Health check", "GO / NO-GO", "EWG"]}
# A Test Participant does not read the decisions' snapshots and the EWG's agenda (other participants' details).
PARTICIPANT_MENUS = {"Participants": ["Register", "Allocation", "Readiness", "Health check"]}
MENUS = {
    "rm.sit@demo.test": MANAGER_MENUS,
    "rm.uit@demo.test": MANAGER_MENUS,
    "dip@demo.test": OTHERS_MENUS,
    "mprs@demo.test": OTHERS_MENUS,
    "helix@demo.test": OTHERS_MENUS,
    "supplier@demo.test": PARTICIPANT_MENUS,
}
MANAGER_ROW = ["RFCs", "Approvals", *ROW[1:]]
# Every link each user has, in the row or in a menu.
NAV = {email: [*(MANAGER_ROW if menus is MANAGER_MENUS else ROW), *(link for links in menus.values() for link in links)]
       for email, menus in MENUS.items()}
ALL_LINKS = NAV["rm.sit@demo.test"]


def account_link(page, name):
    """A link of the account menu (the user's name in the header, Notifications, API tokens, Log out), opened."""
    page.locator("header .account-menu summary").click()
    return page.locator("header .account-menu").get_by_role("link", name=name)


def nav_link(page, name, menu="Participants"):
    """A link of one of the navigation's menus (Participants, Directory), opened."""
    page.locator("header .nav-menu summary", has_text=menu).click()
    return page.locator("header .nav-menu", has_text=menu).get_by_role("link", name=name, exact=True)
