from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from collection import diff, photos, selectors, services
from collection.constants import IDENTITY_FIELDS, ApplicationStatus
from collection.forms import (
    ActivationForm,
    ApplicationForm,
    CampaignForm,
    PhotoForm,
    ResetWithCodeForm,
)
from collection.originals import originals_for
from practitioners import permissions as register_permissions
from practitioners.constants import Role
from practitioners.models import Bureau
from practitioners.views import staff_required


def practitioner_required(view):
    """A logged-in practitioner with an activated record; passes the record to the view."""

    @login_required
    def wrapped(request, *args, **kwargs):
        if request.user.role != Role.PRACTITIONER:
            raise PermissionDenied
        practitioner = selectors.own_practitioner(user=request.user)
        return view(request, practitioner, *args, **kwargs)

    wrapped.__name__ = view.__name__
    return wrapped


def _client_key(request) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


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
                client_key=_client_key(request),
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
    # No record and no bureau recognisable from the certificate number: list every service hall.
    bureaus = (
        Bureau.objects.all()
        if error is not None and error.no_record and error.bureau is None
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
            )
        except services.CollectionError as exc:
            form.add_error("code", exc.message)
        else:
            messages.success(
                request, _("Your password is set. Log in with your ID number and the new password.")
            )
            return redirect("login")
    return render(request, "collection/reset_with_code.html", {"form": form})


@require_GET
@practitioner_required
def home(request, practitioner):
    campaign = selectors.active_campaign()
    application = selectors.application_of(practitioner=practitioner, campaign=campaign)
    return render(
        request,
        "collection/practitioner_home.html",
        {
            "practitioner": practitioner,
            "campaign": campaign,
            "application": application,
            "submissions": selectors.submissions_of(application=application) if application else [],
            "notices": selectors.unread_notices(user=request.user),
            "originals": originals_for(application.data)
            if application and application.status != ApplicationStatus.DRAFT
            else [],
        },
    )


def _form_initial(practitioner, application) -> dict:
    values = diff.record_values(practitioner)
    if application is not None:
        values.update(application.data)
    values["revision"] = application.revision if application else 0
    values["cert_number"] = practitioner.cert_number
    return values


@never_cache
@require_http_methods(["GET", "POST"])
@practitioner_required
def application_form(request, practitioner):
    campaign = selectors.active_campaign()
    if campaign is None:
        messages.info(request, _("No collection campaign is running now."))
        return redirect("collection:home")
    application = selectors.application_of(practitioner=practitioner, campaign=campaign)
    if application and application.status == ApplicationStatus.CONFIRMED:
        messages.info(
            request, _("Your application is confirmed; later changes go through a change request.")
        )
        return redirect("collection:home")
    stored = diff.record_values(practitioner)
    if request.method == "POST":
        form = ApplicationForm(request.POST, instance=practitioner)
        action = request.POST.get("action", "save")
        revision = _int(request.POST.get("revision"))
        try:
            if action == "submit":
                if form.is_valid():
                    services.submit_application(
                        practitioner=practitioner,
                        actor=request.user,
                        values=form.cleaned_data,
                        revision=revision,
                    )
                    messages.success(
                        request,
                        _(
                            "Submitted. Print the application form, have it sealed if you have an employer, and bring it with the originals to the counter."
                        ),
                    )
                    return redirect("collection:home")
                messages.error(
                    request, _("Some entries need correcting: see the messages next to the fields.")
                )
            else:
                raw = {
                    name: request.POST.get(name, "")
                    for name in form.fields
                    if name not in ("revision", "cert_number")
                }
                raw.update(
                    {
                        name: bool(request.POST.get(name))
                        for name in ("has_computing_cert", "in_accounting_post")
                    }
                )
                services.save_draft(
                    practitioner=practitioner, actor=request.user, data=raw, revision=revision
                )
                messages.success(request, _("Draft saved. You can come back and finish it later."))
                return redirect("collection:application")
        except services.StaleApplication as exc:
            messages.error(request, exc.message)
            form = _keep_typed(practitioner, request.POST, exc.application.revision)
        except services.CollectionError as exc:
            messages.error(request, exc.message)
    else:
        form = ApplicationForm(
            initial=_form_initial(practitioner, application), instance=practitioner
        )
    return render(
        request,
        "collection/application_form.html",
        {
            "form": form,
            "practitioner": practitioner,
            "application": application,
            "corrections": _corrections(form, stored),
            "identity_fields": IDENTITY_FIELDS,
            "campaign": campaign,
        },
    )


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _keep_typed(practitioner, post, revision: int):
    """Re-bind the user's own entries with the current revision, so nothing typed is lost."""
    data = post.copy()
    data["revision"] = revision
    return ApplicationForm(data, instance=practitioner)


