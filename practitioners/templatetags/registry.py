from decimal import Decimal

from django import template
from django.utils.html import format_html
from django.utils.translation import ngettext

from practitioners.constants import Standing, ethnic_name, return_reason_as_read
from practitioners.idnumbers import mask_id_number

register = template.Library()


@register.filter
def mask_id(value: str) -> str:
    """Mask an ID number for lists: 450103********3428."""
    return mask_id_number(value or "")


@register.filter(name="ethnic_name")
def ethnic_name_filter(value: str) -> str:
    """An ethnic group in the reader's language (stored as its Chinese name)."""
    return ethnic_name(value) if value else "—"


@register.filter
def return_reason(value: str) -> str:
    """A return's reason in the reader's language (the standard reason; the note as typed)."""
    return return_reason_as_read(value)


@register.filter
def percent(part: int, whole: int) -> str:
    return f"{part * 100 / whole:.1f}%" if whole else "—"


@register.filter
def study_hours(value: Decimal | int | float | None) -> str:
    """Hours of continuing education as people say them: "24 学时", not "24.0" (a whole number
    without its decimals; 1.5 stays 1.5): a bare 24.0 reads as an amount, not as hours."""
    if value is None or value == "":
        return "—"
    number = Decimal(str(value))
    whole = number == number.to_integral_value()
    shown = number.quantize(Decimal(1)) if whole else number.normalize()
    # A fraction takes the plural in English ("1.5 hours"); Chinese has one form.
    count = int(number) if whole else 2
    return ngettext("%(hours)s hour", "%(hours)s hours", count) % {"hours": shown}


@register.filter
def get_item(mapping: dict, key: str):
    """`mapping|get_item:key` — a dict lookup with a variable key."""
    return mapping.get(key)


@register.simple_tag(takes_context=True)
def page_query(context, number: int) -> str:
    """The current query string with another page number: filters survive paging."""
    query = context["request"].GET.copy()
    query["page"] = number
    return "?" + query.urlencode()


# One look for each state of the one vocabulary, wherever a person's state is shown.
STANDING_CLASSES = {
    Standing.NOT_STARTED: "text-bg-secondary",
    Standing.DRAFT: "text-bg-warning",
    Standing.WAITING: "text-bg-primary",
    Standing.RETURNED: "text-bg-danger",
    Standing.CONFIRMED: "text-bg-success",
    Standing.PENDING: "text-bg-dark",
}


@register.filter
def standing_label(value: str) -> str:
    """A state's word (practitioners.constants.Standing): templates name no state themselves."""
    return str(Standing(value).label)


@register.simple_tag
def standing_badge(value: str):
    """A state as a badge, in the one vocabulary's word and the state's colour."""
    state = Standing(value)
    return format_html(
        '<span class="badge {}" data-standing="{}">{}</span>',
        STANDING_CLASSES[state],
        state.value,
        state.label,
    )
