"""The superuser is for installation only, and its use is audited; every change made in
Django's admin is audited too, in the trail the audit reads (GB/T 22239-2019: the
administrators' own actions are recorded). Connected in PractitionersConfig.ready."""

from django.contrib.admin.models import LogEntry
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_save
from django.dispatch import receiver

from practitioners.constants import AuditAction
from practitioners.services import record_event

_ACTIONS = {1: "added", 2: "changed", 3: "deleted"}


@receiver(user_logged_in, dispatch_uid="practitioners.adminaudit.superuser_login")
def superuser_logged_in(sender, request, user, **kwargs):
    if user.is_superuser:
        record_event(actor=user, action=AuditAction.SUPERUSER_LOGIN, bureau=user.bureau)


@receiver(post_save, sender=LogEntry, dispatch_uid="practitioners.adminaudit.admin_change")
def admin_change(sender, instance: LogEntry, created: bool, **kwargs):
    if not created:
        return
    content_type = instance.content_type
    record_event(
        actor=instance.user,
        action=AuditAction.ADMIN_CHANGE,
        model=f"{content_type.app_label}.{content_type.model}" if content_type else None,
        object_id=str(instance.object_id) if instance.object_id is not None else None,
        object=instance.object_repr[:200],
        what=_ACTIONS.get(instance.action_flag, str(instance.action_flag)),
        message=instance.get_change_message()[:500],
    )
