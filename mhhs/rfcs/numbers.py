"""How an RFC is numbered: RFC-000123. Stated once; pages, PDFs, e-mails, the API and typed input read it here."""
import re

from ..core.forms import MAX_ID

# As people type one ("RFC-000123", "rfc-123" or "123"); in running text only with its prefix (`in_text`).
RFC_NUMBER = re.compile(r"(RFC-)?0*(\d{1,10})", re.IGNORECASE)


def rfc_number(rfc_id):
    return f"RFC-{rfc_id:06d}"


def parse_rfc_number(text):
    """The RFC id a typed number names, or None (not a number of ours, or no RFC could have it)."""
    match = RFC_NUMBER.fullmatch((text or "").strip())
    number = int(match.group(2)) if match else 0
    return number if 0 < number <= MAX_ID else None


def numbers_in(text):
    """(match, RFC id) for each RFC number written with its prefix in a text."""
    for match in RFC_NUMBER.finditer(text):
        number = int(match.group(2))
        if match.group(1) and 0 < number <= MAX_ID:
            yield match, number
