import io
import tempfile

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from core.pagination import DeferredJoinPaginator
from practitioners import (
    audit,
    permissions,
    registerfile,
    reports,
    selectors,
    services,
    twofactor,
)
from practitioners.decorators import staff_access_required, staff_required
from practitioners.forms import (
    EnrolmentCodeForm,
    ExportForm,
    IssueEnrolmentCodeForm,
    PractitionerForm,
    SearchForm,
    TokenForm,
)

PAGE_SIZE = 50


@require_GET
@staff_required
def practitioner_list(request):
    show_bureau = permissions.is_city_staff(request.user)
    bureaus = selectors.bureaus_for(user=request.user) if show_bureau else None
    form = SearchForm(request.GET or None, bureaus=bureaus)
    query, bureau = "", None
    if form.is_valid():
        query = form.cleaned_data["q"]
        bureau = form.cleaned_data.get("bureau")
    practitioners = selectors.search_practitioners(user=request.user, query=query, bureau=bureau)
    if form.is_bound and not form.is_valid():
        # The error says what to change; a list of everyone would read as the search's answer.
        page = None
    elif selectors.exact_number(query):
        # The counter's hot path (a scanned or typed number): at most two people, read in one
        # query, without counting them first.
        page = Paginator(list(practitioners), PAGE_SIZE).get_page(1)
    else:
        page = DeferredJoinPaginator(practitioners, PAGE_SIZE).get_page(request.GET.get("page"))
    # Where each person on the page stands, as a column: one query, however many rows.
    standings = {}
    if page is not None:
        page.object_list = list(page.object_list)  # read once, for the rows and their states
        standings = selectors.standings(page.object_list)
    return render(
        request,
        "practitioners/practitioner_list.html",
        {
            "form": form,
            "page": page,
            "standings": standings,
            "query": query,
            "bureau": bureau,
            "show_bureau": show_bureau,
            "bureau_choices": bureaus,
            "can_manage": permissions.can_manage_register(request.user),
        },
    )


@never_cache  # the whole ID number: no copy kept by browsers or proxies
@require_GET
@staff_required
def practitioner_detail(request, pk: int):
    practitioner = selectors.get_practitioner_for(user=request.user, pk=pk)
    services.record_practitioner_viewed(actor=request.user, practitioner=practitioner)
    return render(
        request,
        "practitioners/practitioner_detail.html",
        {
            "p": practitioner,
            "standing": selectors.standings([practitioner])[practitioner.pk],
            "id_warnings": selectors.id_number_warnings(practitioner),
            "events": selectors.recent_events(practitioner=practitioner),
            "history": selectors.record_history(practitioner=practitioner),
            "can_move": permissions.can_move_practitioner(request.user),
        },
    )


@require_GET
@staff_required
def bureau_overview(request):
    bureaus = selectors.bureau_overview(user=request.user)
    totals = {
        key: sum(getattr(b, key) for b in bureaus)
        for key in ("practitioner_count", "confirmed_count", "in_post_count", "account_count")
    }
    return render(
        request, "practitioners/bureau_overview.html", {"bureaus": bureaus, "totals": totals}
    )


@never_cache
@require_GET
@staff_required
def import_problems(request, token: str):
    """The complete problem report of the user's own import (a CSV file for Excel)."""
    if not permissions.can_manage_register(request.user):
        raise PermissionDenied
    report = reports.open_report(user=request.user, token=token)
    if report is None:
        raise Http404
    return FileResponse(
        report,
        as_attachment=True,
        filename="import-problems.csv",
        content_type=registerfile.CONTENT_TYPES["csv"],
    )


@require_GET
@staff_required
def import_template(request):
    """The register file to fill in: the column names on the first sheet, an example and the
    values of each coded column on the second (registerfile.write_template)."""
    if not permissions.can_manage_register(request.user):
        raise PermissionDenied
    out = io.BytesIO()
    registerfile.write_template(out)
    out.seek(0)
    return FileResponse(
        out,
        as_attachment=True,
        filename="register-template.xlsx",
        content_type=registerfile.CONTENT_TYPES["xlsx"],
    )


