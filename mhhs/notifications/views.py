"""A person's own notification settings: the kinds of e-mail they receive, and what they follow; the distribution
lists (RCM Table 8, §6.3.1; EAP §6.2): Release Managers keep them, everyone sees the lists they are on."""
from flask import Blueprint, abort, request, url_for
from flask_login import current_user

from ..core.forms import form_values, show_problems
from ..core.htmx import done, render
from ..core.permissions import login_required, manager_required
from ..core.services import Invalid
from ..extensions import db
from . import mail_groups
from .forms import MailGroupForm, NotificationsForm
from .models import MailGroup
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
    return render("notifications/settings.html", "notifications/settings.html", form=form,
                  my_lists=mail_groups.groups_of(current_user))


# Distribution lists (RCM Table 8, §6.3.1; EAP §6.2) ----------------------------------------------

@bp.route("/mail-groups")
@login_required
def mail_group_list():
    """Release Managers see every list and its members; everyone else the lists they are on."""
    keeps = mail_groups.can_keep_mail_groups(current_user)
    groups = mail_groups.all_groups() if keeps else mail_groups.groups_of(current_user)
    return render("notifications/mail_groups.html", "notifications/mail_groups.html", groups=groups, keeps=keeps)


@bp.route("/mail-groups/new", methods=["GET", "POST"])
@bp.route("/mail-groups/<int:group_id>/edit", methods=["GET", "POST"])
@manager_required
def edit_mail_group(group_id=None):
    group = db.session.get(MailGroup, group_id) if group_id is not None else MailGroup()
    if group is None:
        abort(404)
    form = MailGroupForm()
    if request.method == "GET" and group_id is not None:
        form.name.data, form.purpose.data, form.members.data, form.weekly_report.data = (
            group.name, group.purpose, mail_groups.member_text(group), group.weekly_report)
    elif form.validate_on_submit():
        try:
            mail_groups.save_mail_group(current_user, group, form_values(form, mail_groups.FIELDS))
        except Invalid as invalid:
            show_problems(form, invalid)
        else:
            return done(f"Distribution list {group.name} saved.", url_for("notifications.mail_group_list"))
    title = f"Edit list {group.name}" if group_id is not None else "New distribution list"
    return render("directory/form_page.html", "directory/_form.html", form=form, title=title, action=request.path,
                  back=url_for("notifications.mail_group_list"))