def _corrections(form, stored: dict) -> dict:
    """field -> stored value for display, for every field whose current value differs from the record."""
    out = {}
    for name in stored:
        if name == "cert_number" or name not in form.fields:
            continue
        if diff.canonical(name, form[name].value()) != stored[name]:
            out[name] = diff.display(name, stored[name])
    return out


@never_cache
@require_http_methods(["GET", "POST"])
@practitioner_required
def photo_upload(request, practitioner):
    campaign = selectors.active_campaign()
    application = selectors.application_of(practitioner=practitioner, campaign=campaign)
    form = PhotoForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    if request.method == "POST" and form.is_valid():
        crop = None
        c = form.cleaned_data
        if all(c.get(k) is not None for k in ("crop_x", "crop_y", "crop_width", "crop_height")):
            crop = photos.CropBox(c["crop_x"], c["crop_y"], c["crop_width"], c["crop_height"])
        try:
            services.set_application_photo(
                practitioner=practitioner, actor=request.user, data=c["photo"].read(), crop=crop
            )
        except photos.PhotoError as exc:
            form.add_error("photo", str(exc))
        except services.CollectionError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _(
                    "Photo saved. This is how it will be printed; upload another if it is not right."
                ),
            )
            return redirect("collection:photo_upload")
    return render(
        request,
        "collection/photo_upload.html",
        {
            "form": form,
            "application": application,
            "practitioner": practitioner,
            "sizes": {"min_w": photos.MIN_WIDTH, "min_h": photos.MIN_HEIGHT},
        },
        status=400 if form.errors else 200,
    )


@require_GET
@login_required
def photo(request, pk: int):
    """Stream a photo to its owner or to staff of the owner's bureau; no public URL exists."""
    item = selectors.photo_for(user=request.user, pk=pk)
    field = item.national_image if request.GET.get("size") == "national" else item.image
    response = FileResponse(field.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _pdf_response(application) -> HttpResponse:
    from collection.pdf import application_pdf

    submission = application.submissions.select_related("photo").order_by("-number").first()
    if submission is None:
        raise PermissionDenied
    data = application_pdf(submission)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="application-{application.reference}.pdf"'
    return response


@require_GET
@practitioner_required
def application_pdf(request, practitioner):
    application = selectors.application_of(
        practitioner=practitioner, campaign=selectors.active_campaign()
    )
    if application is None or application.status not in (
        ApplicationStatus.SUBMITTED,
        ApplicationStatus.CONFIRMED,
    ):
        messages.info(request, _("Submit the application first; then you can print the form."))
        return redirect("collection:home")
    return _pdf_response(application)


@require_http_methods(["GET", "POST"])
@staff_required
def staff_application(request, pk: int):
    practitioner, application = selectors.staff_application(user=request.user, practitioner_pk=pk)
    code = None
    if request.method == "POST":
        try:
            code = services.issue_reset_code(practitioner=practitioner, actor=request.user)
        except services.CollectionError as exc:
            messages.error(request, exc.message)
    submission = application.latest_submission if application else None
    return render(
        request,
        "collection/staff_application.html",
        {
            "p": practitioner,
            "application": application,
            "submission": submission,
            "changes": diff.compute_changes(practitioner, submission.data) if submission else [],
            "originals": originals_for(submission.data) if submission else [],
            "submissions": selectors.submissions_of(application=application) if application else [],
            "code": code,
        },
    )


@require_GET
@staff_required
def staff_application_pdf(request, pk: int):
    _practitioner, application = selectors.staff_application(user=request.user, practitioner_pk=pk)
    if application is None or application.reference is None:
        raise PermissionDenied
    return _pdf_response(application)


@require_GET
@staff_required
def campaign_list(request):
    return render(
        request,
        "collection/campaign_list.html",
        {
            "campaigns": selectors.campaigns(),
            "can_edit": register_permissions.is_city_staff(request.user),
        },
    )


@require_http_methods(["GET", "POST"])
@staff_required
def campaign_edit(request, pk: int | None = None):
    if not register_permissions.is_city_staff(request.user):
        raise PermissionDenied
    campaign = selectors.campaign_or_404(pk) if pk else None
    form = CampaignForm(request.POST if request.method == "POST" else None, instance=campaign)
    if request.method == "POST" and form.is_valid():
        services.save_campaign(form=form, actor=request.user)
        messages.success(request, _("Campaign saved."))
        return redirect("collection:campaigns")
    return render(request, "collection/campaign_form.html", {"form": form, "campaign": campaign})


@require_POST
@practitioner_required
def dismiss_notice(request, practitioner, pk: int):
    services.mark_notice_read(user=request.user, pk=pk)
    return redirect("collection:home")
