"""A person's own notification settings: the kinds of e-mail they receive, and what they follow."""
from flask import Blueprint, request, url_for
from flask_login import current_user

from ..core.htmx import done, render
from ..core.permissions import login_required
from .forms import NotificationsForm
from .services import kinds_for, preferences, save_preferences

bp = Blueprint("notifications", __name__)


@bp.route("/account/notifications", methods=["GET", "POST"])
@login_required
def settings():
    form = NotificationsForm(kinds_for(current_user))
    if request.method == "GET":
        (form.kinds.data, form.system_ids.data, form.environment_ids.data,
         form.weekly_report.data) = preferences(current_user)
    elif form.validate_on_submit():
        save_preferences(current_user, form.kinds.data, form.system_ids.data, form.environment_ids.data,
                         form.weekly_report.data)
        return done("Your notification settings are saved.", url_for("notifications.settings"))
    return render("notifications/settings.html", "notifications/settings.html", form=form)
