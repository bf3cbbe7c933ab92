from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from business import selectors as business_selectors
from collection import diff, pdf, permissions, photos, selectors, services
from collection.constants import IDENTITY_FIELDS, ApplicationKind, ApplicationStatus
from collection.forms import (
    ActivationForm,
    ApplicationForm,
    CampaignForm,
    ContactForm,
    MoveForm,
    PhotoForm,
    ResetWithCodeForm,
)
from collection.originals import originals_for
from core.clients import client_address
from practitioners import gate
from practitioners import permissions as register_permissions
from practitioners import selectors as register_selectors
from practitioners.constants import CONTACT_FIELDS
from practitioners.decorators import collected_required, practitioner_required, staff_required
from practitioners.models import Bureau
from practitioners.services import record_practitioner_viewed


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
                address=client_address(request),
            )
        except services.CollectionError as exc:
            form.add_error("code", exc.message)
        else:
            messages.success(
                request, _("Your password is set. Log in with your ID number and the new password.")
            )
            return redirect("login")
    return render(request, "collection/reset_with_code.html", {"form": form})


@never_cache
@require_GET
@practitioner_required
def home(request, practitioner):
    campaign = selectors.active_campaign()
    application = selectors.application_of(practitioner=practitioner, campaign=campaign)
    change = selectors.last_change(practitioner=practitioner)
    return render(
        request,
        "collection/practitioner_home.html",
        {
            "practitioner": practitioner,
            "campaign": campaign,
            "application": application,
            "Status": ApplicationStatus,
            "submissions": selectors.submissions_of(application=application) if application else [],
            "notices": selectors.unread_notices(user=request.user),
            "originals": originals_for(application.data)
            if application and application.status != ApplicationStatus.DRAFT
            else [],
            "refusal": gate.refusal(practitioner),
            "did_business_first": business_selectors.did_business_before_collecting(practitioner),
            "change": change,
            "change_originals": _change_originals(practitioner, change),
            "history": register_selectors.record_history(practitioner=practitioner),
        },
    )


def _change_originals(practitioner, change) -> list:
    if change is None or change.status != ApplicationStatus.SUBMITTED:
        return []
    changed = {c.field for c in diff.compute_changes(practitioner, change.data)}
    return originals_for(change.data, kind=ApplicationKind.CHANGE, changed=changed)


def _form_initial(practitioner, application, user) -> dict:
    values = diff.record_values(practitioner)
    if application is not None:
        values.update(application.data)
    else:
        # What the practitioner typed at activation is newer than the bureau's record.
        values["mobile"] = user.mobile or values["mobile"]
        values["email"] = user.email or values["email"]
    values["revision"] = application.revision if application else 0
    values["cert_number"] = practitioner.cert_number
    return values


def _revision(post) -> int | None:
    try:
        return int(post.get("revision"))
    except (TypeError, ValueError):
        return None


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
            request,
            _(
                "Your application is confirmed: the bureau now holds this information. To change it, file a change request."
            ),
        )
        return redirect("collection:home")
    return _sectioned_form(
        request, practitioner, application, kind=ApplicationKind.COLLECTION, campaign=campaign
    )


@never_cache
@require_http_methods(["GET", "POST"])
@collected_required(gate.CHANGE_REQUEST)
def change_form(request, practitioner):
    """信息变更: the same sectioned form, from the confirmed record, for the counter to confirm."""
    application = selectors.open_change(practitioner=practitioner)
    return _sectioned_form(request, practitioner, application, kind=ApplicationKind.CHANGE)


# kind -> (save a draft, submit, read-only fields besides the certificate number, the page)
_FORM_KINDS = {
    ApplicationKind.COLLECTION: (services.save_draft, services.submit_application, ()),
    ApplicationKind.CHANGE: (services.save_change_draft, services.submit_change, CONTACT_FIELDS),
}


