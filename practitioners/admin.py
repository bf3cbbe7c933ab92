from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyAdmin, ServiceAdmin
from practitioners import permissions, services
from practitioners.models import AuditEvent, Bureau, Practitioner, User


@admin.register(Bureau)
class BureauAdmin(ServiceAdmin):
    """The service halls' details, changed through practitioners.services.update_bureau_hall
    (audited); the bureaus themselves come from the data migration."""

    list_display = ("code", "name", "kind", "hall_address", "hall_phone")
    search_fields = ("code", "name")
    list_filter = ("kind",)
    fields = ("code", "name", "section_name", *services.HALL_FIELDS)
    readonly_fields = ("code", "name")

    def has_change_permission(self, request, obj=None):
        return permissions.is_city_staff(request.user)

    def save_through_service(self, request, obj, form) -> None:
        services.update_bureau_hall(
            bureau=obj,
            values={name: form.cleaned_data[name] for name in services.HALL_FIELDS},
            actor=request.user,
        )


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
class PractitionerAdmin(ReadOnlyAdmin):
    """Records change by import, on the register pages and at the counter, each audited."""

    list_display = ("name", "masked_id_number", "cert_number", "bureau", "confirmed_at")
    list_filter = ("bureau",)
    # Exact numbers only: a LIKE '%x%' over a million rows would be slow.
    search_fields = ("=id_number", "=cert_number", "^name")
    list_select_related = ("bureau",)
    show_full_result_count = False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "actor", "action", "bureau", "practitioner", "address")
    list_filter = ("action", "bureau")
    list_select_related = ("actor", "bureau", "practitioner")
