"""The confirmation record on the booklet page, its calibration page, and the day's list."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from pypdf import PdfReader

from confirmation import pdf
from confirmation.models import PrintSettings
from tests.helpers import confirm

pytestmark = pytest.mark.django_db
MM = 72 / 25.4  # PDF points per millimetre


@pytest.fixture
def confirmed_a(submitted_a, clerk_a):
    return confirm(submitted_a, clerk_a)


def position_of(data: bytes, needle: str) -> tuple[float, float]:
    """Where the text run containing `needle` starts, in points from the bottom-left."""
    found = []

    def visit(text, cm, tm, font_dict, font_size):
        if needle in text:
            found.append((tm[4] * cm[0] + cm[4], tm[5] * cm[3] + cm[5]))

    page = PdfReader(io.BytesIO(data)).pages[0]
    page.extract_text(visitor_text=visit)
    assert found, f"{needle!r} not in the PDF"
    return found[0]


def test_certificate_record_carries_the_facts(confirmed_a):
    data = pdf.certificate_pdf(confirmed_a, PrintSettings(bureau=confirmed_a.bureau))
    reader = PdfReader(io.BytesIO(data))
    text = reader.pages[0].extract_text()
    for expected in (
        "信息采集已确认",
        confirmed_a.bureau.name,
        confirmed_a.archive_number,
        str(confirmed_a.clerk),
    ):
        assert expected in text
    box = reader.pages[0].mediabox
    assert round(float(box.width) / MM) == 125 and round(float(box.height) / MM) == 88


def test_offsets_move_the_record_by_that_many_millimetres(confirmed_a):
    base = PrintSettings(bureau=confirmed_a.bureau)
    moved = PrintSettings(
        bureau=confirmed_a.bureau,
        offset_x_mm=Decimal("5"),
        offset_y_mm=Decimal("-3"),
        page_width_mm=Decimal("130"),
        page_height_mm=Decimal("90"),
    )
    x0, y0 = position_of(pdf.certificate_pdf(confirmed_a, base), "信息采集已确认")
    x1, y1 = position_of(pdf.certificate_pdf(confirmed_a, moved), "信息采集已确认")
    assert (x1 - x0) / MM == pytest.approx(5, abs=0.2)
    # PDF y grows upwards from the page bottom: 3 mm up on a 2 mm taller page
    top0, top1 = 88 * MM - y0, 90 * MM - y1
    assert (top1 - top0) / MM == pytest.approx(-3, abs=0.2)


def test_admin_sets_offsets_and_prints_the_calibration_page(client, admin_a, county_a):
    client.force_login(admin_a)
    response = client.post(
        reverse("confirmation:print_settings"),
        {"page_width_mm": "125", "page_height_mm": "88", "offset_x_mm": "2.5", "offset_y_mm": "-1"},
    )
    assert response.status_code == 302
    settings = PrintSettings.objects.get(bureau=county_a)
    assert settings.offset_x_mm == Decimal("2.5")
    assert (
        client.get(reverse("confirmation:calibration")).status_code == 405
    )  # a GET writes nothing
    response = client.post(reverse("confirmation:calibration"))
    assert response["Content-Type"] == "application/pdf"
    assert "2.5" in PdfReader(io.BytesIO(response.content)).pages[0].extract_text()


def test_offsets_out_of_range_are_refused_next_to_the_field(client, admin_a):
    client.force_login(admin_a)
    response = client.post(
        reverse("confirmation:print_settings"),
        {"page_width_mm": "125", "page_height_mm": "88", "offset_x_mm": "80", "offset_y_mm": "x"},
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"offset_x_mm", "offset_y_mm"}


def test_day_list_groups_confirmations_and_returns_per_clerk(
    client, clerk_a, admin_a, confirmed_a, practitioner_a
):
    client.force_login(admin_a)
    response = client.get(reverse("confirmation:day_sheet"))
    sheet = response.context["sheet"]
    assert [c.archive_number for c in sheet[clerk_a]["confirmed"]] == [confirmed_a.archive_number]
    response = client.get(reverse("confirmation:day_sheet"), {"format": "pdf"})
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert confirmed_a.archive_number in text and practitioner_a.name in text


def test_opening_the_printer_page_writes_nothing(client, admin_a, county_a):
    from confirmation.models import PrintLog
    from practitioners.models import AuditEvent

    client.force_login(admin_a)
    assert client.get(reverse("confirmation:print_settings")).status_code == 200
    assert not PrintSettings.objects.exists()
    assert not PrintLog.objects.exists() and not AuditEvent.objects.exists()


def test_the_day_list_pdf_gives_names_and_status_room(client, clerk_a, admin_a, confirmed_a):
    """Columns wide enough that 已确认 and a three-character name stay on one line."""
    client.force_login(admin_a)
    response = client.get(reverse("confirmation:day_sheet"), {"format": "pdf"})
    lines = PdfReader(io.BytesIO(response.content)).pages[0].extract_text().splitlines()
    row = next(line for line in lines if confirmed_a.archive_number in line)
    assert "已确认" in row and confirmed_a.practitioner.name in row
