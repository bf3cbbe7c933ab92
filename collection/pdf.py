"""The printed application form (申请表): one submitted version on one A4 page, in Chinese.

The practitioner prints it, has the employer seal it, signs it and brings it to the counter
with the originals it lists. Everything it shows comes from the frozen submission (data and
photo) and from the accepting bureau's hall (name, address, phone, hours).

The browser prints it at once from a page drawn from the same template (print_page); the PDF,
for download and for the record, follows. A submission never changes, so its form is rendered once, by WeasyPrint (tagged PDF/UA, so
that its text reads in order), when it is submitted (collection.tasks), and kept in the private
storage under the submission and a digest of everything else it shows. A download serves the
kept file; one that finds none (not rendered yet, or the hall's details changed since) renders
and keeps it then.
"""

import base64
import datetime
import functools
import gc
import hashlib
import json
import unicodedata
import zoneinfo
from dataclasses import dataclass
from typing import Any

import segno
from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.tasks import default_task_backend
from django.template.loader import render_to_string
from django.utils import timezone, translation

from collection import diff, originals
from collection.constants import SECTIONS
from collection.models import Submission
from core.pdf import render_to_pdf
from core.storage import private_storage
from practitioners.models import Practitioner

TEMPLATE = "pdf/application_form.html"
BODY_TEMPLATE = "pdf/_application_form_body.html"  # the form's content, the print page's too
STYLESHEET = "pdf/base.css"
# Part of every kept form's name: change it when the template or stylesheet changes what a
# form shows, and every form is rendered again at its next download.
FORM_VERSION = "4"
# How long a download waits for the worker to render a new version's form (worker_renders_soon):
# always WORKER_GRACE; up to WORKER_PEAK while the worker is seen rendering forms (a queue at the
# deadline); never longer (a form whose task gave up).
WORKER_GRACE = datetime.timedelta(minutes=10)
WORKER_PEAK = datetime.timedelta(hours=1)
WORKER_SEEN = datetime.timedelta(minutes=2)
RENDERING_KEY = "collection:forms-rendered-at"  # in the shared cache: when a worker last did one
FOLDER = "application-forms"

CHINESE_NUMERALS = "一二三四五六七八九十"

# Values that always take a table row of their own (the longest ones); any other value takes one
# when it would not fit half a row. The rest go two to a row.
WIDE_FIELDS = frozenset({"employer", "address"})
# How many full-width characters a value cell holds on one line at the form's 9.5 pt: a half-row
# cell (48 mm; 80 mm when it spans the photo column), a row beside the photo (122 mm), a full
# row (154 mm). A longer value is set
# smaller (.long, 7 pt), so that every value the form accepts fits one A4 page.
LINE_CAPACITY = {1: 13, 2: 23, 3: 35, 4: 44}


@dataclass(frozen=True)
class Cell:
    label: str
    value: str
    colspan: int  # of the value cell; the table has 5 columns (label, value, label, value, photo)
    long: bool  # set smaller
    changed: bool = False  # a change form's changed value (bold)


def text_width(text: str) -> float:
    """A text's width in full-width characters (a digit or Latin letter is about half one)."""
    return sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.55 for c in text)


@dataclass(frozen=True)
class Section:
    title: str
    rows: list[list[Cell]]


def render_application_form(submission: Submission) -> bytes:
    """The A4 application form of a submitted version, as PDF bytes (always in Chinese)."""
    with translation.override("zh-hans"):
        _html, pdf = render_to_pdf(
            TEMPLATE, form_context(submission), stylesheet=STYLESHEET, pdf_variant="pdf/ua-1"
        )
    return pdf


def print_page(submission: Submission) -> str:
    """The form as the browser prints it at once (collection/form_print.html): its content from
    the PDF's own template, in Chinese whatever the reader's language; with the PDF's stylesheet
    (form_stylesheet: A4, the same margins and sizes). No worker, no WeasyPrint: printable the
    moment it is submitted; the kept PDF follows from the worker."""
    with translation.override("zh-hans"):
        return render_to_string(BODY_TEMPLATE, form_context(submission))


