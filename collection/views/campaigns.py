"""City staff list and edit the collection campaigns."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from collection import permissions, selectors, services
from collection.forms import CampaignForm
from collection.views.common import add_rule_errors
from practitioners.decorators import staff_required


@require_GET
@staff_required
def campaign_list(request):
    return render(
        request,
        "collection/campaign_list.html",
        {
            "campaigns": selectors.campaigns(),
            "can_edit": permissions.can_manage_campaigns(request.user),
        },
    )


@require_http_methods(["GET", "POST"])
@staff_required
def campaign_edit(request, pk: int | None = None):
    if not permissions.can_manage_campaigns(request.user):
        raise PermissionDenied
    campaign = selectors.campaign_or_404(pk) if pk else None
    form = CampaignForm(request.POST if request.method == "POST" else None, instance=campaign)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.save_campaign(campaign=campaign, values=form.cleaned_data, actor=request.user)
        except services.InvalidApplication as exc:
            add_rule_errors(form, exc)
        else:
            messages.success(request, _("Campaign saved."))
            return redirect("collection:campaigns")
    if form.errors:
        status = 400
    return render(
        request,
        "collection/campaign_form.html",
        {"form": form, "campaign": campaign},
        status=status,
    )
