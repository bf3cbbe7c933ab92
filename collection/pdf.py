"""The printed application form (申请表): one submitted version on one A4 page, in Chinese.

The practitioner prints it, has the employer seal it, signs it and brings it to the counter
with the originals it lists. Everything it shows comes from the frozen submission (data and
photo), so a reprint of version N is always the same form.

Printed often, at home and at the counter, so it is fast: the blank form of a bureau's hall
is laid out by WeasyPrint once per process, and each submission's values are then drawn into
it (accounting_registry.pdfform), in a few ms instead of ~150. The template is the same for the blank and for the whole form, which is
rendered when a value does not fit its place on the blank.
"""

import base64
import datetime
import zoneinfo
from dataclasses import dataclass, replace
from typing import Any

import segno
from django.utils import timezone, translation

from accounting_registry import pdfform
from accounting_registry.pdf import render_to_pdf
from collection import diff, originals
from collection.constants import SECTIONS
from collection.models import Submission
from practitioners.models import Bureau, Practitioner

TEMPLATE = "pdf/application_form.html"
STYLESHEET = "pdf/base.css"

CHINESE_NUMERALS = "一二三四五六七八九十"

# Values that take a table row of their own on the form (the longest ones): the others go two
# to a row, in the order of SECTIONS.
WIDE_FIELDS = frozenset({"employer", "address"})

# Lines for the originals to bring (originals.originals_for lists at most seven), filled in
# like the values, so that the blank does not depend on them.
ORIGINAL_SLOTS = tuple(f"original_{number}" for number in range(1, 8))


@dataclass(frozen=True)
class Cell:
    label: str
    slot: str  # the field: the data-slot the value goes into
    value: str  # empty on the blank form
    colspan: int  # of the value cell; the table has 5 columns (label, value, label, value, photo)


@dataclass(frozen=True)
class Section:
    title: str
    rows: list[list[Cell]]


@dataclass(frozen=True)
class BlankForm:
    """What the printed form of one submission shares with others: a blank is laid out once
    per process for each distinct one (pdfform), and filled in with each submission's values."""

    campaign: str
    bureau_name: str
    hall_name: str
    hall_address: str
    hall_phone: str
    hall_hours: str
    has_employer: bool


def application_pdf(submission: Submission) -> bytes:
    """The A4 application form of a submitted version, as PDF bytes (always in Chinese).

    The blank form filled in with the submission's values (a few ms); should a value not fit
    its place on the blank, the whole form laid out by WeasyPrint, its rows as tall as their
    contents.
    """
    filled = filled_application_pdf(submission)
    return filled if filled is not None else whole_application_pdf(submission)


def filled_application_pdf(submission: Submission) -> bytes | None:
    """The form as the blank of the submission's hall filled in with its values, or None
    if a value cannot be set there (too long for its place even set small, or a character
    none of the form's fonts has)."""
    with translation.override("zh-hans"):
        pictures = form_pictures(submission)
        if pictures is None:
            return None
        return pdfform.fill(
            blank_pdf(blank_form_of(submission)),
            form_values(submission),
            pictures,
            title=document_title(submission),
        )


def whole_application_pdf(submission: Submission) -> bytes:
    """The form laid out and rendered by WeasyPrint as a whole."""
    with translation.override("zh-hans"):
        context = form_context(blank_form_of(submission), submission)
        _html, pdf = render_to_pdf(TEMPLATE, context, stylesheet=STYLESHEET)
    return pdf


def blank_form_of(submission: Submission) -> BlankForm:
    application = submission.application
    bureau: Bureau = application.bureau  # the practitioner's, whose counter accepts the form
    data = submission.data
    return BlankForm(
        campaign=application.campaign.name,
        bureau_name=bureau.name,
        hall_name=bureau.hall_name,
        hall_address=bureau.hall_address,
        hall_phone=bureau.hall_phone,
        hall_hours=bureau.hall_hours,
        has_employer=originals.has_employer(data),
    )


@pdfform.cache_blanks
def blank_pdf(blank_form: BlankForm) -> pdfform.Blank:
    """The form without a submission's values (Chinese active), laid out by WeasyPrint."""
    return pdfform.render_blank(TEMPLATE, form_context(blank_form), stylesheet=STYLESHEET)


