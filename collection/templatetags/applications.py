from django import template
from django.utils.html import format_html

from collection.constants import ApplicationStatus
from practitioners.constants import Standing
from practitioners.templatetags.registry import STANDING_CLASSES

register = template.Library()

# One look for each status, wherever it is shown: the colour of the state it names.
BADGE_CLASSES = {
    ApplicationStatus.DRAFT: STANDING_CLASSES[Standing.DRAFT],
    ApplicationStatus.SUBMITTED: STANDING_CLASSES[Standing.WAITING],
    ApplicationStatus.RETURNED: STANDING_CLASSES[Standing.RETURNED],
    ApplicationStatus.CONFIRMED: STANDING_CLASSES[Standing.CONFIRMED],
}


@register.simple_tag
def status_badge(application, element_id: str = "", size: str = ""):
    """The application's status as a badge (not started: no application)."""
    if application is None:
        label, css = Standing.NOT_STARTED.label, STANDING_CLASSES[Standing.NOT_STARTED]
    else:
        label, css = application.get_status_display(), BADGE_CLASSES[application.status]
    return format_html(
        '<span class="badge {}{}"{}>{}</span>',
        css,
        f" {size}" if size else "",
        format_html(' id="{}"', element_id) if element_id else "",
        label,
    )
