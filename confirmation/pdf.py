"""The counter's PDFs: the confirmation record for the certificate booklet, its calibration
page, and the day's list."""

import datetime
import gc

from django.utils import timezone, translation

from confirmation.models import Confirmation, PrintSettings
from core.pdf import render_to_pdf

# Where the record's text block starts on the booklet page before the bureau's offsets (mm).
BASE_X_MM = 12
BASE_Y_MM = 14


def _placement(settings: PrintSettings) -> dict:
    x = BASE_X_MM + float(settings.offset_x_mm)
    y = BASE_Y_MM + float(settings.offset_y_mm)
    return {
        "width": float(settings.page_width_mm),
        "height": float(settings.page_height_mm),
        "x": x,
        "y": y,
        # cross-hairs of the calibration page: 12 mm long, centred on the start point
        "cross_left": x - 6,
        "cross_top": y - 6,
    }


def certificate_pdf(confirmation: Confirmation, settings: PrintSettings) -> bytes:
    """信息采集已确认, bureau, date, archive number and clerk, placed by the bureau's offsets."""
    with translation.override("zh-hans"):
        _html, pdf = render_to_pdf(
            "pdf/certificate.html",
            {
                "c": confirmation,
                "page": _placement(settings),
                "date": timezone.localtime(confirmation.confirmed_at).date(),
            },
            stylesheet=None,
        )
    return pdf


def calibration_pdf(settings: PrintSettings) -> bytes:
    """A grid in millimetres with cross-hairs where the record's text block starts."""
    page = _placement(settings)
    with translation.override("zh-hans"):
        _html, pdf = render_to_pdf(
            "pdf/calibration.html",
            {
                "page": page,
                "settings": settings,
                "columns": range(0, int(page["width"]) + 1, 10),
                "rows": range(0, int(page["height"]) + 1, 10),
            },
            stylesheet=None,
        )
    return pdf


def day_sheet_pdf(*, bureau, day: datetime.date, sheet: dict) -> bytes:
    with translation.override("zh-hans"):
        _html, pdf = render_to_pdf(
            "pdf/day_sheet.html",
            {
                "bureau": bureau,
                "day": day,
                "sheet": sheet,
                "printed_at": timezone.localtime(),
            },
            stylesheet=None,
        )
    gc.collect()
    return pdf
