"""Argon2id password hashing (argon2-cffi), with the cost taken from the app's config."""
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

# The password policy, wherever a password is chosen (a new user's first one, `flask create-manager`, the user's own
# change): at least MIN_LENGTH characters (ASVS 6.2.1), at most MAX_LENGTH, anything else allowed.
MIN_LENGTH, MAX_LENGTH = 8, 1024
TOO_SHORT = f"Use at least {MIN_LENGTH} characters."
TOO_LONG = f"Use at most {MAX_LENGTH} characters."
HINT = f"At least {MIN_LENGTH} characters. A few unrelated words make a long one that is easy to remember."


def password_problem(password):
    """What is wrong with a password someone chose, or None."""
    if len(password or "") < MIN_LENGTH:
        return TOO_SHORT
    if len(password) > MAX_LENGTH:
        return TOO_LONG
    return None


def _hasher():
    config = current_app.config
    return PasswordHasher(time_cost=config["ARGON2_TIME_COST"], memory_cost=config["ARGON2_MEMORY_COST"])


def hash_password(password):
    return _hasher().hash(password)


def verify_password(password_hash, password):
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash):
    return _hasher().check_needs_rehash(password_hash)