@functools.cache
def form_stylesheet() -> tuple[str, str]:
    """The PDF's stylesheet as the print page links it, and a version of it for the link (the
    browser keeps it until it changes)."""
    css = render_to_string(STYLESHEET)
    return css, hashlib.sha256(css.encode()).hexdigest()[:12]


def form_path(submission: Submission) -> str:
    """Where the submission's form is kept: the version, and a digest of what else it shows."""
    application = submission.application
    bureau = application.bureau  # the practitioner's, whose counter accepts the form
    shown = [
        FORM_VERSION,
        application.campaign.name if application.campaign_id else application.kind,
        application.reference,
        bureau.name,
        bureau.hall_name,
        bureau.hall_address,
        bureau.hall_phone,
        bureau.hall_hours,
    ]
    digest = hashlib.sha256(json.dumps(shown, ensure_ascii=False).encode()).hexdigest()[:20]
    return f"{FOLDER}/{application.pk}/{submission.number}-{digest}.pdf"


def store_application_form(submission: Submission) -> str:
    """Render the form and keep it (replacing the forms of this version that show older hall
    details); returns its name in the private storage."""
    storage = private_storage()
    name = form_path(submission)
    if storage.exists(name):
        return name
    data = render_application_form(submission)
    gc.collect()  # WeasyPrint's documents hold reference cycles: keep a worker's memory flat
    folder = name.rpartition("/")[0]
    if storage.exists(folder):
        for old in storage.listdir(folder)[1]:
            if old.startswith(f"{submission.number}-"):
                storage.delete(f"{folder}/{old}")
    return storage.save(name, ContentFile(data))


def kept_application_form(submission: Submission):
    """The kept form of the submission, open for reading, or None while it is not rendered."""
    storage = private_storage()
    name = form_path(submission)
    return storage.open(name, "rb") if storage.exists(name) else None


def stored_application_form(submission: Submission):
    """The kept form of the submission, open for reading; rendered and kept now if missing."""
    return kept_application_form(submission) or private_storage().open(
        store_application_form(submission), "rb"
    )


def worker_renders_soon(submission: Submission) -> bool:
    """For a form not kept yet: True while the background worker is still to render it.

    At the deadline the worker's queue grows (each form is a few hundred milliseconds of
    WeasyPrint); a download then waits for it on a page that refreshes itself, rather than
    rendering in the web server, where a crowd of such renders would slow every page. It waits
    WORKER_GRACE, and longer (up to WORKER_PEAK) while the worker is seen working through the
    queue; after that (the worker stopped, or the form's task gave up) the download renders the
    form itself. Where no worker runs (the immediate backend), the form is always kept already.
    """
    if not default_task_backend.supports_defer:  # the form task's backend: the default one
        return False
    now = timezone.now()
    age = now - submission.submitted_at
    if age < WORKER_GRACE:
        return True
    seen = cache.get(RENDERING_KEY)
    return age < WORKER_PEAK and seen is not None and now - seen < WORKER_SEEN


def note_worker_rendering() -> None:
    """Called by the worker before each form: the downloads waiting for theirs keep waiting."""
    cache.set(RENDERING_KEY, timezone.now(), timeout=int(WORKER_SEEN.total_seconds()))


def waiting_page_refresh(submission: Submission) -> int:
    """Seconds before the waiting page tries again: 5 at first, then a quarter of the form's
    wait so far, at most a minute, so that a long queue is not asked about every 5 seconds by
    everyone in it."""
    waited = (timezone.now() - submission.submitted_at).total_seconds()
    return int(min(60, max(5, waited / 4)))


