from decimal import Decimal

from django import template
from django.utils.translation import ngettext

from practitioners.idnumbers import mask_id_number

register = template.Library()


@register.filter
def mask_id(value: str) -> str:
    """Mask an ID number for lists: 450103********3428."""
    return mask_id_number(value or "")


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
