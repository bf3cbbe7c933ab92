"""The printed application form (申请表): one submitted version on one A4 page, in Chinese.

The practitioner prints it, has the employer seal it, signs it and brings it to the counter
with the originals it lists. Everything it shows comes from the frozen submission (data and
photo), so a reprint of version N is always the same form.
"""

import base64
import datetime
import zoneinfo
from dataclasses import dataclass
from typing import Any

import segno
from django.utils import timezone, translation

from accounting_registry.pdf import render_to_pdf
from collection import diff, originals
from collection.constants import SECTIONS
from collection.models import Submission
from practitioners.models import Bureau, Practitioner

TEMPLATE = "pdf/application_form.html"
STYLESHEET = "pdf/base.css"

CHINESE_NUMERALS = "一二三四五六七八九十"


@dataclass(frozen=True)
class Cell:
    label: str
    value: str
    colspan: int  # of the value cell; the table has 5 columns (label, value, label, value, photo)


@dataclass(frozen=True)
class Section:
    title: str
    rows: list[list[Cell]]


def application_pdf(submission: Submission) -> bytes:
    """The A4 application form of a submitted version, as PDF bytes (always in Chinese)."""
    with translation.override("zh-hans"):
        _html, pdf = render_to_pdf(
            TEMPLATE, application_form_context(submission), stylesheet=STYLESHEET
        )
    return pdf


def application_form_context(submission: Submission) -> dict[str, Any]:
    """What the form template shows. Call with Chinese active: labels are translated here."""
    application = submission.application
    bureau: Bureau = application.bureau  # the practitioner's, whose counter accepts the form
    data = submission.data
    reference = application.reference or ""
    return {
        "reference": reference,
        "qr_uri": qr_data_uri(reference) if reference else "",
        "version": submission.number,
        "submitted_on": chinese_date(local_date(submission)),
        "campaign": application.campaign.name,
        "sections": form_sections(data),
        "photo_uri": photo_data_uri(submission),
        "bureau": {
            "name": bureau.name,
            "hall_name": bureau.hall_name,
            "hall_address": bureau.hall_address,
            "hall_phone": bureau.hall_phone,
            "hall_hours": bureau.hall_hours,
        },
        "has_employer": originals.has_employer(data),
        "originals": [str(item.label) for item in originals.originals_for(data)],
    }


def form_sections(data: dict[str, Any]) -> list[Section]:
    """The submitted values by section, two fields to a table row.

    The first section's rows leave the last column to the photo; elsewhere the last value
    cell of a row spans it.
    """
    sections = []
    for index, (_key, title, fields) in enumerate(SECTIONS):
        spare = 0 if index == 0 else 1
        cells = [
            (
                str(Practitioner._meta.get_field(field).verbose_name),
                diff.display(field, data.get(field)),
            )
            for field in fields
        ]
        rows = []
        for start in range(0, len(cells), 2):
            pair = cells[start : start + 2]
            if len(pair) == 2:
                rows.append([Cell(*pair[0], colspan=1), Cell(*pair[1], colspan=1 + spare)])
            else:
                rows.append([Cell(*pair[0], colspan=3 + spare)])
        sections.append(Section(title=f"{CHINESE_NUMERALS[index]}、{title}", rows=rows))
    return sections


def photo_data_uri(submission: Submission) -> str:
    """The frozen ID photo as a data: URI: the stored JPEG as it is (small, no re-encoding)."""
    with submission.photo.image.open("rb") as file:
        return f"data:image/jpeg;base64,{base64.b64encode(file.read()).decode('ascii')}"


def qr_data_uri(reference: str) -> str:
    """A QR code of the reference number, as a PNG data: URI of one pixel per module.

    base.css draws it with `image-rendering: pixelated`, so it prints as sharp squares like
    a vector would; as a ~250-byte PNG it costs the PDF nothing to embed, where an SVG path
    is parsed and drawn element by element on every render. The four-module quiet zone is
    part of the image, so it scans however the form is laid out.
    """
    return segno.make(reference, error="m", micro=False).png_data_uri(scale=1, border=4)


def local_date(submission: Submission) -> datetime.date:
    """The day the version was submitted, in the campaign's time zone."""
    zone = zoneinfo.ZoneInfo(submission.application.campaign.time_zone)
    return timezone.localtime(submission.submitted_at, zone).date()


def chinese_date(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"