def form_context(submission: Submission) -> dict[str, Any]:
    """What the form template shows. Call with Chinese active: labels are translated here."""
    application = submission.application
    bureau = application.bureau
    data = submission.data
    reference = application.reference or ""
    changes = diff.changes_between(submission.record, data)
    if application.is_change:
        heading = "南宁市会计从业人员基本信息变更表"
        subtitle = "变更事项：" + "、".join(c.label for c in changes)
    else:
        heading = "南宁市会计从业人员基本信息采集表"
        subtitle = application.campaign.name
    return {
        "heading": heading,
        "title": f"{heading} {reference}".strip(),
        "campaign": subtitle,
        "reference": reference,
        "version": submission.number,
        "submitted_on": chinese_date(local_date(submission)),
        "sections": form_sections(
            data, frozenset(c.field for c in changes) if application.is_change else frozenset()
        ),
        "qr_uri": qr_data_uri(reference) if reference else "",
        "photo_uri": photo_data_uri(submission),
        "bureau": bureau,
        "has_employer": originals.has_employer(data),
        "originals": originals.originals_for(
            data, kind=application.kind, changed={c.field for c in changes}
        ),
    }


def form_sections(data: dict[str, Any], changed: frozenset[str] = frozenset()) -> list[Section]:
    """The fields by section, with their values as people read them: two to a table row, but a
    value too long for half a row (and those of WIDE_FIELDS) on a row of its own, where it
    comes; a half-row value waits for the next one to share its row.

    The first section's rows leave the last column to the photo; elsewhere the last value
    cell of a row spans it.
    """
    sections = []
    for index, (_key, title, fields) in enumerate(SECTIONS):
        spare = 0 if index == 0 else 1
        rows: list[list[Cell]] = []
        pending: Cell | None = None

        def cell(field: str, colspan: int) -> Cell:
            value = diff.display(field, data.get(field))
            return Cell(
                label=str(Practitioner._meta.get_field(field).verbose_name),
                value=value,
                colspan=colspan,
                long=text_width(value) > LINE_CAPACITY[colspan],
                changed=field in changed,
            )

        for field in fields:
            value = diff.display(field, data.get(field))
            if field in WIDE_FIELDS or text_width(value) > LINE_CAPACITY[1]:
                rows.append([cell(field, 3 + spare)])
            elif pending is None:
                pending = cell(field, 1)
            else:
                rows.append([pending, cell(field, 1 + spare)])
                pending = None
        if pending is not None:
            rows.append([cell_wide(pending, 3 + spare)])
        sections.append(Section(title=f"{CHINESE_NUMERALS[index]}、{title}", rows=rows))
    return sections


def cell_wide(cell: Cell, colspan: int) -> Cell:
    return Cell(
        label=cell.label, value=cell.value, colspan=colspan, long=cell.long, changed=cell.changed
    )


def photo_data_uri(submission: Submission) -> str:
    """The frozen ID photo as a data: URI: the stored JPEG as it is (small, no re-encoding)."""
    with submission.photo.image.open("rb") as file:
        data = file.read()
    return f"data:image/jpeg;base64,{base64.b64encode(data).decode('ascii')}"


def qr_data_uri(reference: str) -> str:
    """A QR code of the reference number, as a PNG data: URI of one pixel per module.

    base.css draws it with `image-rendering: pixelated`, so it prints as sharp squares; the
    four-module quiet zone is part of the image, so it scans however the form is laid out.
    """
    return qr_code(reference).png_data_uri(scale=1, border=4)


def qr_code(reference: str) -> segno.QRCode:
    return segno.make(reference, error="m", micro=False)


def local_date(submission: Submission) -> datetime.date:
    """The day the version was submitted, in the campaign's time zone (a change's: the site's)."""
    campaign = submission.application.campaign
    zone = zoneinfo.ZoneInfo(campaign.time_zone if campaign else settings.TIME_ZONE)
    return timezone.localtime(submission.submitted_at, zone).date()


def chinese_date(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"
