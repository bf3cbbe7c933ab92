"""The menu at the top of every page, as data: who sees which entry, and which one is current.

One list instead of a page of template conditions; base.html only loops over what `menu`
returns (the context processor). An entry is current when the page's view name
("practitioners:list"), or "<app>:*" for its whole app, is one of the entry's `current`.
"""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from practitioners.constants import Role


@dataclass(frozen=True)
class Entry:
    label: Promise
    url_name: str
    current: frozenset[str] = frozenset()  # view names, or "<app>:*"
    roles: frozenset[str] | None = None  # None: everyone the menu is for
    not_current: frozenset[str] = frozenset()  # view names of the app that are another entry's


def _entries(*entries: Entry) -> tuple[Entry, ...]:
    return entries


ADMINS = frozenset({Role.BUREAU_ADMIN, Role.CITY_STAFF})

STAFF = _entries(
    Entry(
        _("Counter"),
        "confirmation:counter",
        frozenset({"confirmation:*"}),
        not_current=frozenset({"confirmation:print_settings"}),
    ),
    Entry(
        _("Register"),
        "practitioners:list",
        frozenset(
            {
                "practitioners:list",
                "practitioners:detail",
                "practitioners:create",
                "collection:staff_application",
                "collection:staff_application_pdf",
                "collection:issue_reset_code",
                "collection:move",
            }
        ),
    ),
    Entry(
        _("Bureaus"), "practitioners:bureau_overview", frozenset({"practitioners:bureau_overview"})
    ),
    Entry(
        _("Registrations"),
        "business:decisions",
        frozenset({"business:*"}),
        not_current=frozenset({"business:register_import"}),
    ),
    Entry(_("Progress"), "reporting:dashboard", frozenset({"reporting:*"})),
)
# Less-used pages, under 更多 (More).
STAFF_MORE = _entries(
    Entry(
        _("Campaigns"),
        "collection:campaigns",
        frozenset(
            {
                "collection:campaigns",
                "collection:campaign_edit",
                "collection:campaign_new",
                "collection:pending_pool",
            }
        ),
    ),
    Entry(
        _("Printer"),
        "confirmation:print_settings",
        frozenset({"confirmation:print_settings"}),
        ADMINS,
    ),
    Entry(_("Import"), "business:register_import", frozenset({"business:register_import"}), ADMINS),
    Entry(_("Export"), "practitioners:export", frozenset({"practitioners:export"}), ADMINS),
    Entry(
        _("Audit trail"),
        "practitioners:audit",
        frozenset({"practitioners:audit"}),
        frozenset({Role.CITY_STAFF}),
    ),
    Entry(
        _("Record of processing"),
        "processing_record",
        frozenset({"processing_record"}),
        frozenset({Role.CITY_STAFF}),
    ),
    Entry(_("Second factor"), "two_factor", frozenset({"two_factor"})),
    Entry(
        _("Enrolment codes"),
        "two_factor_enrolment_codes",
        frozenset({"two_factor_enrolment_codes"}),
        frozenset({Role.CITY_STAFF}),
    ),
)
PRACTITIONER = _entries(
    Entry(
        _("My application"),
        "collection:home",
        # The pages reached from it: the printed forms, changes, contact details, registrations.
        frozenset(
            {
                "collection:home",
                "collection:application_pdf",
                "collection:change",
                "collection:change_pdf",
                "collection:contact",
                "business:on_post",
                "business:education",
            }
        ),
    ),
    Entry(_("Application form"), "collection:application", frozenset({"collection:application"})),
    Entry(_("ID photo"), "collection:photo_upload", frozenset({"collection:photo_upload"})),
)


@dataclass(frozen=True)
class Link:
    label: Promise
    url: str
    current: bool


def _links(entries, role: str, view_name: str, app_name: str) -> list[Link]:
    return [
        Link(
            entry.label,
            reverse(entry.url_name),
            view_name not in entry.not_current
            and (view_name in entry.current or f"{app_name}:*" in entry.current),
        )
        for entry in entries
        if entry.roles is None or role in entry.roles
    ]


def menu(request) -> dict:
    """Context processor: `menu` (the entries of the bar), `menu_more` (of its 更多 dropdown,
    with `menu_more_current`) and `menu_admin` (the link to Django's admin, for superusers)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    match = request.resolver_match
    view_name, app_name = (match.view_name, match.app_name) if match else ("", "")
    more: list[Link] = []
    if user.is_bureau_staff:
        main = _links(STAFF, user.role, view_name, app_name)
        more = _links(STAFF_MORE, user.role, view_name, app_name)
    elif user.role == Role.PRACTITIONER:
        main = _links(PRACTITIONER, user.role, view_name, app_name)
    else:
        main = []
    return {
        "menu": main,
        "menu_more": more,
        "menu_more_current": any(link.current for link in more),
        "menu_admin": reverse("admin:index") if user.is_superuser else None,
    }
