"""The counter's day sheet: a day's confirmations and returns at a bureau's counter, per clerk,
on screen or as a PDF."""

import datetime

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from confirmation import pdf, permissions, selectors
from confirmation.forms import DayForm
from confirmation.views.common import bureau_param
from practitioners.decorators import staff_required


@never_cache  # whole ID numbers
@require_GET
@staff_required
def day_sheet(request):
    bureau = bureau_param(request)
    if not permissions.can_view(request.user, bureau):
        raise PermissionDenied
    form = DayForm(request.GET or None, initial={"day": timezone.localdate()})
    day = form.cleaned_data["day"] if form.is_valid() else timezone.localdate()
    sheet = selectors.day_sheet(bureau=bureau, day=day)
    if request.GET.get("format") == "pdf":
        response = HttpResponse(
            pdf.day_sheet_pdf(bureau=bureau, day=day, sheet=sheet), content_type="application/pdf"
        )
        response["Content-Disposition"] = (
            f'inline; filename="counter-{bureau.code}-{day:%Y%m%d}.pdf"'
        )
        return response
    return render(
        request,
        "confirmation/day_sheet.html",
        {
            "form": form,
            "bureau": bureau,
            "day": day,
            "sheet": sheet,
            "previous": day - datetime.timedelta(days=1),
            "next": day + datetime.timedelta(days=1),
        },
    )
