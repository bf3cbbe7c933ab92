"""City staff move the records a closed campaign left unconfirmed to the pending pool."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from collection import permissions, selectors, services
from practitioners.decorators import staff_required


@never_cache
@require_http_methods(["GET", "POST"])
@staff_required
def pending_pool(request, pk: int):
    """City staff: the dry run (how many records per bureau would move) and the move itself."""
    if not permissions.can_manage_campaigns(request.user):
        raise PermissionDenied
    campaign = selectors.campaign_or_404(pk)
    status = 200
    if request.method == "POST":
        try:
            moved = services.move_unconfirmed_to_pending(campaign=campaign, actor=request.user)
        except services.CollectionError as exc:
            messages.error(request, exc.message)
            status = 400
        else:
            messages.success(
                request,
                _("%(n)s records moved to the pending pool.") % {"n": f"{moved.total:,}"},
            )
            return redirect("collection:pending_pool", campaign.pk)
    dry_run = services.move_unconfirmed_to_pending(
        campaign=campaign, actor=request.user, dry_run=True
    )
    return render(
        request,
        "collection/pending_pool.html",
        {
            "campaign": campaign,
            "dry_run": dry_run,
            "is_open": timezone.now() >= dry_run.opens_at,
            "pool": selectors.pending_pool_counts(),
        },
        status=status,
    )
