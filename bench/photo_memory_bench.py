"""What the worst photo an upload admits costs in memory: for each kind of file (RGBA PNG,
16-bit grey PNG, RGB PNG, 16-bit RGBA PNG, CMYK JPEG, progressive JPEGs), the largest one
`collection.photos` admits and one just above it, each processed in a fresh child process whose
peak resident memory (Linux's VmHWM) is compared with its resident memory just before.

Runnable alone, no database needed: `.venv/bin/python bench/photo_memory_bench.py` prints a
table (and `--json` the figures). The files are solid colours, which compress to a few hundred
KB even at 40 megapixels: what a photo costs to decode depends on its pixels and their mode, not
on what they show. Pillow writes all of them except the 16-bit RGBA PNG, which it cannot write;
that one is put together here from its chunks.

JPEGs are sent with the smallest crop box the page accepts, centred: the photo can then not be
decoded at a fraction of its size for the sake of the copy's sharpness, the dearest case.
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import math
import os
import resource
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accounting_registry.settings.test")

from PIL import Image  # noqa: E402

from tests.pngs import solid_png  # noqa: E402

# The proportion of the file that took 544 MB (5770×6915), kept for every kind.
ASPECT = 5770 / 6915
# "Just above" the largest admitted: one percent more pixels each way.
ABOVE = 1.01
GREEN = (20, 200, 20)


def _png(mode: str, colour: object) -> Callable[[tuple[int, int]], bytes]:
    def build(size: tuple[int, int]) -> bytes:
        out = io.BytesIO()
        Image.new(mode, size, colour).save(out, "PNG")  # type: ignore[arg-type]
        return out.getvalue()

    return build


def _jpeg(mode: str, colour: object, **params: object) -> Callable[[tuple[int, int]], bytes]:
    def build(size: tuple[int, int]) -> bytes:
        out = io.BytesIO()
        Image.new(mode, size, colour).save(out, "JPEG", quality=90, **params)  # type: ignore[arg-type]
        return out.getvalue()

    return build


def _png_rgba_16(size: tuple[int, int]) -> bytes:
    """A 16-bit RGBA PNG (colour type 6, depth 16), half-transparent green, put together from
    its chunks (tests/pngs.py)."""
    width, height = size
    pixel = struct.pack(">HHHH", 5000, 52000, 5000, 32768)
    return solid_png(width, height, bit_depth=16, colour_type=6, row=pixel * width)


# name, builder, whether it is sent with the smallest crop box (JPEGs: see the docstring)
KINDS: list[tuple[str, Callable[[tuple[int, int]], bytes], bool]] = [
    ("RGBA PNG", _png("RGBA", (*GREEN, 128)), False),
    ("16-bit grey PNG", _png("I;16", 30000), False),
    ("RGB PNG", _png("RGB", GREEN), False),
    ("16-bit RGBA PNG", _png_rgba_16, False),
    ("CMYK JPEG", _jpeg("CMYK", (200, 10, 200, 10)), True),
    ("progressive JPEG (RGB 4:4:4)", _jpeg("RGB", GREEN, progressive=True, subsampling=0), True),
    ("progressive CMYK JPEG", _jpeg("CMYK", (200, 10, 200, 10), progressive=True), True),
]


def sizes_for(limit: int) -> tuple[tuple[int, int], tuple[int, int]]:
    """The largest size of the bench's proportion with at most `limit` pixels, and one just
    above it."""
    height = math.isqrt(int(limit / ASPECT))
    width = int(height * ASPECT)
    while width * height > limit:
        height -= 1
    return (width, height), (math.ceil(width * ABOVE), math.ceil(height * ABOVE))


def measure(path: Path, crop: bool) -> dict[str, object]:
    completed = subprocess.run(
        [sys.executable, __file__, "--child", str(path)] + (["--crop"] if crop else []),
        env=os.environ.copy(),
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(completed.stdout.strip().splitlines()[-1])


def run() -> list[dict[str, object]]:
    import django

    django.setup()
    from collection import photos

    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for name, build, crop in KINDS:
            limit = photos.pixel_limit(build((400, 500)))
            for label, size in zip(
                ("largest admitted", "just above"), sizes_for(limit), strict=True
            ):
                data = build(size)
                path = Path(folder) / "photo"
                path.write_bytes(data)
                del data
                rows.append(
                    {"kind": name, "case": label, "width": size[0], "height": size[1]}
                    | {"file_kb": round(path.stat().st_size / 1024), "limit": limit}
                    | measure(path, crop)
                )
    return rows


def _status_mb(field: str) -> float:
    """A figure of /proc/self/status in MB (Linux): VmHWM, the peak resident memory, which a new
    program starts afresh (ru_maxrss keeps the parent's peak across fork and exec), or VmRSS."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    raise LookupError(field)


def child(path: str, crop: bool) -> None:
    """Child process (--child FILE): one upload processed, measured. The baseline is a serving
    process that has processed a photo before (the libraries, the sRGB profile, Django's
    translations loaded)."""
    import django

    django.setup()
    from collection import photos

    for _, build, _ in KINDS:
        photos.process_photo(build((400, 500)))
    data = Path(path).read_bytes()
    box = None
    if crop:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
        box = photos.CropBox(
            x=(width - photos.MIN_CROP_WIDTH) // 2,
            y=(height - photos.MIN_CROP_HEIGHT) // 2,
            width=photos.MIN_CROP_WIDTH,
            height=photos.MIN_CROP_HEIGHT,
        )
    gc.collect()
    baseline = _status_mb("VmRSS")
    started = time.perf_counter()
    try:
        photos.process_photo(data, box)
        outcome = "accepted"
    except photos.PhotoError as error:
        outcome = f"refused ({error.code})"
    seconds = time.perf_counter() - started
    peak = _status_mb("VmHWM")
    gc.collect()
    after = _status_mb("VmRSS")
    print(
        json.dumps(
            {
                "outcome": outcome,
                "seconds": round(seconds, 2),
                "baseline_mb": round(baseline, 1),
                "peak_above_baseline_mb": round(peak - baseline, 1),
                "kept_after_mb": round(after - baseline, 1),
                "maxrss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            }
        )
    )


def table(rows: list[dict[str, object]]) -> str:
    lines = [
        "| file | pixels | file size | outcome | peak above baseline | kept after | seconds |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        pixels = int(row["width"]) * int(row["height"])  # type: ignore[call-overload]
        lines.append(
            f"| {row['kind']}, {row['case']} | {row['width']}×{row['height']} "
            f"({pixels / 1e6:.1f} MP) | {row['file_kb']} KB | {row['outcome']} "
            f"| {row['peak_above_baseline_mb']} MB | {row['kept_after_mb']} MB "
            f"| {row['seconds']} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", metavar="FILE", help=argparse.SUPPRESS)
    parser.add_argument("--crop", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    arguments = parser.parse_args()
    if arguments.child:
        child(arguments.child, arguments.crop)
        return
    rows = run()
    print(json.dumps(rows, indent=1) if arguments.json else table(rows))


if __name__ == "__main__":
    main()
