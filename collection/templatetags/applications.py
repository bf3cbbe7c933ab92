from django import template
from django.utils.html import format_html

from collection.constants import ApplicationStatus

register = template.Library()

# One look for each status, wherever it is shown.
BADGE_CLASSES = {
    ApplicationStatus.DRAFT: "text-bg-warning",
    ApplicationStatus.SUBMITTED: "text-bg-primary",
    ApplicationStatus.RETURNED: "text-bg-danger",
    ApplicationStatus.CONFIRMED: "text-bg-success",
}


@register.simple_tag
def status_badge(application, element_id: str = "", size: str = ""):
    """The application's status as a badge (not started: no application)."""
    if application is None:
        from django.utils.translation import gettext

        label, css = gettext("Not started"), "text-bg-secondary"
    else:
        label, css = application.get_status_display(), BADGE_CLASSES[application.status]
    return format_html(
        '<span class="badge {}{}"{}>{}</span>',
        css,
        f" {size}" if size else "",
        format_html(' id="{}"', element_id) if element_id else "",
        label,
    )