@never_cache  # every ID number of the bureau
@require_GET
@staff_required
def register_export(request):
    if not permissions.can_manage_register(request.user):
        raise PermissionDenied
    bureaus = selectors.bureaus_for(user=request.user)
    if not permissions.is_city_staff(request.user):
        bureaus = bureaus.filter(pk=request.user.bureau_id)
    form = ExportForm(request.GET or None, bureaus=bureaus)
    if not request.GET or not form.is_valid():
        return render(request, "practitioners/register_export.html", {"form": form})
    fmt = form.cleaned_data["format"]
    bureau = form.cleaned_data["bureau"]
    if bureau is None and not permissions.is_city_staff(request.user):
        bureau = request.user.bureau
    queryset = selectors.practitioners_for(user=request.user)
    filename = (
        f"practitioners-{bureau.code if bureau else 'all'}-{timezone.localdate():%Y%m%d}.{fmt}"
    )
    if fmt == "xlsx":
        spool = tempfile.TemporaryFile()
        services.export_register(
            actor=request.user, fmt=fmt, out=spool, bureau=bureau, queryset=queryset
        )
        spool.seek(0)
        return FileResponse(
            spool,
            as_attachment=True,
            filename=filename,
            content_type=registerfile.CONTENT_TYPES[fmt],
        )
    stream = services.stream_register(actor=request.user, fmt=fmt, bureau=bureau, queryset=queryset)
    response = StreamingHttpResponse(stream, content_type=registerfile.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_http_methods(["GET", "POST"])
@staff_required
def practitioner_create(request):
    """Add a holder the register lacks (they were told to come to the bureau)."""
    if not permissions.can_add_practitioner(request.user):
        raise PermissionDenied
    bureaus = selectors.bureaus_for(user=request.user)
    form = PractitionerForm(request.POST if request.method == "POST" else None, bureaus=bureaus)
    if request.method == "POST" and form.is_valid():
        practitioner = services.create_practitioner(actor=request.user, values=form.cleaned_data)
        messages.success(request, _("Added. The practitioner can now activate an account online."))
        return redirect("practitioners:detail", practitioner.pk)
    return render(request, "practitioners/practitioner_form.html", {"form": form})


@never_cache
@require_GET
@staff_required
def audit_trail(request):
    """City staff search the audit trail; `format=csv|xlsx` exports what the filters find."""
    if not permissions.can_read_audit(request.user):
        raise PermissionDenied
    form = audit.AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    fmt = request.GET.get("format")
    if fmt in ("csv", "xlsx") and form.is_valid():
        data = audit.export(actor=request.user, filters=filters, fmt=fmt)
        response = HttpResponse(data, content_type=registerfile.CONTENT_TYPES[fmt])
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.{fmt}"'
        return response
    # A filter's error says what to change; a page of every event would read as its answer.
    page = None if form.errors else audit.page(filters, request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    return render(
        request,
        "practitioners/audit_trail.html",
        {"form": form, "page": page, "query": query.urlencode()},
        status=400 if form.errors else 200,
    )


@never_cache
@require_http_methods(["GET", "POST"])
@staff_access_required
def two_factor(request):
    """Turn the second factor on (QR code, then the first code) or off. Those who must have one
    type an enrolment code first (practitioners.twofactor): until then no secret is made or
    shown."""
    device = twofactor.device_of(request.user)
    unlocked = device is not None or twofactor.enrolment_unlocked(request)
    form = TokenForm(request.POST if request.method == "POST" and unlocked else None)
    code_form = EnrolmentCodeForm(
        request.POST if request.method == "POST" and not unlocked else None
    )
    if request.method == "POST":
        if request.POST.get("action") == "off":
            try:
                twofactor.turn_off(request=request)
            except twofactor.SecondFactorError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("The second factor is off."))
            return redirect("two_factor")
        if not unlocked:
            if code_form.is_valid():
                try:
                    twofactor.redeem_enrolment_code(
                        request=request, code=code_form.cleaned_data["code"]
                    )
                except twofactor.SecondFactorError as exc:
                    code_form.add_error("code", exc.message)
                else:
                    return redirect("two_factor")
        elif form.is_valid():
            try:
                twofactor.confirm_setup(request=request, token=form.cleaned_data["token"])
            except twofactor.SecondFactorError as exc:
                form.add_error("token", exc.message)
            else:
                messages.success(
                    request, _("The second factor is on: from now on you log in with a code too.")
                )
                return redirect("home")
    pending = twofactor.pending_device(request.user) if unlocked and not device else None
    return render(
        request,
        "registration/two_factor.html",
        {
            "device": device,
            "form": form,
            "code_form": None if unlocked else code_form,
            "qr": twofactor.qr_svg_data_uri(pending.config_url) if pending else None,
            "secret": twofactor.secret_for_typing(pending) if pending else None,
            "required": twofactor.must_have(request.user),
        },
        status=400 if form.errors or (not unlocked and code_form.errors) else 200,
    )


@never_cache
@require_http_methods(["GET", "POST"])
@staff_required
def two_factor_enrolment_codes(request):
    """A city administrator issues the one-time code another account types before it may set up
    its second factor; the code is shown on this answer only. Lists the codes issued lately
    (never the codes themselves)."""
    if not permissions.can_issue_enrolment_codes(request.user):
        raise PermissionDenied
    if twofactor.must_have(request.user) and not request.user.is_verified():
        raise PermissionDenied  # the middleware sends them to the code first
    accounts = twofactor.enrolment_candidates(request.user)
    form = IssueEnrolmentCodeForm(
        request.POST if request.method == "POST" else None, accounts=accounts
    )
    issued = None
    if form.is_valid():
        account = form.cleaned_data["account"]
        try:
            code = twofactor.issue_enrolment_code(account=account, issued_by=request.user)
        except twofactor.SecondFactorError as exc:
            form.add_error("account", exc.message)
        else:
            issued = {"account": account, "code": code}
            form = IssueEnrolmentCodeForm(accounts=accounts)
    return render(
        request,
        "registration/enrolment_codes.html",
        {
            "form": form,
            "issued": issued,
            "lifetime_hours": int(twofactor.ENROLMENT_CODE_LIFETIME.total_seconds() // 3600),
            "recent": twofactor.recent_enrolment_codes(),
        },
        status=400 if form.errors else 200,
    )


@never_cache
@require_http_methods(["GET", "POST"])
@staff_access_required
def two_factor_verify(request):
    """The code after the password, for staff with a second factor."""
    if twofactor.device_of(request.user) is None:
        return redirect("two_factor")
    form = TokenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            twofactor.verify(request=request, token=form.cleaned_data["token"])
        except twofactor.SecondFactorError as exc:
            form.add_error("token", exc.message)
        else:
            target = request.GET.get("next", "")
            if not url_has_allowed_host_and_scheme(
                target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
            ):
                target = reverse("home")
            return redirect(target)
    return render(
        request,
        "registration/two_factor_verify.html",
        {"form": form},
        status=400 if form.errors else 200,
    )
