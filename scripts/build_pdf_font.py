"""Build static/fonts/NotoSansCJKsc-Regular-GB2312.otf, the font of the printed forms.

    .venv/bin/python scripts/build_pdf_font.py [--source PATH] [--output PATH]

A subset of Debian's Noto Sans CJK SC Regular (fonts-noto-cjk, the SC face of
NotoSansCJK-Regular.ttc) that covers GB 2312 (6 763 hanzi and its symbols), ASCII,
Latin-1, general punctuation, CJK symbols and punctuation and the full-width forms: about
7 800 glyphs instead of 65 535, ~1.6 MB instead of 19 MB.

Why: for every PDF, WeasyPrint subsets each font it embeds, and the cost follows the size
of the font it starts from, not the number of characters printed. Starting from the full
CJK font costs ~35-50 ms per document whatever the text; starting from this file costs a
few milliseconds. templates/pdf/base.css loads it with @font-face and names the system
"Noto Sans CJK SC" after it, so characters outside GB 2312 (rare name characters such as
䶮 堃 喆 犇) still print, from the full font, embedded as a second font.

The subset keeps the glyph outlines and metrics as they are; only the names change (family
"Noto Sans CJK SC GB2312"), so that Fontconfig never takes it for the full system font, and
the glyphs are numbered again so that each glyph's CID equals its glyph ID, as in the source
font. PDF writers (WeasyPrint, collection/pdf.py's form filler) write glyph IDs as the
character codes of an Identity-H CID font; a strict reader (Acrobat) takes those codes as
CIDs and looks them up in the font's charset. A plain subset keeps the source CIDs (张 is
glyph 7 031 but CID 26 219): some readers would then show other glyphs, or none.
Hints are dropped (WeasyPrint drops them from embedded fonts anyway) and so are the vertical
metrics and the OpenType features other than kern/liga/ccmp (forms are set horizontally in
Simplified Chinese; `locl`/`vert` would pull in thousands of Japanese, Korean, Traditional
and vertical glyphs). The build is deterministic: the same source font gives the same bytes.
The font is under the SIL Open Font License 1.1: static/fonts/OFL.txt must ship with it.
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection, TTFont

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from accounting_registry.pdf import fontconfig_file  # noqa: E402

OUTPUT = ROOT / "static" / "fonts" / "NotoSansCJKsc-Regular-GB2312.otf"
DEBIAN_SOURCE = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")

SOURCE_FAMILY = "Noto Sans CJK SC"
FAMILY = "Noto Sans CJK SC GB2312"  # what base.css names in @font-face
POSTSCRIPT_NAME = "NotoSansCJKscGB2312-Regular"
LAYOUT_FEATURES = ["kern", "liga", "ccmp"]
DROP_TABLES = ["vhea", "vmtx", "VORG", "BASE"]

RANGES = (
    (0x0020, 0x007E),  # ASCII
    (0x00A0, 0x00FF),  # Latin-1 (· in minority names, ×, °, ±)
    (0x2000, 0x206F),  # general punctuation (— … ‘’ “” ※ ‰)
    (0x3000, 0x303F),  # CJK symbols and punctuation (、。〈〉《》「」【】〇)
    (0xFF00, 0xFFEF),  # full-width forms (：（），０-９)
)


def gb2312() -> set[int]:
    """Every character of GB 2312: rows 0xA1-0xF7, cells 0xA1-0xFE of the EUC-CN table."""
    characters = set()
    for row in range(0xA1, 0xF8):
        for cell in range(0xA1, 0xFF):
            try:
                characters.add(ord(bytes((row, cell)).decode("gb2312")))
            except UnicodeDecodeError:
                pass  # unassigned position
    return characters


def characters() -> set[int]:
    wanted = gb2312()
    for first, last in RANGES:
        wanted.update(range(first, last + 1))
    return wanted


def find_source() -> Path:
    """The installed Noto Sans CJK file: Debian's path, or wherever Fontconfig has it."""
    if DEBIAN_SOURCE.is_file():
        return DEBIAN_SOURCE
    found = fontconfig_file(SOURCE_FAMILY)
    if found is None or "NotoSansCJK" not in Path(found[0]).name:
        sys.exit(
            "Noto Sans CJK SC is not installed (apt-get install fonts-noto-cjk); or pass --source"
        )
    return Path(found[0])


