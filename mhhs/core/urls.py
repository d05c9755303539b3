"""Links that leave the app (e-mails, calendar feeds, API bodies): always from PUBLIC_URL, never from the Host
header of the request being answered, which whoever sends the request chooses."""
from urllib.parse import urlsplit

from flask import current_app, has_request_context, request, url_for


def public_url(endpoint, **values):
    """The absolute URL of endpoint under PUBLIC_URL (its scheme, host and path prefix)."""
    base = urlsplit(current_app.config["PUBLIC_URL"])
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "https")
    return adapter.build(endpoint, {k: v for k, v in values.items() if v is not None}, force_external=True)


def trusted_hosts(config):
    """ALLOWED_HOSTS (comma-separated; ".example.org" takes its subdomains too), else PUBLIC_URL's host alone."""
    listed = [host.strip() for host in (config.get("ALLOWED_HOSTS") or "").split(",") if host.strip()]
    return listed or [urlsplit(config["PUBLIC_URL"]).hostname]


def fixed_url(endpoint, **values):
    """url_for of a link that is the same on every page (the layout's stylesheets, scripts and menus): worked out once
    per app and script root, not at every request."""
    key = (endpoint, request.script_root if has_request_context() else None, *sorted(values.items()))
    made = current_app.extensions.setdefault("fixed_urls", {})
    if key not in made:
        made[key] = url_for(endpoint, **values)
    return made[key]
