"""City staff move a person to another bureau."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from collection import services
from collection.forms import MoveForm
from practitioners import permissions as register_permissions
from practitioners import selectors as register_selectors
from practitioners.decorators import staff_required


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
