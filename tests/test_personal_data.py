"""A practitioner downloads everything the registry holds about them (accounting_registry.
personal_data): every field, nothing about anyone else, audited, and only their own."""

import json
import subprocess

import pytest
from django.apps import apps
from django.urls import reverse

from accounting_registry import personal_data
from practitioners.constants import AuditAction
from practitioners.models import AuditEvent, Practitioner
from tests.helpers import confirm, submit

pytestmark = pytest.mark.django_db

PERSONAL = {"practitioners.Practitioner", "practitioners.User"}


def models_about_people() -> set[str]:
    """Every installed model that refers, directly or through another such model, to a
    practitioner or an account."""
    found = set(PERSONAL)
    while True:
        more = {
            model._meta.label
            for model in apps.get_models()
            if model._meta.label not in found
            and any(
                f.is_relation
                and f.concrete
                and (f.many_to_one or f.one_to_one)
                and f.related_model._meta.label in found
                for f in model._meta.get_fields()
            )
        }
        if not more:
            return found
        found |= more


def test_every_model_about_a_person_is_in_the_download_or_said_not_to_be():
    decided = set(personal_data.SECTIONS) | set(personal_data.NOT_ABOUT_THE_PERSON)
    undecided = models_about_people() - decided
    assert not undecided, f"decide whether these belong in the download: {sorted(undecided)}"
    assert not set(personal_data.SECTIONS) & set(personal_data.NOT_ABOUT_THE_PERSON)


@pytest.fixture
def person(practitioner_a, account_a, with_photo, clerk_a, practitioner_b, account_b):
    """practitioner_a with a confirmed application, and practitioner_b with data of their own."""
    application = submit(practitioner_a, account_a)
    confirm(application, clerk_a)
    practitioner_a.refresh_from_db()
    return practitioner_a


def download(client, kind: str):
    return client.get(reverse(f"my_data_{kind}"))


def test_the_json_holds_every_field_of_the_person_and_nothing_of_anyone_else(
    client, person, account_a, practitioner_b, clerk_a
):
    client.force_login(account_a)
    response = download(client, "json")
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert response["Content-Disposition"].startswith('attachment; filename="my-data-')
    data = json.loads(response.content)
    record_fields = {f.name for f in Practitioner._meta.concrete_fields} - {"id", "account"}
    assert record_fields <= set(data["record"])
    assert data["record"]["id_number"] == person.id_number
    assert data["account"]["username"] == account_a.username
    assert "argon2" not in response.text and account_a.password not in response.text
    application = data["applications"][0]
    assert application["status"] == "confirmed" and application["versions"][0]["data"]
    assert application["confirmations"][0]["archive_number"]
    assert data["photos"] and data["photos"][0]["image_jpeg_base64"].startswith("/9j/")
    assert any(e["action"] == AuditAction.CONFIRMED for e in data["history"])
    text = response.content.decode()
    for other in (
        practitioner_b.name,
        practitioner_b.id_number,
        practitioner_b.cert_number,
        clerk_a.username,
        clerk_a.display_name,
    ):
        assert other not in text, other
    assert application["confirmations"][0]["by"].endswith(clerk_a.bureau.name)
    event = AuditEvent.objects.get(action=AuditAction.DATA_DOWNLOADED)
    assert event.practitioner_id == person.pk and event.detail == {"kind": "json"}


def test_the_pdf_is_the_same_for_people_to_read(client, person, account_a, tmp_path):
    client.force_login(account_a)
    response = download(client, "pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")
    (tmp_path / "data.pdf").write_bytes(response.content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(tmp_path / "data.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert person.name in text and person.id_number in text
    assert "确认" in text  # Chinese, extractable


def test_only_the_person_downloads_their_data(client, person, clerk_a, city_staff):
    assert download(client, "json").status_code == 302  # to the login
    for staff in (clerk_a, city_staff):
        client.force_login(staff)
        assert download(client, "json").status_code == 403
        assert download(client, "pdf").status_code == 403
    assert not AuditEvent.objects.filter(action=AuditAction.DATA_DOWNLOADED).exists()


def test_ten_downloads_an_hour(client, person, account_a):
    client.force_login(account_a)
    for _ in range(10):
        assert download(client, "json").status_code == 200
    refused = download(client, "pdf")
    assert refused.status_code == 429 and 'id="my-data-throttled"' in refused.text
    assert AuditEvent.objects.filter(action=AuditAction.DATA_DOWNLOADED).count() == 10


def test_the_page_says_what_is_in_it_and_links_both_files(client, person, account_a):
    client.force_login(account_a)
    home = client.get(reverse("collection:home"))
    assert reverse("my_data") in home.text
    page = client.get(reverse("my_data"))
    assert page.status_code == 200
    assert reverse("my_data_pdf") in page.text and reverse("my_data_json") in page.text


def test_a_person_without_an_account_is_gathered_too(practitioner_b):
    """An import's person never activated: the bureau can still answer for them."""
    practitioner_b.account = None
    data = personal_data.gather(practitioner_b)
    assert data["account"] is None and data["record"]["name"] == practitioner_b.name
    assert isinstance(personal_data.readable(data)["parts"], list)


def test_city_staff_print_the_record_of_processing(client, city_staff, clerk_a, settings):
    settings.AUDIT_RETENTION_DAYS = 365
    client.force_login(city_staff)
    page = client.get(reverse("processing_record"))
    assert page.status_code == 200 and 'id="processing-record"' in page.text
    assert "365" in page.text and 'id="print-now"' in page.text
    client.force_login(clerk_a)
    assert client.get(reverse("processing_record")).status_code == 403
