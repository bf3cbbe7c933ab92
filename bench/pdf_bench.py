"""The application form PDF: what rendering one costs (once per submission, in the background),
what a download of a kept one costs through the real view, its size, and memory over a batch.

``measure_pdf(submissions)`` runs in the calling process (Django set up, the submissions'
photos readable from storage, each submission's practitioner with a login). A submission
never changes, so its form is rendered once, when it is submitted, and kept: what the
practitioner and the counter wait for is the download, and that is the figure with a target.

Two more, for issue 29: the print page (the form as the browser prints it at once, drawn from
the PDF's template without WeasyPrint), through the real view; and WeasyPrint's floor on this
machine, a one-page Chinese document with the same fonts and no styles, rendered in the same
run, so that the form's render reads as a ratio to it.
"""

from __future__ import annotations

import gc
import resource
import statistics
import sys
import time
from typing import Any

RENDERS = 50
DOWNLOADS = 300
PRINT_PAGES = 300
FLOOR_RENDERS = 20
FLOOR_DOCUMENT = (
    '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>floor</title></head>'
    "<body style=\"font-family: 'Registry Sans SC', 'Noto Sans CJK SC'\">"
    "<p>南宁市会计从业人员基本信息采集表</p></body></html>"
)
TARGETS = {"pdf_download_p95_ms": 20, "pdf_kb": 400, "print_page_p95_ms": 50}


def measure_pdf(submissions: list) -> dict[str, Any]:
    """Median and p90 render time of the forms of `submissions` (50 different ones), their
    size and the process's memory over the batch; then the p95 of downloading a kept form
    through the real view, logged in as its practitioner."""
    from django.test import Client
    from django.urls import reverse

    from collection import pdf

    pdf.render_application_form(submissions[0])  # fonts, stylesheet, WeasyPrint's caches
    gc.collect()
    render_ms: list[float] = []
    rss_mb: list[float] = []
    sizes: list[int] = []
    for submission in submissions[:RENDERS]:
        start = time.perf_counter()
        data = pdf.render_application_form(submission)
        render_ms.append((time.perf_counter() - start) * 1000)
        sizes.append(len(data))
        gc.collect()
        rss_mb.append(_current_rss_mb())
    for submission in submissions[:RENDERS]:
        pdf.store_application_form(submission)

    clients = []
    for submission in submissions[:RENDERS]:
        client = Client()
        client.force_login(submission.application.practitioner.account)
        clients.append(client)
    download_ms = _timed_gets(
        clients, reverse("collection:application_pdf"), DOWNLOADS, lambda body: body[:4] == b"%PDF"
    )

    print_ms = _print_page_ms(clients)
    floor_ms = _floor_render_ms()

    window = max(1, min(10, len(rss_mb) // 2))
    first, last = statistics.mean(rss_mb[:window]), statistics.mean(rss_mb[-window:])
    return {
        "pdf_forms": len(render_ms),
        "pdf_render_ms": round(statistics.median(render_ms), 1),
        "pdf_render_p90_ms": round(_quantile(render_ms, 0.9), 1),
        "pdf_download_p50_ms": round(statistics.median(download_ms), 2),
        "pdf_download_p95_ms": round(_quantile(download_ms, 0.95), 2),
        "pdf_downloads": len(download_ms),
        "pdf_kb": round(max(sizes) / 1024, 1),
        "pdf_peak_mb": round(_peak_rss_mb(), 1),
        "pdf_rss_first_mb": round(first, 1),
        "pdf_rss_last_mb": round(last, 1),
        "pdf_mem_growth_mb": round(last - first, 1),
        "pdf_floor_ms": round(statistics.median(floor_ms), 1),
        "pdf_render_vs_floor": round(statistics.median(render_ms) / statistics.median(floor_ms), 2),
        "print_page_p50_ms": round(statistics.median(print_ms), 2),
        "print_page_p95_ms": round(_quantile(print_ms, 0.95), 2),
    }


def _print_page_ms(clients: list) -> list[float]:
    """The print page, each practitioner's own, through the real view."""
    from django.urls import reverse

    url = reverse("collection:application_print")
    return _timed_gets(clients, url, PRINT_PAGES, lambda body: b"print-now" in body)


def _timed_gets(clients: list, url: str, count: int, looks_right) -> list[float]:
    """`count` GETs of `url` (after 20 to warm up), the clients in turn, each read whole and
    checked (200, and `looks_right` of its body); their times in ms."""
    times: list[float] = []
    for index in range(count + 20):
        client = clients[index % len(clients)]
        start = time.perf_counter()
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        elapsed = (time.perf_counter() - start) * 1000
        assert response.status_code == 200 and looks_right(body), (url, response.status_code)
        if index >= 20:
            times.append(elapsed)
    return times


def _floor_render_ms() -> list[float]:
    """WeasyPrint's least for a one-page Chinese document here: the same fonts and fetcher as
    the form, no stylesheet, no images, not tagged."""
    from core.pdf import render_html_to_pdf

    render_html_to_pdf(FLOOR_DOCUMENT)
    times: list[float] = []
    for _ in range(FLOOR_RENDERS):
        start = time.perf_counter()
        render_html_to_pdf(FLOOR_DOCUMENT)
        times.append((time.perf_counter() - start) * 1000)
    gc.collect()
    return times


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _peak_rss_mb() -> float:
    """The process's peak resident set size so far: Linux's VmHWM, which a new program starts
    afresh (ru_maxrss keeps the parent's peak across fork and exec), else ru_maxrss (KiB on
    Linux, bytes on macOS)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
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
