from django.contrib.auth.decorators import login_required
from django.http import HttpResponsePermanentRedirect
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.views.decorators.http import require_GET

from practitioners import permissions
from practitioners.constants import Role


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
