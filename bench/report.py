"""The bench's report: each target and whether a run met it, and the figures written to
bench/results.json and bench/results.md (a Markdown table; the README links it and quotes the
main figures)."""

from __future__ import annotations

import json
from typing import Any

from common import BENCH_DIR

TARGETS: dict[str, str] = {
    "lookup_p95_ms": "< 20 ms",
    "lookup_p95_ms_small": "< 20 ms",
    "lookup_growth": "< 1.5",
    "lookup_queries": "fixed per request",
    "import_vs_copy": ">= 0.25",
    "queue_p95_ms": "< 50 ms, fixed queries",
    "review_p95_ms": "< 50 ms, fixed queries",
    "confirm_safe": "unique numbers, none lost",
    "pdf_download_p95_ms": "< 20 ms",
    "pdf_kb": "< 400 KB",
    "print_page_p95_ms": "< 50 ms",
    "login_p95_ms": "< 100 ms",
    "import_memory_mb": "< 300 MB above the baseline",
    "progress_all_ms": "p95 < 100 ms, fixed queries",
    "progress_growth": "< 3",
    "bulletin_p95_ms": "< 50 ms, fixed queries",
    "http_lookup_ratio": ">= 0.4",
}


def targets_met(results: dict[str, Any]) -> dict[str, bool]:
    return {
        "lookup_p95_ms": results["lookup_p95_ms"] < 20,
        "lookup_p95_ms_small": results["lookup_p95_ms_small"] < 20,
        "lookup_growth": results["lookup_growth"] < 1.5,
        "lookup_queries": results["lookup_queries_fixed"],
        "import_vs_copy": results["import_vs_copy"] >= 0.25,
        "queue_p95_ms": results["queue_p95_ms"] < 50 and results["queue_queries_constant"],
        "review_p95_ms": results["review_p95_ms"] < 50 and results["review_queries_constant"],
        "confirm_safe": results["archive_numbers_unique"] and results["confirm_lost"] == 0,
        "pdf_download_p95_ms": results["pdf_download_p95_ms"] < 20,
        "pdf_kb": results["pdf_kb"] < 400,
        "print_page_p95_ms": results["print_page_p95_ms"] < 50,
        "login_p95_ms": results["login_p95_ms"] < 100,
        "import_memory_mb": results["import_memory_mb"] < 300,
        "progress_all_ms": results["progress_all_p95_ms"] < 100
        and results["progress_queries_constant"],
        "progress_growth": results["progress_growth"] < 3,
        "bulletin_p95_ms": results["bulletin_p95_ms"] < 50 and results["bulletin_queries_constant"],
        "http_lookup_ratio": results["http_lookup_ratio"] >= 0.4
        and results["http_bad_responses"] == 0,
    }


