"""What more than one page group of the counter's views needs: the bureau a page is about."""

from practitioners import selectors as register_selectors


def bureau_param(request):
    """The bureau of `?bureau=`: the user's own; city staff may pick any (404 if none)."""
    return register_selectors.chosen_bureau(user=request.user, code=request.GET.get("bureau"))
