"""The application form PDF: time against a bare WeasyPrint page, size, and memory over a batch.

``measure_pdf(submission)`` runs in the calling process (Django set up, the submission's photo
readable from storage). The form and the bare page are rendered alternately, so that load
from other processes falls on both alike; ``gc.collect()`` follows every render, as a batch
job printing many forms would do.

The bare page is what any Chinese PDF costs with the same machinery (fonts, fetcher, PDF
writer): an A4 page with one line of Chinese in the form's font, the form's declaration. It
declares the font exactly as templates/pdf/base.css does (the GB 2312 subset of Noto Sans
CJK SC in static/fonts/, then the system font for anything else; test_pdf.py checks that the
two stay the same), so both embed the same font and pay the same font subsetting: with the
prepared font that is a few milliseconds, where the full 65 535-glyph system font cost
~35-50 ms per document whatever the text. What remains of the bare page is WeasyPrint's
fixed cost per document; the form's extra time is parsing, styling, laying out and drawing
~90 pieces of text in ~70 table cells, at roughly 0.5-1 ms each: ~150 ms for the whole
form. That is why a form is made by filling in a blank laid out once per hall and process
(accounting_registry.pdfform): the values are drawn into it and their glyphs embedded, with no
HTML layout at all. The 50 renders take 50 different submissions in turn.
"""

from __future__ import annotations

import gc
import resource
import statistics
import sys
import time
from typing import Any

from django.utils import translation

FONT_FACE = '@font-face { font-family: "Noto Sans CJK SC GB2312"; src: url(fonts/NotoSansCJKsc-Regular-GB2312.otf); }'
FONT_FAMILY = '"Noto Sans CJK SC GB2312", "Noto Sans CJK SC", sans-serif'

BARE_HTML = f"""<!DOCTYPE html>
<html lang="zh-Hans"><head><meta charset="utf-8"><style>
{FONT_FACE}
@page {{ size: A4; margin: 15mm; }}
html {{ font-family: {FONT_FAMILY}; font-size: 10pt; }}
</style></head>
<body><p>本人承诺所填信息真实、准确、完整，如有不实，本人愿承担相应责任。</p></body></html>"""

TARGETS = {"pdf_vs_bare": 1.5, "pdf_kb": 400}


def measure_pdf(submissions: list, n: int = 50) -> dict[str, Any]:
    """Median render times of the forms of `submissions` (n renders, taking them in turn) and
    of a bare page, the forms' size, memory; and what the two ways of making a form cost.

    Warm-up, as in a serving process after its first forms: fonts, stylesheet, WeasyPrint's
    caches, and the blank form of each hall among the submissions (one per bureau). Whether a
    form was filled in on the blank or rendered whole (a character no form font has,
    a value too long for its place) is counted: `pdf_filled_share`.
    """
    from accounting_registry.pdf import render_html_to_pdf
    from collection import pdf as collection_pdf
    from collection.pdf import application_pdf

    for submission in submissions:
        application_pdf(submission)
    render_html_to_pdf(BARE_HTML)
    gc.collect()

    form_ms: list[float] = []
    bare_ms: list[float] = []
    rss_mb: list[float] = []
    sizes: list[int] = []
    peak_before = _peak_rss_mb()
    for index in range(n):
        submission = submissions[index % len(submissions)]
        start = time.perf_counter()
        pdf = application_pdf(submission)
        form_ms.append((time.perf_counter() - start) * 1000)
        sizes.append(len(pdf))
        gc.collect()
        rss_mb.append(_current_rss_mb())

        start = time.perf_counter()
        render_html_to_pdf(BARE_HTML)
        bare_ms.append((time.perf_counter() - start) * 1000)
        gc.collect()

    filled = sum(
        collection_pdf.filled_application_pdf(submissions[index % len(submissions)]) is not None
        for index in range(n)
    )
    # The two ways a form is made, on the first submission: laying out its blank (once per
    # hall and process), and rendering the whole form (when a value does not fit the blank).
    blank_form = collection_pdf.blank_form_of(submissions[0])
    blank_ms: list[float] = []
    whole_ms: list[float] = []
    with translation.override("zh-hans"):
        for _ in range(5):
            collection_pdf.blank_pdf.cache_clear()
            start = time.perf_counter()
            collection_pdf.blank_pdf(blank_form)
            blank_ms.append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            collection_pdf.whole_application_pdf(submissions[0])
            whole_ms.append((time.perf_counter() - start) * 1000)
            gc.collect()

    warm, bare = statistics.median(form_ms), statistics.median(bare_ms)
    window = max(1, min(10, n // 2))
    first, last = statistics.mean(rss_mb[:window]), statistics.mean(rss_mb[-window:])
    return {
        "pdf_runs": n,
        "pdf_forms": len(submissions),
        "pdf_warm_ms": round(warm, 1),
        "pdf_warm_p90_ms": round(_quantile(form_ms, 0.9), 1),
        "pdf_bare_ms": round(bare, 1),
        "pdf_vs_bare": round(warm / bare, 2),
        "pdf_filled_share": round(filled / n, 3),
        "pdf_blank_ms": round(statistics.median(blank_ms), 1),
        "pdf_whole_ms": round(statistics.median(whole_ms), 1),
        "pdf_kb": round(max(sizes) / 1024, 1),
        "pdf_peak_mb": round(_peak_rss_mb(), 1),
        "pdf_peak_growth_mb": round(_peak_rss_mb() - peak_before, 1),
        "pdf_rss_first_mb": round(first, 1),
        "pdf_rss_last_mb": round(last, 1),
        "pdf_mem_growth_mb": round(last - first, 1),
    }


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _peak_rss_mb() -> float:
    """The process's peak resident set size so far (ru_maxrss: KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def _current_rss_mb() -> float:
    """The resident set size now (Linux /proc; elsewhere the peak, which cannot show a fall)."""
    try:
        with open("/proc/self/statm") as statm:
            pages = int(statm.read().split()[1])
    except OSError:
        return _peak_rss_mb()
    return pages * resource.getpagesize() / (1024 * 1024)
