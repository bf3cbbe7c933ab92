"""The forms a practitioner fills in: the application of a collection campaign, a change
request to the confirmed record (both sectioned, kept as drafts), and contact details."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from collection import diff, selectors, services
from collection.constants import IDENTITY_FIELDS, ApplicationKind, ApplicationStatus
from collection.forms import ApplicationForm, ContactForm
from collection.views.common import add_rule_errors
from practitioners import gate
from practitioners.constants import CONTACT_FIELDS
from practitioners.decorators import collected_required, practitioner_required


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
        form = ApplicationForm(
            request.POST,
            practitioner=practitioner,
            read_only=read_only,
            draft=request.POST.get("action") != "submit",
        )
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
            elif form.is_valid():  # a draft: valid unless a value is longer than its field
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
            else:
                _say_what_to_correct(request, form)
                status = 400
        except services.StaleApplication as exc:
            messages.error(request, exc.message)
            form = _keep_typed(
                practitioner, request.POST, exc.application.revision, read_only, draft=form.draft
            )
            status = 409
        except services.InvalidApplication as exc:
            add_rule_errors(form, exc)
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
        if application is not None:
            form.mark_kept_dates(application.data)
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


def _say_what_to_correct(request, form) -> None:
    """The message above the form names the fields to correct (each has its message beside it:
    on a phone it may be far below)."""
    labels = [str(form.fields[name].label) for name in form.errors if name in form.fields]
    if form.draft:
        message = _(
            "The draft was not saved: some entries are longer than allowed (%(fields)s). Shorten them and save again; see the message beside each."
        )
    else:
        message = _("Some entries need correcting: %(fields)s. See the message beside each.")
    messages.error(request, message % {"fields": "、".join(labels)})


def _keep_typed(practitioner, post, revision: int, read_only=(), *, draft: bool = False):
    """Re-bind the user's own entries with the current revision, so nothing typed is lost."""
    data = post.copy()
    data["revision"] = revision
    return ApplicationForm(data, practitioner=practitioner, read_only=read_only, draft=draft)


def _corrections(form, stored: dict) -> dict:
    """field -> stored value for display, for every field whose current value differs from the record."""
    out = {}
    for name in stored:
        if name == "cert_number" or name not in form.fields:
            continue
        if diff.as_read(name, form[name].value()) != stored[name]:
            out[name] = diff.display(name, stored[name])
    return out


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
            add_rule_errors(form, exc)
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
