from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from practitioners.models import AuditEvent, Bureau, Practitioner, User


@admin.register(Bureau)
class BureauAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "hall_address", "hall_phone")
    search_fields = ("code", "name")
    list_filter = ("kind",)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "display_name", "role", "bureau", "is_active", "last_login")
    list_filter = ("role", "bureau", "is_active")
    search_fields = ("username", "display_name")
    list_select_related = ("bureau",)
    fieldsets = DjangoUserAdmin.fieldsets + (
        (_("Registry"), {"fields": ("display_name", "role", "bureau")}),
    )
    add_fieldsets = DjangoUserAdmin.add_fieldsets + (
        (_("Registry"), {"fields": ("display_name", "role", "bureau")}),
    )


@admin.register(Practitioner)
class PractitionerAdmin(admin.ModelAdmin):
    list_display = ("name", "masked_id_number", "cert_number", "bureau", "confirmed_at")
    list_filter = ("bureau",)
    # Exact numbers only: a LIKE '%x%' over a million rows would be slow.
    search_fields = ("=id_number", "=cert_number", "^name")
    list_select_related = ("bureau",)
    raw_id_fields = ("account",)
    readonly_fields = ("confirmed_at", "created_at", "updated_at")
    show_full_result_count = False


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("at", "actor", "action", "bureau", "practitioner")
    list_filter = ("action", "bureau")
    list_select_related = ("actor", "bureau", "practitioner")
    raw_id_fields = ("practitioner", "actor")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
