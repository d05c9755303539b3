"""Tokens: made with a secret shown once (only its hash is stored), revoked, found from a request's bearer secret."""
import hashlib
import secrets
from datetime import timedelta
from functools import cache

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import joinedload

from ..audit.services import record
from ..auth.services import check_password
from ..core.db import writing
from ..core.services import Invalid, Refused
from ..core.time import to_london, utcnow
from ..directory.models import london_day_start
from ..extensions import db
from .models import ApiToken
from .permissions import MAX_DAYS, SCOPES, can_manage_token

PREFIX = "rd_"
TOUCH_EVERY = timedelta(minutes=5)  # "last used" is kept to within this, so reads do not write on every request


def _hash(secret):
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(user, name, scopes, expires_on, *, password, now=None):
    """(token, secret): the secret is returned once and never stored. The maker gives their password again (a
    session left open is not enough to mint a credential that outlives it); a wrong one counts as a failed login."""
    now = now or utcnow()
    name, problems = (name or "").strip(), {}
    try:
        check_password(user, password)
    except Invalid as wrong:
        problems.update(wrong.problems)
    if not name:
        problems["name"] = "Name the token after what uses it, e.g. “DIP pipeline”."
    if not scopes or set(scopes) - set(SCOPES):
        problems["scopes"] = "Choose at least one scope."
    today = to_london(now).date()
    if expires_on is None or not today < expires_on <= today + timedelta(days=MAX_DAYS - 1):
        problems["expires_on"] = (f"Choose an expiry date after today and at most a year ahead "
                                  f"({today + timedelta(days=MAX_DAYS - 1):%d %b %Y}).")
    if problems:
        raise Invalid(problems)
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name[:80], scopes=" ".join(s for s in SCOPES if s in scopes),
                     secret_hash=_hash(secret), hint=secret[:10], created_at=now,
                     expires_at=london_day_start(expires_on + timedelta(days=1)))  # at the end of that London day
    db.session.add(token)
    db.session.flush()
    record("api_token.created", actor=user, obj=token, summary=f"“{token.name}” ({token.scopes}), expires "
                                                                f"{expires_on:%d %b %Y}")
    db.session.commit()
    return token, secret


def revoke_token(user, token, now=None):
    if not can_manage_token(user, token):
        raise Refused("That token is not yours.")
    if token.revoked_at is None:
        token.revoked_at = now or utcnow()
        record("api_token.revoked", actor=user, obj=token, summary=f"“{token.name}”")
        db.session.commit()


def tokens_of(user):
    return db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)
                              .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc())).all()


@cache  # built at first use (the mappers configured), not at import
def _by_secret():
    """The token with a secret's hash (bound at execution) and its user: built once, every API request reads it."""
    return select(ApiToken).options(joinedload(ApiToken.user)).where(ApiToken.secret_hash == bindparam("secret_hash"))


def token_for(secret, now=None):
    """The usable token with this secret (not revoked, not expired, its user active), or None."""
    if not secret.startswith(PREFIX) or len(secret) > 200:
        return None
    now = now or utcnow()
    token = db.session.scalar(_by_secret(), {"secret_hash": _hash(secret)})
    if token is None or not token.is_usable(now):
        return None
    if token.last_used_at is None or now - token.last_used_at > TOUCH_EVERY:
        token_id = token.id
        db.session.rollback()  # a read cannot become a write on SQLite while another request writes
        with writing():
            db.session.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=now))
            db.session.commit()
        token = db.session.get(ApiToken, token_id)
    return token
