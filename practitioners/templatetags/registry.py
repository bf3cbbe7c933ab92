from django import template

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
def get_item(mapping: dict, key: str):
    """`mapping|get_item:key` — a dict lookup with a variable key."""
    return mapping.get(key)


@register.simple_tag(takes_context=True)
def page_query(context, number: int) -> str:
    """The current query string with another page number: filters survive paging."""
    query = context["request"].GET.copy()
    query["page"] = number
    return "?" + query.urlencode()
