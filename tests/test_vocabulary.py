"""One name per state, everywhere: the pages, the glossary and the code use the same words."""

import datetime
import html
import pathlib
import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from collection.constants import ApplicationStatus, TallyFigure
from confirmation import services as counter_services
from practitioners.constants import Standing
from practitioners.models import Practitioner
from tests.factories import PractitionerFactory
from tests.helpers import confirm, make_submitted, within_budget

pytestmark = pytest.mark.django_db

GLOSSARY = pathlib.Path(settings.BASE_DIR) / "docs" / "glossary.md"


def text(fragment: str) -> str:
    """A fragment of a page as a reader sees it: tags dropped, spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def glossary_rows() -> dict[str, tuple[str, str]]:
    """code -> (Chinese, English) from the glossary's table of states."""
    rows = {}
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 4 and re.fullmatch(r"`[a-z_]+`", cells[0]):
            rows[cells[0].strip("`")] = (cells[1], cells[2])
    return rows


def test_the_glossary_names_every_state_as_the_code_does():
    rows = glossary_rows()
    assert set(rows) == set(Standing.values)
    for state in Standing:
        chinese, english = rows[state.value]
        with translation.override("en"):
            assert english == str(state.label), state
        with translation.override("zh-hans"):
            assert chinese == str(state.label), state


def test_the_application_and_the_figures_take_their_words_from_the_one_vocabulary():
    assert ApplicationStatus.DRAFT.label == Standing.DRAFT.label == TallyFigure.DRAFT.label
    assert ApplicationStatus.SUBMITTED.label == Standing.WAITING.label == TallyFigure.WAITING.label
    assert ApplicationStatus.RETURNED.label == Standing.RETURNED.label
    assert TallyFigure.RETURNED.label == Standing.RETURNED.label
    assert ApplicationStatus.CONFIRMED.label == Standing.CONFIRMED.label


def home_word(client, practitioner) -> str:
    client.force_login(practitioner.account)
    page = client.get(reverse("collection:home")).content.decode()
    return text(re.search(r'<span class="badge[^"]*"[^>]*id="status"[^>]*>(.*?)</span>', page)[1])


def queue_word(client, status: str) -> str:
    page = client.get(reverse("confirmation:queue")).content.decode()
    return text(re.search(rf'<option value="{status}"[^>]*>(.*?)</option>', page)[1])


def register_word(client, practitioner) -> str:
    page = client.get(reverse("practitioners:list"), {"q": practitioner.name}).content.decode()
    row = re.search(rf">{re.escape(practitioner.name)}</a>.*?</tr>", page, re.S)[0]
    return text(re.search(r"<span class=\"badge[^>]*data-standing[^>]*>(.*?)</span>", row)[1])


def people_list_word(client, figure: str) -> str:
    page = client.get(reverse("reporting:people", args=["450103", figure])).content.decode()
    return text(re.search(r'<li class="breadcrumb-item active"[^>]*>(.*?)</li>', page, re.S)[1])


def test_a_state_reads_the_same_on_every_page(client, campaign, county_a, clerk_a):
    """Waiting for the counter and returned: the practitioner's home page, the counter's
    queue, the register list and the county's people list say the same word."""
    waiting, returned = make_submitted(county_a, campaign, 2)
    counter_services.return_at_counter(
        application=returned, actor=clerk_a, reason="photo", revision=returned.revision
    )
    words = {
        "waiting": [home_word(client, waiting.practitioner)],
        "returned": [home_word(client, returned.practitioner)],
    }
    client.force_login(clerk_a)
    words["waiting"] += [
        queue_word(client, ApplicationStatus.SUBMITTED),
        register_word(client, waiting.practitioner),
        people_list_word(client, "waiting"),
    ]
    words["returned"] += [
        queue_word(client, ApplicationStatus.RETURNED),
        register_word(client, returned.practitioner),
        people_list_word(client, "returned"),
    ]
    assert words == {"waiting": ["待现场确认"] * 4, "returned": ["已退回"] * 4}


# Session, user with bureau, count, page rows, the page's states.
REGISTER_BUDGET = 5


def test_the_register_list_shows_where_each_person_stands(
    client, campaign, county_a, clerk_a, with_photo, practitioner_a
):
    waiting, returned, confirmed = make_submitted(county_a, campaign, 3)
    counter_services.return_at_counter(
        application=returned, actor=clerk_a, reason="photo", revision=returned.revision
    )
    confirm(confirmed, clerk_a)
    idle = PractitionerFactory(bureau=county_a)
    pooled = PractitionerFactory(bureau=county_a)
    Practitioner.objects.filter(pk=pooled.pk).update(
        pending_since=timezone.now() - datetime.timedelta(days=1)
    )
    client.force_login(clerk_a)
    url = reverse("practitioners:list")
    response, few = within_budget(REGISTER_BUDGET, client, url)
    standings = response.context["standings"]
    assert {
        practitioner_a.pk: Standing.DRAFT,
        waiting.practitioner_id: Standing.WAITING,
        returned.practitioner_id: Standing.RETURNED,
        confirmed.practitioner_id: Standing.CONFIRMED,
        idle.pk: Standing.NOT_STARTED,
        pooled.pk: Standing.PENDING,
    }.items() <= standings.items()
    page = response.content.decode()
    for state in Standing:
        assert f'data-standing="{state.value}">{state.label}</span>' in page
    PractitionerFactory.create_batch(15, bureau=county_a)
    make_submitted(county_a, campaign, 3)
    _response, more = within_budget(REGISTER_BUDGET, client, url)
    assert more <= few  # no query per row


# The words that named a state before there was one vocabulary, as msgids.
RETIRED = (
    '"Not confirmed"',
    '"Returned, not resubmitted"',
    '"In progress (draft)"',
    '"Waiting at the counter"',
    '"Waiting"',
    '"In the pending pool"',
)


def test_no_page_or_module_names_a_state_in_words_of_its_own():
    """The templates and the code take a state's word from the one vocabulary (a label, the
    status display, or the registry's standing tags); none spells an old variant."""
    root = pathlib.Path(settings.BASE_DIR)
    sources = [*root.glob("templates/**/*.html"), *root.glob("templates/**/*.txt")]
    for app in ("core", "practitioners", "collection", "business", "confirmation", "reporting"):
        sources += [p for p in (root / app).rglob("*.py") if "migrations" not in p.parts]
    found = [
        f"{path.relative_to(root)}: {word}"
        for path in sources
        for word in RETIRED
        if word in path.read_text(encoding="utf-8")
    ]
    assert found == []


def test_the_record_page_says_where_a_person_stands(client, campaign, county_a, clerk_a):
    (returned,) = make_submitted(county_a, campaign, 1)
    counter_services.return_at_counter(
        application=returned, actor=clerk_a, reason="photo", revision=returned.revision
    )
    client.force_login(clerk_a)
    page = client.get(reverse("practitioners:detail", args=[returned.practitioner_id]))
    assert 'data-standing="returned">已退回</span>' in page.content.decode()
