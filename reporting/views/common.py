"""What more than one page group of reporting's views needs: the running campaign, a week of
it, a bureau that reports."""

from django.http import Http404
from django.shortcuts import render

from collection.selectors import active_campaign
from reporting import permissions, selectors, weeks


def campaign_or_none(request):
    """(the running campaign, None), or (None, the page saying no campaign is running)."""
    campaign = active_campaign()
    if campaign is None:
        return None, render(request, "reporting/no_campaign.html", status=200)
    return campaign, None


def week_or_404(campaign, text: str) -> weeks.Week:
    """The ISO week the URL names, if it is one of the campaign's weeks and has begun: a later
    week has no figures and no sheet yet (a URL edited to one is not found)."""
    try:
        week = weeks.Week.parse(text)
    except ValueError:
        raise Http404 from None
    if not weeks.in_campaign(campaign, week) or week > weeks.current_week(campaign):
        raise Http404
    return week


def reporting_bureau(request, code: str):
    """A bureau within the user's scope that files plans and sheets (404 otherwise)."""
    bureau = selectors.bureau_for(user=request.user, code=code)
    if not permissions.reports(bureau):
        raise Http404
    return bureau


# The page's container for the wide progress tables (the dashboard, a bulletin): the screen's
# whole width, so that every column shows at 1366 px in either language.
WIDE = "container-fluid px-lg-4"
