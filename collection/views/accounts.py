"""Account pages before login: a practitioner activates an account from the bureau's record,
or sets a new password with a one-time code from the counter."""

from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from collection import services
from collection.forms import ActivationForm, ResetWithCodeForm
from core.clients import client_address, client_network
from practitioners.models import Bureau


@never_cache
@require_http_methods(["GET", "POST"])
def activate(request):
    if request.user.is_authenticated:
        return redirect("home")
    form = ActivationForm(request.POST if request.method == "POST" else None)
    error = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.activate_account(
                name=data["name"],
                id_number=data["id_number"],
                cert_number=data["cert_number"],
                password=data["password1"],
                mobile=data["mobile"],
                email=data["email"],
                address=client_address(request),
                network=client_network(request),
            )
        except services.ActivationError as exc:
            error = exc
        else:
            login(request, user, backend="practitioners.backends.RegistryBackend")
            messages.success(
                request,
                _(
                    "Your account is active. Check the record the bureau holds and fill in the application."
                ),
            )
            return redirect("collection:home")
    # Not matched and no bureau recognisable from the certificate number: list every service hall.
    bureaus = (
        Bureau.objects.all()
        if error is not None and error.not_matched and error.bureau is None
        else None
    )
    return render(
        request,
        "collection/activate.html",
        {"form": form, "error": error, "bureaus": bureaus},
        status=400 if error or form.errors else 200,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def reset_with_code(request):
    form = ResetWithCodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.reset_password_with_code(
                id_number=form.cleaned_data["id_number"],
                code=form.cleaned_data["code"],
                password=form.cleaned_data["password1"],
                address=client_address(request),
                network=client_network(request),
            )
        except services.CollectionError as exc:
            form.add_error("code", exc.message)
        else:
            messages.success(
                request, _("Your password is set. Log in with your ID number and the new password.")
            )
            return redirect("login")
    return render(request, "collection/reset_with_code.html", {"form": form})
