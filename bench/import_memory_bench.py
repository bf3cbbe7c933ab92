"""What the largest files an import admits cost in memory and time: the 50 000-row register as
CSV and as a workbook, 50 000 rows that are all wrong, and the densest workbook the checks let
through, each imported (checked, not written) in a fresh child process
(`run.py --import-memory FILE`) whose peak resident memory is compared with its baseline."""

from __future__ import annotations

import datetime
import json
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from typing import Any

import pdf_bench
from common import RUN_PY

from practitioners import imports, registerfile


def import_files(records: list[dict[str, Any]], folder: Path) -> dict[str, Path]:
    """The largest files an import admits: the 50 000-row register as CSV and as a workbook,
    50 000 rows that are all wrong (three problems each), and the densest workbook the checks
    let through (50 000 rows of 39 cells, just under the cell and unpacked-size limits)."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "csv": folder / "valid.csv",
        "xlsx": folder / "valid.xlsx",
        "invalid": folder / "invalid.csv",
        "dense": folder / "dense.xlsx",
    }
    files["csv"].write_bytes("".join(registerfile.iter_csv(records)).encode("utf-8"))
    with files["xlsx"].open("wb") as out:
        registerfile.write_xlsx(records, out)
    broken = [
        r | {"mobile": "12345", "email": "not-an-email", "birth_date": datetime.date(1901, 1, 1)}
        for r in records
    ]
    files["invalid"].write_bytes("".join(registerfile.iter_csv(broken)).encode("utf-8"))
    dense_workbook(files["xlsx"], files["dense"], rows=len(records), columns=39)
    return files


def dense_workbook(template: Path, path: Path, *, rows: int, columns: int) -> None:
    """The template workbook with its sheet replaced by `rows` rows of `columns` short cells."""

    def letters(number: int) -> str:
        text = ""
        while number:
            number, rest = divmod(number - 1, 26)
            text = chr(65 + rest) + text
        return text

    headers = list(registerfile.HEADERS) + [f"备注{n}" for n in range(columns - 26)]
    source = zipfile.ZipFile(template)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                archive.writestr(info.filename, source.read(info))
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(
                b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.'
                b'openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            )
            for row in range(1, rows + 2):
                cells = "".join(
                    f'<c r="{letters(n + 1)}{row}" t="inlineStr"><is><t>'
                    f"{headers[n] if row == 1 else '会计从业'}</t></is></c>"
                    for n in range(columns)
                )
                sheet.write(f'<row r="{row}">{cells}</row>'.encode())
            sheet.write(b"</sheetData></worksheet>")


def measure_import_memory(files: dict[str, Path]) -> dict[str, Any]:
    """Each file imported (checked, not written) in a fresh child process: seconds, and the
    peak resident memory above the process's baseline (Django and the libraries loaded)."""
    results = {}
    for name, path in files.items():
        completed = subprocess.run(
            [sys.executable, str(RUN_PY), "--import-memory", str(path)],
            env=os.environ.copy(),
            check=True,
            capture_output=True,
            text=True,
        )
        report = json.loads(completed.stdout.strip().splitlines()[-1])
        results[name] = report | {"mb": round(path.stat().st_size / 1e6, 1)}
    return {
        "import_memory": results,
        "import_memory_mb": max(r["peak_growth_mb"] for r in results.values()),
    }


def import_memory_child(path: str) -> None:
    """Child process (--import-memory FILE): one dry-run import, measured."""
    # The baseline is a serving process: the libraries an import loads, and the division list
    # the ID rules read (loaded once per process), are in it.
    import python_calamine  # noqa: F401

    from practitioners.idnumbers import check_id_number

    check_id_number("450103199001013428")
    data = Path(path).read_bytes()
    baseline = pdf_bench._current_rss_mb()
    started = time.perf_counter()
    result = imports.import_register(actor=None, data=data, filename=Path(path).name, dry_run=True)
    elapsed = time.perf_counter() - started
    peak = pdf_bench._peak_rss_mb()
    print(
        json.dumps(
            {
                "seconds": round(elapsed, 2),
                "peak_growth_mb": round(peak - baseline, 1),
                "rows": result.total_rows,
                "problems": result.problems.count,
            }
        )
    )
