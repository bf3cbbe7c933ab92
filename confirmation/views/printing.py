"""Printing at the counter: the confirmation record onto the certificate, the bureau's print
settings and their calibration page. Every print is logged."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from confirmation import pdf, permissions, selectors, services
from confirmation.forms import PrintSettingsForm, ReprintForm
from confirmation.views.common import bureau_param
from practitioners.decorators import staff_required


@never_cache
@require_POST
@staff_required
def certificate(request, pk: int):
    """Print (or reprint, with a reason) the confirmation record; every print is logged."""
    confirmation = selectors.confirmation_for(user=request.user, pk=pk)
    if not permissions.can_act(request.user, confirmation.bureau):
        raise PermissionDenied
    form = ReprintForm(request.POST)
    form.is_valid()
    try:
        services.log_print(
            confirmation=confirmation,
            bureau=confirmation.bureau,
            actor=request.user,
            reason=form.cleaned_data.get("reason", ""),
        )
    except services.CounterError as exc:
        # This answer opens in the print tab: say what is missing there, and leave the
        # review (in the tab the clerk came from) as it is.
        return render(
            request,
            "confirmation/print_refused.html",
            {"message": exc.message, "confirmation": confirmation},
            status=400,
        )
    data = pdf.certificate_pdf(confirmation, services.print_settings_for(confirmation.bureau))
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="confirmation-{confirmation.archive_number}.pdf"'
    )
    return response


@require_http_methods(["GET", "POST"])
@staff_required
def print_settings(request):
    bureau = bureau_param(request)
    if not permissions.can_manage_printer(request.user, bureau):
        raise PermissionDenied
    settings = services.print_settings_for(bureau)
    form = PrintSettingsForm(request.POST or None, instance=settings)
    if request.method == "POST" and form.is_valid():
        services.save_print_settings(bureau=bureau, values=form.cleaned_data, actor=request.user)
        messages.success(
            request, _("Print settings saved. Print the calibration page to check them.")
        )
        return redirect("confirmation:print_settings")
    return render(
        request,
        "confirmation/print_settings.html",
        {"form": form, "bureau": bureau, "settings": settings},
    )


@require_POST
@staff_required
def calibration(request):
    """Print the calibration page (a POST: each print is logged)."""
    bureau = bureau_param(request)
    if not permissions.can_manage_printer(request.user, bureau) and not permissions.can_act(
        request.user, bureau
    ):
        raise PermissionDenied
    settings = services.print_settings_for(bureau)
    services.log_print(confirmation=None, bureau=bureau, actor=request.user, calibration=True)
    response = HttpResponse(pdf.calibration_pdf(settings), content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="calibration.pdf"'
    return response
