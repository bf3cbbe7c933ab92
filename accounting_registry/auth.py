"""Django's login and password-reset pages, with the registry's limits on guessing.

Failed passwords are limited in the authentication backend (practitioners.backends), which
every login goes through, the admin's included; the forms here only tell the person when
they may try again. Password-reset requests are limited here: each one may send an email.
"""

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core import throttle
from core.clients import client_address, client_network


class ThrottleMessageMixin:
    def get_invalid_login_error(self):
        throttled = getattr(self.request, "throttled", None)
        if throttled is not None:
            return ValidationError(str(throttled), code="throttled")
        return super().get_invalid_login_error()


class LoginForm(ThrottleMessageMixin, AuthenticationForm):
    """The one login page of practitioners (who log in with their ID number) and staff (who
    log in with a user name): Django's own message speaks of a case-sensitive "user name",
    which a practitioner typing digits cannot act on."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "The ID number (or user name) and password do not match. Check them and try again."
        ),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("ID number (practitioners) or user name (staff)")


class AdminLoginForm(ThrottleMessageMixin, AdminAuthenticationForm):
    pass


class LoginView(auth_views.LoginView):
    authentication_form = LoginForm
    redirect_authenticated_user = True


class PasswordResetView(auth_views.PasswordResetView):
    """Send the reset link, at most a few times an hour for one email address, and a few more
    from one client across email addresses: the page says the same whether or not an account
    has the address, and so does the limit."""

    def form_valid(self, form):
        counted = {
            "account": form.cleaned_data["email"].strip().lower(),
            "address": client_address(self.request),
            "network": client_network(self.request),
        }
        try:
            throttle.check(throttle.PASSWORD_RESET_REQUEST, **counted)
        except throttle.Throttled as exc:
            form.add_error("email", str(exc))
            return self.form_invalid(form)
        throttle.record(throttle.PASSWORD_RESET_REQUEST, **counted)
        return super().form_valid(form)
