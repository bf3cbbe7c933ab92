from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from business import permissions, registerimport, selectors, services
from business.constants import RegistrationKind, RegistrationStatus
from business.forms import DecisionForm, EducationForm, OnPostForm
from practitioners import gate, registerfile, reports
from practitioners import permissions as register_permissions
from practitioners import selectors as register_selectors
from practitioners.decorators import collected_required, staff_required
from practitioners.forms import ImportForm

# Problems listed on the import page; every one is in the downloadable report.
PROBLEMS_SHOWN = 200

# kind -> (form, service, page title)
_REGISTER = {
    RegistrationKind.ON_POST: (OnPostForm, services.register_on_post),
    RegistrationKind.EDUCATION: (EducationForm, services.register_education),
}


def _registration_page(request, practitioner, kind: str):
    form_class, service = _REGISTER[kind]
    form = form_class(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                service(practitioner=practitioner, actor=request.user, values=form.cleaned_data)
            except services.InvalidRegistration as exc:
                for name, errors in exc.errors.items():
                    for error in errors:
                        form.add_error(name if name in form.fields else None, error)
            except services.BusinessError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(
                    request, _("Registered. The bureau approves it or tells you what is missing.")
                )
                return redirect(request.path)
        status = 400
    records = selectors.registrations_of(practitioner=practitioner)[kind]
    return render(
        request,
        "business/register.html",
        {
            "form": form,
            "kind": kind,
            "title": RegistrationKind(kind).label,
            "records": records,
            "waiting": any(r.status == RegistrationStatus.SUBMITTED for r in records),
            "Status": RegistrationStatus,
            "Kind": RegistrationKind,
        },
        status=status,
    )


@never_cache
@require_http_methods(["GET", "POST"])
@collected_required(gate.ON_POST_REGISTRATION)
def on_post(request, practitioner):
    return _registration_page(request, practitioner, RegistrationKind.ON_POST)


@never_cache
@require_http_methods(["GET", "POST"])
@collected_required(gate.CONTINUING_EDUCATION)
def education(request, practitioner):
    return _registration_page(request, practitioner, RegistrationKind.EDUCATION)


def _bureau_param(request):
    """The bureau the page is about (404 outside the user's scope; 403 if they may not see it)."""
    bureau = register_selectors.chosen_bureau(user=request.user, code=request.GET.get("bureau"))
    if not permissions.can_see_bureau(request.user, bureau):
        raise PermissionDenied
    return bureau


def _bureaus_to_pick(request):
    """City staff pick a bureau (practitioners/_bureau_picker.html); the others see their own."""
    if register_permissions.is_city_staff(request.user):
        return register_selectors.bureaus_for(user=request.user)
    return None


@never_cache
@require_GET
@staff_required
def decisions(request):
    """The registrations of the bureau's people that wait for a clerk."""
    bureau = _bureau_param(request)
    waiting = selectors.waiting(bureau=bureau)
    return render(
        request,
        "business/decisions.html",
        {
            "bureau": bureau,
            "waiting": waiting,
            "overlaps": selectors.change_overlaps(registrations=waiting[RegistrationKind.ON_POST]),
            "Kind": RegistrationKind,
            "can_decide": permissions.can_decide_for(request.user, bureau),
            "bureaus": _bureaus_to_pick(request),
            "form": DecisionForm(),
        },
    )


@never_cache
@require_POST
@staff_required
def decide(request, kind: str, pk: int):
    registration = selectors.registration_for(user=request.user, kind=kind, pk=pk)
    if not permissions.can_decide(request.user, registration.practitioner):
        raise PermissionDenied
    form = DecisionForm(request.POST)
    back = redirect(f"{_decisions_url(request, registration)}#{kind}-{registration.pk}")
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, f"{registration.practitioner.name}: {error}")
        return back
    try:
        if form.cleaned_data["action"] == "approve":
            services.approve_registration(registration=registration, actor=request.user)
            messages.success(
                request, _("Approved: %(name)s.") % {"name": registration.practitioner.name}
            )
        else:
            services.return_registration(
                registration=registration, actor=request.user, reason=form.cleaned_data["reason"]
            )
            messages.success(
                request, _("Returned: %(name)s.") % {"name": registration.practitioner.name}
            )
    except services.BusinessError as exc:
        messages.warning(request, exc.message)
    return back


def _decisions_url(request, registration) -> str:
    url = reverse("business:decisions")
    if register_permissions.is_city_staff(request.user):
        url += f"?bureau={registration.practitioner.bureau.code}"
    return url


@never_cache
@require_GET
@staff_required
def flagged(request):
    """The bureau's people who did business before their collection was confirmed."""
    bureau = _bureau_param(request)
    people = selectors.flagged(bureau=bureau)
    return render(
        request,
        "business/flagged.html",
        {
            "bureau": bureau,
            "rows": [(p, selectors.standing(p)) for p in people[:500]],
            "count": people.count(),
            "bureaus": _bureaus_to_pick(request),
        },
    )


@never_cache
@require_GET
@staff_required
def flagged_export(request, fmt: str):
    bureau = _bureau_param(request)
    data = services.export_flagged(actor=request.user, bureau=bureau, fmt=fmt)
    response = HttpResponse(data, content_type=registerfile.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = (
        f'attachment; filename="business-before-collection-{bureau.code}.{fmt}"'
    )
    return response


# The register import page: the register file with the business done before the system that
# its rows carry (business.registerimport), so it lives in the app above both.
@never_cache  # problems quote the file's ID numbers
@require_http_methods(["GET", "POST"])
@staff_required
def register_import(request):
    if not register_permissions.can_manage_register(request.user):
        raise PermissionDenied
    bound = request.method == "POST"
    form = ImportForm(request.POST if bound else None, request.FILES if bound else None)
    result = file_error = report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = registerimport.import_register(
                actor=request.user,
                data=upload.read(),
                filename=upload.name,
                skip_invalid=form.cleaned_data["skip_invalid"],
                dry_run=form.cleaned_data["dry_run"],
            )
        except registerfile.RegisterFileError as exc:
            file_error = str(exc)
            form.add_error("file", file_error)
        if result is not None and result.written:
            messages.success(request, _("The register file was imported."))
        if result is not None and result.problems:
            report = reports.keep_report(user=request.user, problems=result.problems)
    return render(
        request,
        "practitioners/register_import.html",
        {
            "form": form,
            "result": result,
            "problems_shown": result.problems[:PROBLEMS_SHOWN] if result else [],
            "report": report,
            "columns": registerfile.COLUMNS,
            "earlier_columns": registerfile.EARLIER_COLUMNS,
            "max_rows": registerfile.max_rows(),
        },
        status=200 if file_error is None else 400,
    )
