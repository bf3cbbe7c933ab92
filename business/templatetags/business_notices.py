"""What the business app adds to pages of the apps below it. The practitioner's home page
belongs to collection, which may not import business: its template asks here instead."""

from django import template

from business import selectors

register = template.Library()


@register.inclusion_tag("business/business_first_notice.html")
def business_first_notice(practitioner):
    """The warning to a person the bureau holds on-post or continuing-education records of
    while their collection is not confirmed: no further business until it is."""
    return {"shown": selectors.did_business_before_collecting(practitioner)}