def _sectioned_form(request, practitioner, application, *, kind: str, campaign=None):
    """The application form of a collection or a change request: keeps a draft as typed,
    submits what collection.rules accept, and never loses what was typed."""
    save, submit, read_only = _FORM_KINDS[kind]
    stored = diff.record_values(practitioner)
    status = 200
    here = "collection:change" if kind == ApplicationKind.CHANGE else "collection:application"
    if request.method == "POST":
        form = ApplicationForm(request.POST, practitioner=practitioner, read_only=read_only)
        revision = _revision(request.POST)
        try:
            if request.POST.get("action") == "submit":
                if form.is_valid():
                    submit(
                        practitioner=practitioner,
                        actor=request.user,
                        values=form.cleaned_data,
                        revision=revision,
                    )
                    messages.success(
                        request,
                        _(
                            "Submitted. Print the change form and bring it with the originals it lists to the counter."
                        )
                        if kind == ApplicationKind.CHANGE
                        else _(
                            "Submitted. Print the application form, have it sealed if you have an employer, and bring it with the originals to the counter."
                        ),
                    )
                    return redirect("collection:home")
                _say_what_to_correct(request, form)
                status = 400
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
                save(practitioner=practitioner, actor=request.user, data=raw, revision=revision)
                messages.success(request, _("Draft saved. You can come back and finish it later."))
                return redirect(here)
        except services.StaleApplication as exc:
            messages.error(request, exc.message)
            form = _keep_typed(practitioner, request.POST, exc.application.revision, read_only)
            status = 409
        except services.InvalidApplication as exc:
            for name, errors in exc.errors.items():
                for error in errors:
                    form.add_error(name if name in form.fields else None, error)
            _say_what_to_correct(request, form)
            status = 400
        except services.CollectionError as exc:
            messages.error(request, exc.message)
            status = 400
    else:
        form = ApplicationForm(
            initial=_form_initial(practitioner, application, request.user),
            practitioner=practitioner,
            read_only=read_only,
        )
    return render(
        request,
        "collection/application_form.html",
        {
            "form": form,
            "practitioner": practitioner,
            "application": application,
            "is_change": kind == ApplicationKind.CHANGE,
            "photo_id": application.photo_id
            if application
            else selectors.confirmed_photo_id(practitioner=practitioner),
            "Status": ApplicationStatus,
            "corrections": _corrections(form, stored),
            "identity_fields": IDENTITY_FIELDS,
            "campaign": campaign,
        },
        status=status,
    )


@never_cache
@require_http_methods(["GET", "POST"])
@collected_required(gate.CONTACT_CHANGE)
def contact_form(request, practitioner):
    """Mobile, email, address and postcode: changed at once, no counter visit (audited)."""
    initial = {f: getattr(practitioner, f) for f in CONTACT_FIELDS}
    form = ContactForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            changes = services.change_contact(
                practitioner=practitioner, actor=request.user, values=form.cleaned_data
            )
        except services.InvalidApplication as exc:
            for name, errors in exc.errors.items():
                for error in errors:
                    form.add_error(name if name in form.fields else None, error)
        else:
            if changes:
                messages.success(
                    request,
                    _("Contact details changed: %(fields)s.")
                    % {"fields": "、".join(c.label for c in changes)},
                )
            else:
                messages.info(request, _("Nothing changed."))
            return redirect("collection:home")
    return render(
        request,
        "collection/contact_form.html",
        {"form": form, "practitioner": practitioner},
        status=400 if form.errors else 200,
    )


def _say_what_to_correct(request, form) -> None:
    """The message above the form names the fields to correct (each has its message beside it:
    on a phone it may be far below)."""
    labels = [str(form.fields[name].label) for name in form.errors if name in form.fields]
    messages.error(
        request,
        _("Some entries need correcting: %(fields)s. See the message beside each.")
        % {"fields": "、".join(labels)},
    )


