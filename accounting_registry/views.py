from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

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
