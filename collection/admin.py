from django.contrib import admin

from collection import permissions, services
from collection.forms import CampaignForm
from collection.models import Application, Campaign, Submission
from core.admin import ReadOnlyAdmin, ServiceAdmin


@admin.register(Campaign)
class CampaignAdmin(ServiceAdmin):
    """Changed through collection.services.save_campaign: one active campaign, audited. New
    campaigns are made on the Campaigns page."""

    form = CampaignForm
    list_display = ("name", "start_date", "plan_due_date", "collection_due_date", "is_active")
    fields = (
        "name",
        "start_date",
        "plan_due_date",
        "collection_due_date",
        "report_weekday",
        "active",
    )

    def has_change_permission(self, request, obj=None):
        return permissions.can_manage_campaigns(request.user)

    def save_through_service(self, request, obj, form) -> None:
        services.save_campaign(
            campaign=Campaign.objects.get(pk=obj.pk), values=form.cleaned_data, actor=request.user
        )


class SubmissionInline(admin.TabularInline):
    model = Submission
    extra = 0
    fields = ("number", "submitted_at", "submitted_by")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdmin):
    """Applications change through the practitioner's pages and the counter only."""

    list_display = ("reference", "practitioner", "campaign", "status", "submitted_at")
    list_filter = ("status", "campaign")
    search_fields = ("=reference",)
    list_select_related = ("practitioner", "campaign")
    raw_id_fields = ("practitioner", "photo")
    inlines = [SubmissionInline]
    show_full_result_count = False