def _keep_typed(practitioner, post, revision: int, read_only=()):
    """Re-bind the user's own entries with the current revision, so nothing typed is lost."""
    data = post.copy()
    data["revision"] = revision
    return ApplicationForm(data, practitioner=practitioner, read_only=read_only)


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
    # Read after the upload (which reads and locks them itself): what the page shows now.
    application = selectors.application_of(
        practitioner=practitioner, campaign=selectors.active_campaign()
    )
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


@never_cache  # a face: no copy kept by browsers or proxies
@require_GET
@login_required
def photo(request, pk: int):
    """Stream a photo to its owner or to staff of the owner's bureau; no public URL exists.
    Staff views are audited."""
    item = selectors.photo_for(user=request.user, pk=pk)
    if register_permissions.is_staff_member(request.user):
        record_practitioner_viewed(actor=request.user, practitioner=item.practitioner, what="photo")
    field = item.national_image if request.GET.get("size") == "national" else item.image
    response = FileResponse(field.open("rb"), content_type="image/jpeg")
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _form_response(request, application, *, back: str):
    """The printed form of the application's latest version; while the worker is still to
    render it, a page (202) that tries again by itself every few seconds."""
    submission = application.latest_submission
    if submission is None:
        raise PermissionDenied
    kept = pdf.kept_application_form(submission)
    if kept is None:
        if pdf.worker_renders_soon(submission):
            refresh = pdf.waiting_page_refresh(submission)
            response = render(
                request,
                "collection/form_pending.html",
                {"back": back, "refresh": refresh},
                status=202,
            )
            response["Retry-After"] = str(refresh)
            return response
        kept = pdf.stored_application_form(submission)
    return FileResponse(
        kept,
        content_type="application/pdf",
        filename=f"application-{application.reference}.pdf",
    )


@never_cache
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
    return _form_response(request, application, back=reverse("collection:home"))


@never_cache
@require_GET
@practitioner_required
def change_pdf(request, practitioner):
    """The printed change form of the practitioner's last submitted change request."""
    application = selectors.last_change(practitioner=practitioner)
    if application is None or application.status not in (
        ApplicationStatus.SUBMITTED,
        ApplicationStatus.CONFIRMED,
    ):
        messages.info(request, _("Submit the change request first; then you can print its form."))
        return redirect("collection:home")
    return _form_response(request, application, back=reverse("collection:home"))


def _staff_application_context(request, practitioner, application, code=None) -> dict:
    versions = []
    if application is not None:
        for submission in selectors.submissions_of(application=application):
            versions.append((submission, diff.changes_between(submission.record, submission.data)))
    submission = versions[0][0] if versions else None
    return {
        "p": practitioner,
        "application": application,
        "Status": ApplicationStatus,
        "submission": submission,
        "versions": versions,
        "originals": originals_for(submission.data) if submission else [],
        "can_issue_code": permissions.can_issue_reset_code(request.user, practitioner),
        "code": code,
    }


@never_cache
@require_GET
@staff_required
def staff_application(request, pk: int):
    practitioner, application = selectors.staff_application(user=request.user, practitioner_pk=pk)
    record_practitioner_viewed(actor=request.user, practitioner=practitioner, what="application")
    return render(
        request,
        "collection/staff_application.html",
        _staff_application_context(request, practitioner, application),
    )


@never_cache
@require_POST
@staff_required
def issue_reset_code(request, pk: int):
    """The counter clerk of the person's bureau gives them a one-time code; shown once, here."""
    practitioner, application = selectors.staff_application(user=request.user, practitioner_pk=pk)
    if not permissions.can_issue_reset_code(request.user, practitioner):
        raise PermissionDenied
    code = None
    try:
        code = services.issue_reset_code(practitioner=practitioner, actor=request.user)
    except services.CollectionError as exc:
        messages.error(request, exc.message)
    return render(
        request,
        "collection/staff_application.html",
        _staff_application_context(request, practitioner, application, code=code),
    )


