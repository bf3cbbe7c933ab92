"""The practitioner's own pages around the application: the home page, notices, the photo,
and the printed application and change forms."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from collection import diff, photos, selectors, services
from collection.constants import ApplicationKind, ApplicationStatus
from collection.forms import PhotoForm
from collection.originals import originals_for
from collection.views.common import form_response, print_page_response
from core.storage import is_store_unavailable
from practitioners import gate
from practitioners import permissions as register_permissions
from practitioners import selectors as register_selectors
from practitioners.decorators import practitioner_required
from practitioners.services import record_practitioner_viewed


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


@require_POST
@practitioner_required
def dismiss_notice(request, practitioner, pk: int):
    services.mark_notice_read(user=request.user, pk=pk)
    return redirect("collection:home")


@never_cache
@require_http_methods(["GET", "POST"])
@practitioner_required
def photo_upload(request, practitioner):
    form = PhotoForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    store_busy = False
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
        except Exception as exc:
            if not is_store_unavailable(exc):
                raise
            # The object store refuses for a moment: the page again, with a word by the field.
            form.add_error(
                "photo",
                _("The file store is busy: please choose the photo again in a minute."),
            )
            store_busy = True
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
    response = render(
        request,
        "collection/photo_upload.html",
        {
            "form": form,
            "application": application,
            "practitioner": practitioner,
            "sizes": {"min_w": photos.MIN_WIDTH, "min_h": photos.MIN_HEIGHT},
        },
        status=503 if store_busy else 400 if form.errors else 200,
    )
    if store_busy:
        response["Retry-After"] = "60"
    return response


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


@never_cache
@require_GET
@practitioner_required
def application_pdf(request, practitioner):
    """The stored PDF of the application form (a page that waits while the worker renders it)."""
    return _form(request, practitioner, "application", page=False)


@never_cache
@require_GET
@practitioner_required
def application_print(request, practitioner):
    """The application form as a page to print at once (the PDF follows from the worker)."""
    return _form(request, practitioner, "application", page=True)


@never_cache
@require_GET
@practitioner_required
def change_print(request, practitioner):
    """The change form of the last change request, as a page to print at once."""
    return _form(request, practitioner, "change", page=True)


@never_cache
@require_GET
@practitioner_required
def change_pdf(request, practitioner):
    """The stored PDF of the practitioner's last submitted change request's form."""
    return _form(request, practitioner, "change", page=False)


_NOT_SUBMITTED = {
    "application": gettext_lazy("Submit the application first; then you can print the form."),
    "change": gettext_lazy("Submit the change request first; then you can print its form."),
}


def _form(request, practitioner, kind: str, *, page: bool):
    """The form of the application (kind "application") or of the last change request, as the
    print page or as the stored PDF; back home with a word when nothing was submitted."""
    if kind == "application":
        campaign = selectors.active_campaign()
        application = selectors.application_of(practitioner=practitioner, campaign=campaign)
    else:
        application = selectors.last_change(practitioner=practitioner)
    if not _printable(application):
        messages.info(request, _NOT_SUBMITTED[kind])
        return redirect("collection:home")
    home = reverse("collection:home")
    if page:
        pdf_url = reverse(f"collection:{kind}_pdf")
        return print_page_response(request, application, back=home, pdf_url=pdf_url)
    return form_response(request, application, back=home)


def _printable(application) -> bool:
    """A form exists to print: the application (or change request) was submitted."""
    return application is not None and application.status in (
        ApplicationStatus.SUBMITTED,
        ApplicationStatus.CONFIRMED,
    )