def open_sc_face(source: Path) -> TTFont:
    """The Regular SC face, from a .ttc collection or a single .otf."""
    if source.suffix.lower() in (".ttc", ".otc"):
        for index in range(len(TTCollection(source, lazy=True).fonts)):
            face = TTFont(source, fontNumber=index, lazy=True)
            if face["name"].getDebugName(1) == SOURCE_FAMILY:
                return TTFont(source, fontNumber=index, recalcTimestamp=False)
        sys.exit(f"{source} has no {SOURCE_FAMILY!r} face")
    return TTFont(source, recalcTimestamp=False)


def rename(font: TTFont) -> None:
    """Give the subset its own family name, in the name table and in the CFF table."""
    source_name = font["name"].getDebugName(6)
    version = font["name"].getDebugName(5)
    names = {
        1: FAMILY,
        3: f"{POSTSCRIPT_NAME};{version}",
        4: FAMILY,
        6: POSTSCRIPT_NAME,
        16: FAMILY,
        17: "Regular",
    }
    table = font["name"]
    for record in list(table.names):
        if record.nameID in (1, 3, 4, 6, 16, 17):
            table.removeNames(nameID=record.nameID)
    for name_id, value in names.items():
        table.setName(value, name_id, 3, 1, 0x409)  # Windows, Unicode BMP, en-US
        table.setName(value, name_id, 1, 0, 0)  # Macintosh, Roman, English
    table.setName(
        f"Subset of {source_name} ({version}): GB 2312, ASCII, Latin-1 and punctuation. "
        "Built by scripts/build_pdf_font.py.",
        10,
        3,
        1,
        0x409,
    )
    cff = font["CFF "].cff
    cff.fontNames = [POSTSCRIPT_NAME]
    top = cff.topDictIndex[0]
    top.FullName = FAMILY
    top.FamilyName = FAMILY


def number_cids_as_glyph_ids(font: TTFont) -> TTFont:
    """The font again, its CID-keyed CFF charset made the identity: glyph N is CID N.

    The glyph names of a CID-keyed font are its CIDs ("cid26219"). The font is compiled and
    read back with the new names set before any table is decompiled, so every table that
    refers to glyphs by ID (cmap, hmtx, GSUB, GPOS) takes them; only the CFF table, which
    names its glyphs itself, is renamed here, in glyph-ID order.
    """
    buffer = io.BytesIO()
    font.save(buffer)
    buffer.seek(0)
    count = len(font.getGlyphOrder())
    new_order = [".notdef"] + [f"cid{gid:05d}" for gid in range(1, count)]
    renumbered = TTFont(buffer, recalcTimestamp=False)
    renumbered.setGlyphOrder(new_order)
    top = renumbered["CFF "].cff.topDictIndex[0]
    renamed = dict(zip(top.charset, new_order, strict=True))
    char_strings = top.CharStrings
    char_strings.charStrings = {
        renamed[name]: index for name, index in char_strings.charStrings.items()
    }
    top.charset = new_order
    top.CIDCount = count
    for tag in renumbered.keys():
        renumbered[tag]  # decompile every table now, under the new names
    return renumbered


def build(source: Path, output: Path) -> TTFont:
    font = open_sc_face(source)
    options = subset.Options()
    options.layout_features = LAYOUT_FEATURES
    options.drop_tables += DROP_TABLES
    options.hinting = False
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=characters())
    subsetter.subset(font)
    rename(font)
    font = number_cids_as_glyph_ids(font)
    output.parent.mkdir(parents=True, exist_ok=True)
    font.save(output)
    return font


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--source", type=Path, help="NotoSansCJK-Regular.ttc or NotoSansCJKsc-Regular.otf"
    )
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args()
    source = args.source or find_source()
    font = build(source, args.output)
    cmap = font.getBestCmap()
    missing = sorted(c for c in characters() if c not in cmap and 0x4E00 <= c <= 0x9FFF)
    print(
        f"{args.output}: {len(font.getGlyphOrder())} glyphs, {len(cmap)} characters, "
        f"{args.output.stat().st_size / 1e6:.1f} MB (from {source})"
    )
    if missing:
        sys.exit(
            f"the source font lacks {len(missing)} GB 2312 hanzi: {''.join(map(chr, missing[:20]))}"
        )


if __name__ == "__main__":
    main()
