"""Links that leave the app (e-mails, calendar feeds, API bodies): always from PUBLIC_URL, never from the Host
header of the request being answered, which whoever sends the request chooses."""
from urllib.parse import urlsplit

from flask import current_app, has_request_context, request, url_for


def _public_adapter():
    """The URL map bound to PUBLIC_URL, once per app and PUBLIC_URL (the same for every request)."""
    public = current_app.config["PUBLIC_URL"]
    made = current_app.extensions.setdefault("public_url_adapters", {})
    if public not in made:
        base = urlsplit(public)
        made[public] = current_app.url_map.bind(base.netloc, script_name=base.path or "/",
                                                url_scheme=base.scheme or "https")
    return made[public]


def public_url(endpoint, **values):
    """The absolute URL of endpoint under PUBLIC_URL (its scheme, host and path prefix)."""
    return _public_adapter().build(endpoint, {k: v for k, v in values.items() if v is not None}, force_external=True)


_MARK = 918273645546372819  # an id no row has, marking where a row's id goes in its URL


def _of_id(build, kind, endpoint, key, row_id):
    """build(endpoint, key=row_id) for an integer id (a row's page in a list): built once per app, kind (where the URL
    starts: PUBLIC_URL, or the request's script root) and endpoint with a mark for the id, then the id put in its
    place, not a URL built per row."""
    if type(row_id) is not int:
        return build(endpoint, **{key: row_id})
    made = current_app.extensions.setdefault("url_templates", {})
    shape = (kind, endpoint, key)
    template = made.get(shape)
    if template is None:
        template = made[shape] = build(endpoint, **{key: _MARK}).replace(str(_MARK), "{}")
    return template.format(row_id)


def public_url_of_id(endpoint, key, row_id):
    """public_url(endpoint, key=row_id), for the rows of an API answer."""
    return _of_id(public_url, current_app.config["PUBLIC_URL"], endpoint, key, row_id)


def url_of_id(endpoint, key, row_id):
    """url_for(endpoint, key=row_id), for the rows of a page (under this request's script root)."""
    return _of_id(url_for, request.script_root, endpoint, key, row_id)


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