@never_cache
@require_GET
@staff_required
def staff_application_pdf(request, pk: int):
    practitioner, application = selectors.staff_application(user=request.user, practitioner_pk=pk)
    if application is None or application.reference is None:
        raise PermissionDenied
    record_practitioner_viewed(actor=request.user, practitioner=practitioner, what="form")
    back = reverse("collection:staff_application", args=[practitioner.pk])
    return _form_response(request, application, back=back)


@require_http_methods(["GET", "POST"])
@staff_required
def move_practitioner(request, pk: int):
    """City staff move a person to another bureau (their open application goes with them)."""
    if not register_permissions.can_move_practitioner(request.user):
        raise PermissionDenied
    practitioner = register_selectors.get_practitioner_for(user=request.user, pk=pk)
    form = MoveForm(
        request.POST if request.method == "POST" else None,
        bureaus=register_selectors.bureaus_for(user=request.user).exclude(
            pk=practitioner.bureau_id
        ),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.move_practitioner(
                practitioner=practitioner,
                bureau=form.cleaned_data["bureau"],
                actor=request.user,
                reason=form.cleaned_data["reason"],
            )
        except services.CollectionError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("Moved to %(bureau)s, with any open application.")
                % {"bureau": form.cleaned_data["bureau"].name},
            )
            return redirect("practitioners:detail", practitioner.pk)
    return render(
        request,
        "collection/practitioner_move.html",
        {"p": practitioner, "form": form},
        status=400 if form.errors else 200,
    )


@require_GET
@staff_required
def campaign_list(request):
    return render(
        request,
        "collection/campaign_list.html",
        {
            "campaigns": selectors.campaigns(),
            "can_edit": permissions.can_manage_campaigns(request.user),
        },
    )


@require_http_methods(["GET", "POST"])
@staff_required
def campaign_edit(request, pk: int | None = None):
    if not permissions.can_manage_campaigns(request.user):
        raise PermissionDenied
    campaign = selectors.campaign_or_404(pk) if pk else None
    form = CampaignForm(request.POST if request.method == "POST" else None, instance=campaign)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.save_campaign(campaign=campaign, values=form.cleaned_data, actor=request.user)
        except services.InvalidApplication as exc:
            for name, errors in exc.errors.items():
                for error in errors:
                    form.add_error(name if name in form.fields else None, error)
        else:
            messages.success(request, _("Campaign saved."))
            return redirect("collection:campaigns")
    if form.errors:
        status = 400
    return render(
        request,
        "collection/campaign_form.html",
        {"form": form, "campaign": campaign},
        status=status,
    )


@never_cache
@require_http_methods(["GET", "POST"])
@staff_required
def pending_pool(request, pk: int):
    """City staff: the dry run (how many records per bureau would move) and the move itself."""
    if not permissions.can_manage_campaigns(request.user):
        raise PermissionDenied
    campaign = selectors.campaign_or_404(pk)
    status = 200
    if request.method == "POST":
        try:
            moved = services.move_unconfirmed_to_pending(campaign=campaign, actor=request.user)
        except services.CollectionError as exc:
            messages.error(request, exc.message)
            status = 400
        else:
            messages.success(
                request,
                _("%(n)s records moved to the pending pool.") % {"n": f"{moved.total:,}"},
            )
            return redirect("collection:pending_pool", campaign.pk)
    dry_run = services.move_unconfirmed_to_pending(
        campaign=campaign, actor=request.user, dry_run=True
    )
    return render(
        request,
        "collection/pending_pool.html",
        {
            "campaign": campaign,
            "dry_run": dry_run,
            "is_open": timezone.now() >= dry_run.opens_at,
            "pool": selectors.pending_pool_counts(),
        },
        status=status,
    )


@require_POST
@practitioner_required
def dismiss_notice(request, practitioner, pk: int):
    services.mark_notice_read(user=request.user, pk=pk)
    return redirect("collection:home")
