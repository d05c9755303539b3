"""Hooks a higher package registers for a lower one, in create_app: the lower one calls what is registered for
the app it runs in, and no module changes another package's globals when it is imported."""
from flask import current_app

KEY = "mhhs.hooks"


def register(app, hook, function):
    app.extensions.setdefault(KEY, {}).setdefault(hook, []).append(function)


def functions(hook):
    """What is registered for the hook, in the order create_app registered it."""
    return current_app.extensions.get(KEY, {}).get(hook, [])


def call_one(hook, *args, default=None):
    """The answer of the one function registered for the hook, or `default` when none is."""
    found = functions(hook)
    return found[0](*args) if found else default
