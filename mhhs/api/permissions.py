"""What a token may do: its scopes, never more than its user's own role allows (authentication.api_access reads
the domains' role rules)."""

# Scope: what it lets a pipeline do (the words on the "API tokens" page).
SCOPES = {
    "read": "Read RFCs and their approvals, the baseline, outages, certificates and readiness",
    "rfcs": "Raise, change, submit and withdraw RFCs",
    "deployments": "Record deployment outcomes",
    "outages": "Log and end outages",
    "certificates": "Upload certificates",
    "readiness": "Post the morning health check of your systems",
    "participants": "Read connectivity proving and record a DIP message sent (step 4)",
    "allocation": "List and request environment slots; list the test stages and tranches; ask who holds an "
                  "environment and whether a test run or deployment may go now",
}
MAX_DAYS = 366  # a token expires within a year


def can_manage_token(user, token):
    return token.user_id == user.id
