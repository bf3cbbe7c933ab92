from django.contrib import admin

from confirmation.models import Confirmation, PrintLog, PrintSettings


@admin.register(Confirmation)
class ConfirmationAdmin(admin.ModelAdmin):
    list_display = ("archive_number", "practitioner", "bureau", "clerk", "confirmed_at")
    list_filter = ("bureau",)
    search_fields = ("=archive_number",)
    list_select_related = ("practitioner", "bureau", "clerk")
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(PrintSettings)
class PrintSettingsAdmin(admin.ModelAdmin):
    list_display = ("bureau", "page_width_mm", "page_height_mm", "offset_x_mm", "offset_y_mm")


@admin.register(PrintLog)
class PrintLogAdmin(admin.ModelAdmin):
    list_display = ("printed_at", "bureau", "kind", "printed_by", "reason")
    list_filter = ("kind", "bureau")
