"""Logins with an account name no account can have are refused before anyone authenticates.

django-axes records every failed login under the name's lockout key (the account key of
``AXES_USERNAME_CALLABLE``: NFKC, case-folded) in a varchar(255): a longer key made that
INSERT fail on PostgreSQL, and the login page answered 500. No account's name is that long
(usernames hold 150 characters, e-mail addresses 254), so a name longer than that, or one
whose key is longer than axes' column (a few characters grow: ß folds to ss, U+FDFA is 18
characters in NFKC), is refused with a message and never reaches ``authenticate`` (nor axes):

- the portal's login (allauth) through its form, ``LoginForm`` below (``ACCOUNT_FORMS``);
- the Django admin's login by ``AccountNameLimitMiddleware`` (``MIDDLEWARE``), which sends
  the visitor back to the login page with the message.
"""

from allauth.account import app_settings as account_settings
from allauth.account.forms import LoginForm as AllauthLoginForm
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UsernameField
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _

TOO_LONG = _("账号（用户名或邮箱）不能超过 %(limit_value)s 个字符。")
# The admin's login view and the field it posts the account name in.
GUARDED_VIEWS = {"admin:login": "username"}


def account_name_max():
    """The longest name an account can be logged in by: its username or its e-mail."""
    username = get_user_model()._meta.get_field(get_user_model().USERNAME_FIELD)
    return max(username.max_length or 0, account_settings.EMAIL_MAX_LENGTH)


def lockout_key_fits(request, name):
    """Whether axes can record a failed login by ``name`` under its lockout key."""
    key = get_client_username(request, {"username": name}) or ""
    return len(key) <= AccessAttempt._meta.get_field("username").max_length


def refused(request, name):
    return len(name) > account_name_max() or not lockout_key_fits(request, name)


class LoginForm(AllauthLoginForm):
    """allauth's login form, whose ``login`` field takes at most ``account_name_max()``
    characters (and a key axes can record): otherwise a field error, and the form does not
    authenticate."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit = account_name_max()
        field = self.fields["login"]
        field.max_length = limit
        field.validators.append(MaxLengthValidator(limit, message=TOO_LONG))
        field.widget.attrs["maxlength"] = str(limit)

    def clean_login(self):
        login = super().clean_login()
        if refused(self.request, login):
            raise ValidationError(TOO_LONG, code="max_length",
                                  params={"limit_value": account_name_max()})
        return login


class AccountNameLimitMiddleware:
    """A POST to a view of GUARDED_VIEWS with such an account name goes back to the page
    (a GET) with the message, instead of to the view."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        field = GUARDED_VIEWS.get(match.view_name) if match else None
        if request.method != "POST" or field is None:
            return None
        # As the admin's form cleans it (stripped, NFKC), which may make it longer.
        name = UsernameField().to_python(request.POST.get(field, ""))
        if not refused(request, name):
            return None
        messages.error(request, TOO_LONG % {"limit_value": account_name_max()})
        return redirect(request.get_full_path())
