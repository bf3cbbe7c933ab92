import json

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounting_registry import personal_data
from core import throttle
from core.pdf import render_to_pdf
from practitioners import permissions
from practitioners.constants import AuditAction, Role
from practitioners.decorators import practitioner_required, staff_required
from practitioners.services import record_event


@login_required
def home(request):
    """Send each user to the page of their role."""
    if permissions.is_city_staff(request.user):
        return redirect("practitioners:bureau_overview")
    if permissions.is_staff_member(request.user):
        return redirect("practitioners:list")
    if request.user.role == Role.PRACTITIONER and hasattr(request.user, "practitioner"):
        return redirect("collection:home")
    return render(request, "practitioners/no_access.html", status=403)


@require_GET
def favicon(request):
    """Browsers ask for /favicon.ico; the icon is the static SVG. Its URL is looked up per
    request, not when the URL configuration loads: with the production storage that needs
    the manifest `collectstatic` writes, which `migrate` and `check` must not depend on."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))


@require_GET
@practitioner_required
def my_data(request, practitioner):
    """The practitioner's own data, to download (个人信息保护法 art. 45): what it holds and the
    two files (accounting_registry.personal_data)."""
    return render(request, "personal_data/page.html", {"practitioner": practitioner})


@never_cache
@require_GET
@practitioner_required
def my_data_download(request, practitioner, kind: str):
    """Everything the registry holds about the practitioner, as JSON or as a readable PDF;
    audited; ten an hour at most (core.throttle.MY_DATA: the PDF is drawn on request)."""
    account = str(request.user.pk)
    try:
        throttle.check(throttle.MY_DATA, account=account)
    except throttle.Throttled as exc:
        context = {"practitioner": practitioner, "throttled": throttle.message(exc.until)}
        return render(request, "personal_data/page.html", context, status=429)
    throttle.record(throttle.MY_DATA, account=account)
    data = personal_data.gather(practitioner)
    record_event(
        actor=request.user, action=AuditAction.DATA_DOWNLOADED, practitioner=practitioner, kind=kind
    )
    day = timezone.localdate().isoformat()
    if kind == "json":
        body = json.dumps(data, ensure_ascii=False, indent=1, cls=DjangoJSONEncoder)
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
        name = f"my-data-{day}.json"
    else:
        _html, pdf_bytes = render_to_pdf("pdf/personal_data.html", personal_data.readable(data))
        response = HttpResponse(pdf_bytes, content_type="application/pdf")
        name = f"my-data-{day}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@staff_required
def processing_record(request):
    """The record of processing (个人信息处理活动记录, PIPL art. 54 / GB/T 35273 §11): what
    personal data the registry keeps, why, who sees it and for how long; city staff print it.
    The periods come from the settings in force."""
    if not permissions.is_city_staff(request.user):
        raise PermissionDenied
    return render(
        request,
        "personal_data/processing.html",
        {
            "audit_days": settings.AUDIT_RETENTION_DAYS,
            "idle_minutes": settings.REGISTRY_STAFF_IDLE_SECONDS // 60,
            "unused_days": settings.REGISTRY_STAFF_UNUSED_DAYS,
            "session_hours": settings.SESSION_COOKIE_AGE // 3600,
            "photo_days": settings.REGISTRY_RETENTION_DAYS["photos"],
        },
    )
