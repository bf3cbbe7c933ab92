"""A change of the confirmation rate, in percentage points: one way to write it everywhere.

The bulletin page, the county page, the bulletin PDF and the workbook all show the week-on-week
change as "+3.6 个百分点" ("+3.6 pp"): a sign, one decimal and the unit, so that
nobody reads a change of 3.6 points as a change of 3.6 %. The value is rounded once here, so
the page, the PDF and the workbook's cell can never disagree on the last digit.
"""

from __future__ import annotations

from django.utils.translation import pgettext

MINUS = "\u2212"  # the typographic minus, as the pages print negative figures


def unit() -> str:
    """The unit in the active language: 个百分点, in English "pp" (percentage points, as
    economists abbreviate them: the tables stay narrow; the definitions page spells it out)."""
    return pgettext("rate change", "pp")


def points(change: float | None) -> float | None:
    """A change of rate (a fraction: 0.036) in points, to one decimal: 3.6. Never −0.0."""
    if change is None or change == "":
        return None
    return round(float(change) * 100, 1) + 0.0  # + 0.0 turns −0.0 into 0.0


def points_text(change: float | None) -> str:
    """A change of rate as every reader sees it: "+3.6 个百分点", "−0.4 个百分点",
    "0.0 个百分点"; "—" when there is no week before to compare with."""
    value = points(change)
    if value is None:
        return "—"
    number = "0.0" if value == 0 else f"{value:+.1f}".replace("-", MINUS)
    return f"{number} {unit()}"


def excel_format() -> str:
    """The workbook's number format for a cell holding points(): the cell stays a number that a
    bureau can sort and sum, and reads as points_text() does (Excel writes its own minus)."""
    quoted = '" ' + unit().replace('"', "") + '"'
    return f"+0.0{quoted};-0.0{quoted};0.0{quoted}"
