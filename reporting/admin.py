from django.contrib import admin

from core.admin import ReadOnlyAdmin
from reporting.models import Bulletin, ProgressSheet, WorkPlan


@admin.register(WorkPlan)
class WorkPlanAdmin(ReadOnlyAdmin):
    list_display = ("bureau", "campaign", "status", "filed_at", "paper_received_at")
    list_filter = ("status", "campaign")


@admin.register(ProgressSheet)
class ProgressSheetAdmin(ReadOnlyAdmin):
    list_display = ("bureau", "week", "status", "late", "submitted_at")
    list_filter = ("status", "week", "late")


@admin.register(Bulletin)
class BulletinAdmin(ReadOnlyAdmin):
    list_display = ("campaign", "week", "published_at", "published_by")
    exclude = ("rate_svg", "trend_svg")
