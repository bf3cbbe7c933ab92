from django.contrib import admin

from collection.models import Application, Campaign, Submission


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ("name", "start_date", "plan_due_date", "collection_due_date", "is_active")


class SubmissionInline(admin.TabularInline):
    model = Submission
    extra = 0
    fields = ("number", "submitted_at", "submitted_by")
    readonly_fields = fields
    can_delete = False


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    """Read-only: applications change through the practitioner's pages and the counter only."""

    list_display = ("reference", "practitioner", "campaign", "status", "submitted_at")
    list_filter = ("status", "campaign")
    search_fields = ("=reference",)
    list_select_related = ("practitioner", "campaign")
    raw_id_fields = ("practitioner", "photo")
    inlines = [SubmissionInline]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
