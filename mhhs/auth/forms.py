"""The login form and the change of one's own password."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length

from ..core.forms import password_policy
from ..core.passwords import MAX_LENGTH


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(message="Enter your e-mail address."), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(message="Enter your password."), Length(max=1024)])


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField("Current password", validators=[
        DataRequired(message="Enter your current password."), Length(max=MAX_LENGTH)])
    new_password = PasswordField("New password", validators=[DataRequired(message="Choose a new password."),
                                                             password_policy])
    again = PasswordField("New password again", validators=[
        DataRequired(message="Type the new password again."),
        EqualTo("new_password", message="The two new passwords differ: type the same one twice.")])
    end_tokens = BooleanField("Also end my API tokens and calendar feed URLs")
