"""What the admin site of every app shares: domain records change only through their services."""

from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """A record the admin shows but never adds, changes or deletes: it is written by a service
    (with its checks and audit), or it is a log."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ServiceAdmin(admin.ModelAdmin):
    """A record the admin may change, but only through its service: `save_model` calls
    `save_through_service(request, obj, form)`; nothing is added or deleted here."""

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        self.save_through_service(request, obj, form)

    def save_through_service(self, request, obj, form) -> None:
        raise NotImplementedError