def form_context(blank_form: BlankForm, submission: Submission | None = None) -> dict[str, Any]:
    """What the form template shows: everything, or without `submission` the blank form.

    Call with Chinese active: labels are translated here.
    """
    values = form_values(submission) if submission is not None else {}
    reference = submission.application.reference if submission is not None else ""
    return {
        "title": document_title(submission) if submission is not None else "",
        "campaign": blank_form.campaign,
        "values": values,
        "sections": form_sections(values),
        "qr_uri": qr_data_uri(reference) if reference else "",
        "photo_uri": photo_data_uri(submission) if submission is not None else "",
        "bureau": {
            "name": blank_form.bureau_name,
            "hall_name": blank_form.hall_name,
            "hall_address": blank_form.hall_address,
            "hall_phone": blank_form.hall_phone,
            "hall_hours": blank_form.hall_hours,
        },
        "has_employer": blank_form.has_employer,
        "original_slots": [(slot, values.get(slot, "")) for slot in ORIGINAL_SLOTS],
    }


def document_title(submission: Submission) -> str:
    return f"南宁市会计从业人员基本信息采集表 {submission.application.reference or ''}".strip()


def form_values(submission: Submission) -> dict[str, str]:
    """The text of every slot of the form, by slot name: the masthead's and each field's."""
    reference = submission.application.reference or ""
    values = {
        "reference": f"受理编号：{reference}",
        "version": f"版本：第 {submission.number} 版",
        "submitted_on": f"提交日期：{chinese_date(local_date(submission))}",
        "qr_caption": reference,
    }
    for _key, _title, fields in SECTIONS:
        for field in fields:
            values[field] = diff.display(field, submission.data.get(field))
    to_bring = originals.originals_for(submission.data)
    for number, item in enumerate(to_bring, start=1):
        values[ORIGINAL_SLOTS[number - 1]] = f"{number}. {item.label}"
    return values


def form_pictures(submission: Submission) -> dict[str, pdfform.Picture] | None:
    """The photo and the QR code, ready to be drawn; None if the photo is not a JPEG the
    filler embeds as it is (the whole form is then rendered, which re-encodes it)."""
    pictures = {}
    try:
        pictures["photo"] = pdfform.jpeg_picture(photo_bytes(submission))
    except ValueError:
        return None
    reference = submission.application.reference
    if reference:
        pictures["qr"] = pdfform.bitmap_picture(qr_code(reference).matrix_iter(border=4))
    return pictures


def form_sections(values: dict[str, str]) -> list[Section]:
    """The fields by section, two to a table row (WIDE_FIELDS on a row of their own), with
    their values from form_values(), or empty ones for the blank form (values empty).

    The first section's rows leave the last column to the photo; elsewhere the last value
    cell of a row spans it.
    """
    sections = []
    for index, (_key, title, fields) in enumerate(SECTIONS):
        spare = 0 if index == 0 else 1
        rows: list[list[Cell]] = []
        pending: Cell | None = None
        for field in fields:
            cell = Cell(
                label=str(Practitioner._meta.get_field(field).verbose_name),
                slot=field,
                value=values.get(field, ""),
                colspan=1,
            )
            if field in WIDE_FIELDS:
                if pending is not None:  # keep the order of SECTIONS
                    rows.append([replace(pending, colspan=3 + spare)])
                    pending = None
                rows.append([replace(cell, colspan=3 + spare)])
            elif pending is None:
                pending = cell
            else:
                rows.append([pending, replace(cell, colspan=1 + spare)])
                pending = None
        if pending is not None:
            rows.append([replace(pending, colspan=3 + spare)])
        sections.append(Section(title=f"{CHINESE_NUMERALS[index]}、{title}", rows=rows))
    return sections


def photo_bytes(submission: Submission) -> bytes:
    with submission.photo.image.open("rb") as file:
        return file.read()


def photo_data_uri(submission: Submission) -> str:
    """The frozen ID photo as a data: URI: the stored JPEG as it is (small, no re-encoding)."""
    return f"data:image/jpeg;base64,{base64.b64encode(photo_bytes(submission)).decode('ascii')}"


def qr_data_uri(reference: str) -> str:
    """A QR code of the reference number, as a PNG data: URI of one pixel per module.

    base.css draws it with `image-rendering: pixelated`, so it prints as sharp squares like
    a vector would; as a ~250-byte PNG it costs the PDF nothing to embed, where an SVG path
    is parsed and drawn element by element on every render. The four-module quiet zone is
    part of the image, so it scans however the form is laid out.
    """
    return qr_code(reference).png_data_uri(scale=1, border=4)


def qr_code(reference: str) -> segno.QRCode:
    return segno.make(reference, error="m", micro=False)


def local_date(submission: Submission) -> datetime.date:
    """The day the version was submitted, in the campaign's time zone."""
    zone = zoneinfo.ZoneInfo(submission.application.campaign.time_zone)
    return timezone.localtime(submission.submitted_at, zone).date()


def chinese_date(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"
