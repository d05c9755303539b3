"""Pages about the API: a user's tokens (made, shown once, revoked), the reference, and the OpenAPI document."""
from flask import Blueprint, abort, current_app, jsonify, render_template, url_for
from flask_login import current_user

from ..core.forms import form_values, show_problems
from ..core.htmx import done, render
from ..core.permissions import login_required, public
from ..core.services import Invalid
from ..core.time import utcnow
from ..extensions import db
from . import services
from .examples import curl_examples
from .forms import TokenForm
from .models import ApiToken
from .permissions import can_manage_token

bp = Blueprint("api_pages", __name__)


def _tokens_page(form, secret=None, token=None):
    return render("api/tokens.html", "api/tokens.html", form=form, tokens=services.tokens_of(current_user),
                  secret=secret, new_token=token, now=utcnow())


@bp.route("/api-tokens")
@login_required
def tokens():
    return _tokens_page(TokenForm())


@bp.route("/api-tokens", methods=["POST"])
@login_required
def create_token():
    form = TokenForm()
    if form.validate():
        try:
            token, secret = services.create_token(current_user, **form_values(form, ["name", "scopes", "expires_on"]),
                                                  password=form.password.data)
        except Invalid as invalid:
            show_problems(form, invalid)
        else:
            # Shown in this answer only (never redirected or flashed, so it is kept nowhere).
            return _tokens_page(TokenForm(formdata=None), secret=secret, token=token)
    return _tokens_page(form)


@bp.route("/api-tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke_token(token_id):
    token = db.session.get(ApiToken, token_id)
    if token is None or not can_manage_token(current_user, token):
        abort(404)
    services.revoke_token(current_user, token)
    return done(f"Token “{token.name}” revoked: it no longer works.", url_for("api_pages.tokens"))


def openapi_document():
    return current_app.extensions["openapi_spec"].to_dict()


@bp.route("/api/v1/openapi.json")
@public
def openapi():
    return jsonify(openapi_document())


@bp.route("/api-reference")
@login_required
def reference():
    spec = openapi_document()
    # The examples' URLs start where people reach Release Desk (PUBLIC_URL), never at the Host this request named.
    return render_template("api/reference.html", spec=spec,
                           examples=curl_examples(spec, current_app.config["PUBLIC_URL"]))