def markdown_table(results: dict[str, Any]) -> str:
    met = results["targets_met"]
    n, n_small = results["bench_n"], results["bench_n_small"]

    def target(key: str) -> str:
        return f"{TARGETS[key]} ({'met' if met[key] else '**missed**'})" if key in TARGETS else ""

    lines = [
        "| metric | value | target |",
        "|---|---|---|",
        f"| lookup p50 (N={n:,}) | {results['lookup_p50_ms']:.1f} ms | |",
        f"| lookup p95 (N={n:,}) | {results['lookup_p95_ms']:.1f} ms | {target('lookup_p95_ms')} |",
        f"| lookup p50 (N={n_small:,}) | {results['lookup_p50_ms_small']:.1f} ms | |",
        f"| lookup p95 (N={n_small:,}) | {results['lookup_p95_ms_small']:.1f} ms "
        f"| {target('lookup_p95_ms_small')} |",
        f"| lookup growth p50(N) / p50(N/10) | {results['lookup_growth']:.2f} "
        f"| {target('lookup_growth')} |",
        f"| queries per lookup (N / N/10) | {results['lookup_queries']} / "
        f"{results['lookup_queries_small']} | {target('lookup_queries')} |",
        f"| import ({results['import_rows']:,} rows CSV, parse+validate+write; "
        f"best of {results['import_rounds']}) | {results['import_rows_per_s']:,.0f} rows/s | |",
        f"| COPY (same rows; best of {results['import_rounds']}) "
        f"| {results['copy_rows_per_s']:,.0f} rows/s | |",
        f"| import / COPY | {results['import_vs_copy']:.2f} | {target('import_vs_copy')} |",
        f"| the record's one writer, save_record p50 / p95 (lock, write, tallies, audit; "
        f"{results['save_record_writes']} writes) | {results['save_record_p50_ms']:.1f} / "
        f"{results['save_record_p95_ms']:.1f} ms | |",
        f"| counter queue p50 / p95 ({results['submitted_applications']:,} submitted; "
        f"{results['queue_queries']} queries) | {results['queue_p50_ms']:.1f} / {results['queue_p95_ms']:.1f} ms "
        f"| {target('queue_p95_ms')} |",
        f"| counter review p50 / p95 ({results['review_queries']} queries) "
        f"| {results['review_p50_ms']:.1f} / {results['review_p95_ms']:.1f} ms | {target('review_p95_ms')} |",
        f"| confirmations by 2 concurrent processes | {results['confirm_per_s']:.1f} /s "
        f"({results['confirm_recorded']} of {results['confirm_total']}, archive numbers unique: "
        f"{'yes' if results['archive_numbers_unique'] else 'NO'}) | {target('confirm_safe')} |",
        f"| application form rendered, median / p90 ({results['pdf_forms']} different forms; "
        f"once per submission, in the background) | {results['pdf_render_ms']:.0f} / "
        f"{results['pdf_render_p90_ms']:.0f} ms | |",
        f"| application form download p50 / p95 (a kept form, through the view) "
        f"| {results['pdf_download_p50_ms']:.1f} / {results['pdf_download_p95_ms']:.1f} ms "
        f"| {target('pdf_download_p95_ms')} |",
        f"| WeasyPrint's floor (a one-page Chinese document, same fonts) / the form's render "
        f"against it | {results['pdf_floor_ms']:.0f} ms / {results['pdf_render_vs_floor']:.1f}× | |",
        f"| the print page (the form printed by the browser at once), p50 / p95 "
        f"| {results['print_page_p50_ms']:.1f} / {results['print_page_p95_ms']:.1f} ms "
        f"| {target('print_page_p95_ms')} |",
        f"| PDF size | {results['pdf_kb']:.0f} KB | {target('pdf_kb')} |",
        f"| PDF peak memory / growth over the batch | {results['pdf_peak_mb']:.0f} MB / "
        f"{results['pdf_mem_growth_mb']:+.1f} MB | flat |",
        f"| login POST p50 / p95 ({results['login_hash']}) | {results['login_p50_ms']:.0f} / "
        f"{results['login_p95_ms']:.0f} ms | {target('login_p95_ms')} |",
        *[
            f"| import of the largest admitted file: {name} ({r['mb']} MB, {r['rows']:,} rows, "
            f"{r['problems']:,} problems; checked) | {r['seconds']:.1f} s, "
            f"+{r['peak_growth_mb']:.0f} MB | "
            + (target("import_memory_mb") if name == "dense" else "")
            + " |"
            for name, r in results["import_memory"].items()
        ],
        f"| city dashboard's live figures of all 13 bureaus, p50 / p95 (N={n:,}; "
        f"{results['progress_queries']} queries, {results['progress_tally_rows']:,} tally rows) "
        f"| {results['progress_all_p50_ms']:.1f} / {results['progress_all_p95_ms']:.1f} ms "
        f"| {target('progress_all_ms')} |",
        f"| the same at N={n_small:,} | {results['progress_all_p50_ms_small']:.1f} / "
        f"{results['progress_all_p95_ms_small']:.1f} ms | |",
        f"| its growth p95(N) / p95(N/10) | {results['progress_growth']:.2f} "
        f"| {target('progress_growth')} |",
        f"| public bulletin page p50 / p95 ({results['bulletin_queries']} queries, "
        f"{results['bulletin_kb']:.0f} KB with its two charts) | {results['bulletin_p50_ms']:.1f} / "
        f"{results['bulletin_p95_ms']:.1f} ms | {target('bulletin_p95_ms')} |",
        f"| `http_rps_bare`: a trivial view over HTTP ({results['http_setup']}) "
        f"| {results['http_rps_bare']:,} req/s | |",
        f"| `http_rps_lookup`: the lookup page over HTTP, a county clerk, a different person "
        f"each time (p50 / p99 {results['http_lookup_p50_ms']:.1f} / "
        f"{results['http_lookup_p99_ms']:.1f} ms) | {results['http_rps_lookup']:,} req/s | |",
        f"| lookup / bare ({results['http_bad_responses']} failed responses) "
        f"| {results['http_lookup_ratio']:.2f} | {target('http_lookup_ratio')} |",
    ]
    return "\n".join(lines) + "\n"


def write_report(results: dict[str, Any]) -> str:
    table = markdown_table(results)
    (BENCH_DIR / "results.json").write_text(
        json.dumps(results, indent=2, ensure_ascii=False) + "\n"
    )
    caption = (
        f"`make bench`, {results['date']}: BENCH_N={results['bench_n']:,}, "
        f"{results['cpu_count']} CPUs, Python {results['python']}, Django {results['django']}, "
        f"PostgreSQL {results['postgresql']}.\n\n"
    )
    (BENCH_DIR / "results.md").write_text(caption + table)
    return table
