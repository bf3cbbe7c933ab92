from django.contrib import admin

from confirmation.models import Confirmation, CounterReturn, PrintLog, PrintSettings
from core.admin import ReadOnlyAdmin


@admin.register(Confirmation)
class ConfirmationAdmin(ReadOnlyAdmin):
    list_display = ("archive_number", "practitioner", "bureau", "clerk", "confirmed_at")
    list_filter = ("bureau",)
    search_fields = ("=archive_number",)
    list_select_related = ("practitioner", "bureau", "clerk")
    show_full_result_count = False


@admin.register(CounterReturn)
class CounterReturnAdmin(ReadOnlyAdmin):
    list_display = ("returned_at", "bureau", "clerk", "reason")
    list_filter = ("bureau",)
    list_select_related = ("bureau", "clerk")
    show_full_result_count = False


@admin.register(PrintSettings)
class PrintSettingsAdmin(ReadOnlyAdmin):
    """Set by each bureau's admin on the Printer page (confirmation.services.save_print_settings)."""

    list_display = ("bureau", "page_width_mm", "page_height_mm", "offset_x_mm", "offset_y_mm")


@admin.register(PrintLog)
class PrintLogAdmin(ReadOnlyAdmin):
    list_display = ("printed_at", "bureau", "kind", "printed_by", "reason")
    list_filter = ("kind", "bureau")
    list_select_related = ("bureau", "printed_by")
