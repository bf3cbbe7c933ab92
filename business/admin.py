from django.contrib import admin

from business.models import EducationRecord, OnPostRegistration
from core.admin import ReadOnlyAdmin


@admin.register(OnPostRegistration)
class OnPostRegistrationAdmin(ReadOnlyAdmin):
    """Decided by the bureau's clerks on the Registrations page (business.services)."""

    list_display = ("submitted_at", "practitioner", "employer", "post", "start_date", "status")
    list_filter = ("status", "source")
    list_select_related = ("practitioner",)
    show_full_result_count = False


@admin.register(EducationRecord)
class EducationRecordAdmin(ReadOnlyAdmin):
    list_display = ("submitted_at", "practitioner", "year", "hours", "provider", "status")
    list_filter = ("status", "source", "year")
    list_select_related = ("practitioner",)
    show_full_result_count = False
