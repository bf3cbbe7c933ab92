"""Forms printed in a few milliseconds: a blank laid out once by WeasyPrint, then filled in.

A printed form is mostly the same on every copy: title, labels, grid, the service hall's
address, the declaration. WeasyPrint lays all of it out again for every document, at about
a millisecond per piece of text. Here that happens once per distinct blank; each copy then
only has its values drawn into the blank:

- the template marks each place a value goes with a ``data-slot="name"`` attribute. The
  element's content box (position, size, font size, alignment) is the slot;
- ``render_blank()`` renders the template with those elements empty, records the slots and
  keeps the PDF;
- ``fill()`` writes each text into its slot in the form's fonts: on one line at the slot's
  font size if it fits, else wrapped and set smaller, down to MIN_FONT_SIZE; each image is
  scaled into its slot. The subset of each font the values use is embedded as a font of its
  own.

The fonts are those of templates/pdf/base.css, in the same order: the GB 2312 subset of Noto
Sans CJK SC in static/fonts/ (scripts/build_pdf_font.py), then the system's "Noto Sans CJK SC"
for the rare characters outside it (䶮, 堃, 喆...). In both, a glyph's ID is its CID, so glyph
IDs written as the codes of an Identity-H font are drawn the same way by every PDF reader.

A value that cannot be set this way (a character neither font has, text too long for its
slot even at the smallest size) makes ``fill()`` return None: the caller then renders the
whole document with WeasyPrint, where rows grow to fit: slower, never wrong. The template is
the same in both cases, filled or left blank, so the two look alike.
"""

from __future__ import annotations

import functools
import hashlib
import io
import logging
import math
import re
import zlib
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.template.loader import render_to_string

from accounting_registry import pdf as pdf_rendering

if TYPE_CHECKING:
    import pikepdf
    import uharfbuzz

# pikepdf announces at INFO, once per process, that it forwards qpdf's messages to logging.
logging.getLogger("pikepdf._core").setLevel(logging.WARNING)

FORM_FONT = "fonts/NotoSansCJKsc-Regular-GB2312.otf"  # under static/, as base.css loads it
FALLBACK_FAMILY = "Noto Sans CJK SC"  # the system font base.css names next (fonts-noto-cjk)
MIN_FONT_SIZE = 6.5  # points: the smallest a value is set to make it fit its slot
FONT_STEP = 0.5  # points: sizes tried between the slot's own and MIN_FONT_SIZE
LINE_HEIGHT = 1.15  # of values, in multiples of their font size
PX_TO_PT = 0.75  # CSS pixels (WeasyPrint's layout unit) to PDF points
BLANKS_KEPT = 64  # per process: ~50 KB each
VALUES_FONT = "/FormValues"  # resource names of the values' fonts: /FormValues0, /FormValues1

# Runs kept together when a value wraps: Latin words, numbers, e-mail addresses. Any other
# character (a hanzi, a space, punctuation) may end a line.
UNBROKEN = re.compile(r"[0-9A-Za-z@._%+\-]+|.", re.DOTALL)


@dataclass(frozen=True)
class Slot:
    """Where a value goes on a page of the blank, in PDF points from the page's top left."""

    page: int
    left: float
    top: float
    width: float
    height: float
    font_size: float
    align: str  # left, center or right
    valign: str  # top, middle or bottom


@dataclass(frozen=True)
class Blank:
    """A form rendered without its values: the PDF and the slots the values go into."""

    pdf: bytes
    slots: Mapping[str, Slot]
    page_heights: tuple[float, ...]


@dataclass(frozen=True)
class Picture:
    """An image ready to be a PDF image XObject: its stream and what describes it."""

    data: bytes
    width: int
    height: int
    color_space: str  # /DeviceRGB, /DeviceGray
    bits: int
    filter: str  # /DCTDecode (JPEG as it is) or /FlateDecode
    interpolate: bool


def jpeg_picture(data: bytes) -> Picture:
    """A baseline or progressive JPEG in RGB or greyscale, embedded as it is (no re-encoding)."""
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        if image.format != "JPEG" or image.mode not in ("RGB", "L"):
            raise ValueError(f"not an RGB or greyscale JPEG ({image.format} {image.mode})")
        width, height = image.size
        space = "/DeviceRGB" if image.mode == "RGB" else "/DeviceGray"
    return Picture(data, width, height, space, 8, "/DCTDecode", interpolate=True)


def bitmap_picture(rows: Iterable[Iterable[bool | int]]) -> Picture:
    """A black-and-white bitmap (true = black), one bit per pixel: a QR code's modules, drawn
    unsmoothed so that every module prints as a sharp square."""
    packed = bytearray()
    width = height = 0
    for row in rows:
        bits = [1 if dark else 0 for dark in row]
        width = len(bits)
        height += 1
        bits += [0] * (-width % 8)
        for start in range(0, len(bits), 8):
            byte = 0
            for bit in bits[start : start + 8]:
                byte = byte << 1 | bit
            packed.append(byte ^ 0xFF)  # DeviceGray: 0 is black
    return Picture(
        zlib.compress(bytes(packed)), width, height, "/DeviceGray", 1, "/FlateDecode", False
    )


# Blanks ----------------------------------------------------------------------------------


def render_blank(template_name: str, context: dict, *, stylesheet: str | None = None) -> Blank:
    """The template rendered with WeasyPrint, its slots found in the laid-out pages."""
    document = pdf_rendering.render_document(
        render_to_string(template_name, context), stylesheet=stylesheet
    )
    slots: dict[str, Slot] = {}
    for number, page in enumerate(document.pages):
        for box in page._page_box.descendants():
            element = getattr(box, "element", None)
            name = element.get("data-slot") if element is not None else None
            if name and name not in slots:  # the element's outermost box comes first
                slots[name] = _slot_of(box, number)
    heights = tuple(page.height * PX_TO_PT for page in document.pages)
    return Blank(pdf=document.write_pdf(), slots=slots, page_heights=heights)


def cache_blanks(build: Callable[[Hashable], Blank]) -> Callable[[Hashable], Blank]:
    """Keep the blanks `build` makes, per process, by its (hashable) argument: the 64 used
    last. Not with DEBUG on, so that edits to templates show on the next render."""
    cached = functools.lru_cache(maxsize=BLANKS_KEPT)(build)

    @functools.wraps(build)
    def blank(key: Hashable) -> Blank:
        return build(key) if settings.DEBUG else cached(key)

    blank.cache_clear = cached.cache_clear  # type: ignore[attr-defined]
    return blank


def _slot_of(box, page: int) -> Slot:
    """The content box of a laid-out box, from its border box and its own padding (a table
    cell's padding also holds the space WeasyPrint adds to align its content vertically)."""
    style = box.style
    top = box.border_box_y() + box.border_top_width + _px(style["padding_top"])
    bottom = (
        box.border_box_y()
        + box.border_height()
        - box.border_bottom_width
        - _px(style["padding_bottom"])
    )
    align = str(style["text_align_all"])
    vertical = str(style["vertical_align"])
    return Slot(
        page=page,
        left=box.content_box_x() * PX_TO_PT,
        top=top * PX_TO_PT,
        width=box.width * PX_TO_PT,
        height=max(0.0, bottom - top) * PX_TO_PT,
        font_size=style["font_size"] * PX_TO_PT,
        align={"start": "left", "end": "right", "justify": "left"}.get(align, align),
        valign=vertical if vertical in ("top", "bottom") else "middle",
    )


def _px(value) -> float:
    """A computed length in CSS pixels (WeasyPrint keeps percentages, which slots don't use)."""
    return float(getattr(value, "value", value) or 0)


# The form's font ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FormFont:
    """A font values are set in: HarfBuzz's view of it, and what a PDF font dictionary needs."""

    face: uharfbuzz.Face
    font: uharfbuzz.Font
    upem: int
    ascender: int
    descender: int  # negative
    bbox: tuple[int, int, int, int]
    cap_height: int
    postscript_name: str

    def glyph(self, character: str) -> int | None:
        return self.font.get_nominal_glyph(ord(character))

    def advance(self, glyph: int) -> int:
        return self.font.get_glyph_h_advance(glyph)


# A glyph of one of the form's fonts: (index in form_fonts(), glyph ID).
Glyph = tuple[int, int]


@functools.cache
def form_fonts() -> tuple[FormFont, ...]:
    """The prepared font, then the system fallback font if it is installed."""
    fonts = [_load_font(str(pdf_rendering.static_dir() / FORM_FONT), 0)]
    fallback = pdf_rendering.fontconfig_file(FALLBACK_FAMILY)
    if fallback is not None:
        fonts.append(_load_font(*fallback))
    return tuple(fonts)


def _load_font(path: str, index: int) -> FormFont:
    import uharfbuzz
    from fontTools.ttLib import TTFont

    face = uharfbuzz.Face(uharfbuzz.Blob.from_file_path(path), index)
    font = uharfbuzz.Font(face)
    extents = font.get_font_extents("ltr")
    tables = TTFont(path, fontNumber=index, lazy=True)  # reads only the tables asked for
    head, os2 = tables["head"], tables["OS/2"]
    return FormFont(
        face=face,
        font=font,
        upem=face.upem,
        ascender=extents.ascender,
        descender=extents.descender,
        bbox=(head.xMin, head.yMin, head.xMax, head.yMax),
        cap_height=getattr(os2, "sCapHeight", extents.ascender),
        postscript_name=tables["name"].getDebugName(6) or "FormFont",
    )


def _glyph(character: str, fonts: Sequence[FormFont]) -> Glyph | None:
    """The character's glyph in the first font that has it (as CSS font fallback does)."""
    for index, font in enumerate(fonts):
        glyph = font.glyph(character)
        if glyph is not None:
            return index, glyph
    return None


def _advance(glyph: Glyph, fonts: Sequence[FormFont]) -> float:
    """The glyph's advance in em (fonts may differ in units per em)."""
    font = fonts[glyph[0]]
    return font.advance(glyph[1]) / font.upem


# Filling in --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Line:
    x: float  # PDF points from the page's left edge
    baseline: float  # PDF points from the page's top edge
    size: float
    glyphs: tuple[Glyph, ...]


def fill(
    blank: Blank,
    texts: Mapping[str, str],
    pictures: Mapping[str, Picture] | None = None,
    *,
    title: str = "",
) -> bytes | None:
    """The blank with the texts and pictures in their slots, as PDF bytes.

    None when a text cannot be set in its slot (a character none of the form's fonts has, or
    too long even at MIN_FONT_SIZE): the caller renders the whole document instead. A slot the
    blank lacks is an error in the caller's template, not in the data: KeyError.
    """
    fonts = form_fonts()
    lines_by_page: dict[int, list[_Line]] = {}
    to_unicode: dict[Glyph, str] = {}
    for name, text in texts.items():
        lines = set_text(text, blank.slots[name], fonts, to_unicode)
        if lines is None:
            return None
        lines_by_page.setdefault(blank.slots[name].page, []).extend(lines)
    return _write(blank, lines_by_page, to_unicode, pictures or {}, title)


def set_text(
    text: str, slot: Slot, fonts: Sequence[FormFont], to_unicode: dict[Glyph, str]
) -> list[_Line] | None:
    """The lines a text takes in its slot: at the slot's font size if it fits (on one line, or
    on as many as the slot's height holds), else at the largest smaller size that fits, down
    to MIN_FONT_SIZE. A slot always holds one line of its own font size.
    None if no size will do, or if no font has a character. Adds the glyphs to to_unicode.
    """
    text = " ".join(text.split())
    if not text:
        return []
    tokens: list[tuple[str, list[Glyph], float]] = []  # text, glyphs, advance in em
    for match in UNBROKEN.finditer(text):
        glyphs = [_glyph(character, fonts) for character in match.group()]
        if None in glyphs:
            return None
        tokens.append((match.group(), glyphs, sum(_advance(g, fonts) for g in glyphs)))
    sizes = [slot.font_size]
    while sizes[-1] - FONT_STEP >= MIN_FONT_SIZE - 1e-6:
        sizes.append(round(sizes[-1] - FONT_STEP, 2))
    for size in sizes:
        capacity = max(1, math.floor(slot.height / (size * LINE_HEIGHT) + 1e-6))
        wrapped = _wrap(tokens, slot.width / size, fonts)
        if wrapped is not None and len(wrapped) <= capacity:
            for token, glyphs, _advance_em in tokens:
                for character, glyph in zip(token, glyphs, strict=True):
                    to_unicode.setdefault(glyph, character)
            return _place(wrapped, slot, fonts[0], size)
    return None


def _wrap(
    tokens: Sequence[tuple[str, list[Glyph], float]], width: float, fonts: Sequence[FormFont]
) -> list[tuple[list[Glyph], float]] | None:
    """Tokens packed greedily into lines of at most `width` em: (glyphs, advance) per line,
    spaces at line ends dropped. A token wider than a line is broken between its characters.
    None only if a single character is wider than a line."""
    lines: list[tuple[list[Glyph], float]] = []
    glyphs: list[Glyph] = []
    advance = 0.0
    pending_space: tuple[list[Glyph], float] | None = None
    for token, token_glyphs, token_advance in tokens:
        if token == " ":
            if glyphs:
                pending_space = (token_glyphs, token_advance)
            continue
        space_advance = pending_space[1] if pending_space else 0.0
        if glyphs and advance + space_advance + token_advance <= width:
            if pending_space:
                glyphs += pending_space[0]
                advance += space_advance
            glyphs += token_glyphs
            advance += token_advance
        elif token_advance <= width:
            if glyphs:
                lines.append((glyphs, advance))
            glyphs, advance = list(token_glyphs), token_advance
        else:  # longer than a line: break it between characters
            if glyphs and pending_space:
                glyphs += pending_space[0]
                advance += space_advance
            for glyph in token_glyphs:
                glyph_advance = _advance(glyph, fonts)
                if glyph_advance > width:
                    return None
                if glyphs and advance + glyph_advance > width:
                    lines.append((glyphs, advance))
                    glyphs, advance = [], 0.0
                glyphs.append(glyph)
                advance += glyph_advance
        pending_space = None
    if glyphs:
        lines.append((glyphs, advance))
    return lines


def _place(
    lines: Sequence[tuple[list[Glyph], float]],
    slot: Slot,
    font: FormFont,
    size: float,
) -> list[_Line]:
    """Lines positioned in the slot: aligned as the slot's text, the block centred vertically
    (or at the top or bottom), each glyph box (of `font`, the first) centred in its line as
    CSS does."""
    line_height = size * LINE_HEIGHT
    block = line_height * len(lines)
    if slot.valign == "top":
        top = slot.top
    elif slot.valign == "bottom":
        top = slot.top + slot.height - block
    else:
        top = slot.top + (slot.height - block) / 2
    scale = size / font.upem
    glyph_height = (font.ascender - font.descender) * scale
    placed = []
    for index, (glyphs, advance) in enumerate(lines):
        width = advance * size
        if slot.align == "center":
            x = slot.left + (slot.width - width) / 2
        elif slot.align == "right":
            x = slot.left + slot.width - width
        else:
            x = slot.left
        baseline = top + index * line_height + (line_height - glyph_height) / 2
        baseline += font.ascender * scale
        placed.append(_Line(x=x, baseline=baseline, size=size, glyphs=tuple(glyphs)))
    return placed


def _write(
    blank: Blank,
    lines_by_page: Mapping[int, list[_Line]],
    to_unicode: Mapping[Glyph, str],
    pictures: Mapping[str, Picture],
    title: str,
) -> bytes:
    import pikepdf

    pdf = pikepdf.open(io.BytesIO(blank.pdf))
    fonts = form_fonts()
    font_references = {
        index: _embed_font(
            pdf, fonts[index], {gid: text for (i, gid), text in to_unicode.items() if i == index}
        )
        for index in sorted({index for index, _gid in to_unicode})
    }
    pages = set(lines_by_page) | {blank.slots[name].page for name in pictures}
    for number in sorted(pages):
        page = pdf.pages[number]
        height = blank.page_heights[number]
        # The blank's drawing is wrapped in q ... Q: the values start from the default state.
        operations = ["Q"]
        resources = page.obj.get("/Resources")
        if resources is None:
            resources = page.obj.Resources = pikepdf.Dictionary()
        for index, (name, picture) in enumerate(sorted(pictures.items())):
            slot = blank.slots[name]
            if slot.page != number:
                continue
            key = f"/FormImage{index}"
            _resource_dictionary(resources, "/XObject")[key] = _embed_picture(pdf, picture)
            operations.append(_draw_picture(key, picture, slot, height))
        if lines_by_page.get(number):
            for index, reference in font_references.items():
                _resource_dictionary(resources, "/Font")[f"{VALUES_FONT}{index}"] = reference
            operations.append("BT 0 g")
            for line in lines_by_page[number]:
                operations += _show_line(line, height, fonts)
            operations.append("ET")
        page.contents_add(pdf.make_stream(b"q\n"), prepend=True)
        page.contents_add(pdf.make_stream("\n".join(operations).encode("ascii")))
    if title:
        pdf.docinfo["/Title"] = title
    out = io.BytesIO()
    pdf.save(out, compress_streams=True, deterministic_id=True)
    return out.getvalue()


def _show_line(line: _Line, page_height: float, fonts: Sequence[FormFont]) -> list[str]:
    """Text operators for a line: one run per stretch of glyphs of the same font."""
    operations = []
    x = line.x
    start = 0
    while start < len(line.glyphs):
        index = line.glyphs[start][0]
        end = start
        while end < len(line.glyphs) and line.glyphs[end][0] == index:
            end += 1
        run = line.glyphs[start:end]
        codes = "".join(f"{gid:04x}" for _index, gid in run)
        operations.append(
            f"{VALUES_FONT}{index} {line.size:.2f} Tf 1 0 0 1 {x:.2f} "
            f"{page_height - line.baseline:.2f} Tm <{codes}> Tj"
        )
        x += sum(_advance(glyph, fonts) for glyph in run) * line.size
        start = end
    return operations


def _resource_dictionary(resources: pikepdf.Dictionary, key: str) -> pikepdf.Dictionary:
    import pikepdf

    if key not in resources:
        resources[key] = pikepdf.Dictionary()
    return resources[key]


def _draw_picture(key: str, picture: Picture, slot: Slot, page_height: float) -> str:
    """The picture scaled to fit its slot, keeping its proportions, centred in it."""
    scale = min(slot.width / picture.width, slot.height / picture.height)
    width, height = picture.width * scale, picture.height * scale
    left = slot.left + (slot.width - width) / 2
    top = slot.top + (slot.height - height) / 2
    bottom = page_height - top - height
    return f"q {width:.3f} 0 0 {height:.3f} {left:.3f} {bottom:.3f} cm {key} Do Q"


def _embed_picture(pdf: pikepdf.Pdf, picture: Picture) -> pikepdf.Object:
    import pikepdf

    stream = pikepdf.Stream(pdf, picture.data)
    stream.Type = pikepdf.Name.XObject
    stream.Subtype = pikepdf.Name.Image
    stream.Width = picture.width
    stream.Height = picture.height
    stream.ColorSpace = pikepdf.Name(picture.color_space)
    stream.BitsPerComponent = picture.bits
    stream.Filter = pikepdf.Name(picture.filter)
    stream.Interpolate = picture.interpolate
    return pdf.make_indirect(stream)


def _embed_font(pdf: pikepdf.Pdf, font: FormFont, to_unicode: Mapping[int, str]):
    """The glyphs the values use, as an embedded subset of the form's font: a Type 0 font
    with Identity-H codes (the glyph IDs, equal to the font's CIDs), its widths, and a
    ToUnicode map so that the values can be searched and copied."""
    import pikepdf
    import uharfbuzz

    glyphs = sorted(to_unicode)
    subset_input = uharfbuzz.SubsetInput()
    for glyph in glyphs:
        subset_input.glyph_set.add(glyph)
    for tag in (b"GSUB", b"GPOS", b"BASE", b"DSIG", b"VORG", b"vhea", b"vmtx"):
        subset_input.drop_table_tag_set.add(int.from_bytes(tag, "big"))
    subset_input.flags = (
        uharfbuzz.SubsetFlags.RETAIN_GIDS
        | uharfbuzz.SubsetFlags.DESUBROUTINIZE
        | uharfbuzz.SubsetFlags.NO_HINTING
    )
    subset = uharfbuzz.subset(font.face, subset_input).blob.data
    # A subset font's name starts with a tag of six capitals that tells the subset apart.
    digest = hashlib.sha256(repr(glyphs).encode()).digest()
    tag = "".join(chr(ord("A") + byte % 26) for byte in digest[:6])
    name = pikepdf.Name(f"/{tag}+{font.postscript_name}")
    per_mille = 1000 / font.upem

    widths = pikepdf.Array()
    for index, glyph in enumerate(glyphs):
        if index == 0 or glyph != glyphs[index - 1] + 1:  # a run of consecutive glyph IDs
            widths.append(glyph)
            widths.append(pikepdf.Array())
        widths[-1].append(round(font.advance(glyph) * per_mille))

    font_file = pikepdf.Stream(pdf, subset)
    font_file.Subtype = pikepdf.Name.OpenType
    descriptor = pikepdf.Dictionary(
        Type=pikepdf.Name.FontDescriptor,
        FontName=name,
        Flags=4,  # symbolic: glyphs outside the standard Latin set
        FontBBox=[round(value * per_mille) for value in font.bbox],
        ItalicAngle=0,
        Ascent=round(font.ascender * per_mille),
        Descent=round(font.descender * per_mille),
        CapHeight=round(font.cap_height * per_mille),
        StemV=80,
        FontFile3=pdf.make_indirect(font_file),
    )
    descendant = pikepdf.Dictionary(
        Type=pikepdf.Name.Font,
        Subtype=pikepdf.Name.CIDFontType0,
        BaseFont=name,
        CIDSystemInfo=pikepdf.Dictionary(Registry="Adobe", Ordering="Identity", Supplement=0),
        FontDescriptor=pdf.make_indirect(descriptor),
        DW=1000,
        W=widths,
    )
    cmap_lines = []
    for start in range(0, len(glyphs), 100):  # at most 100 entries per bfchar block
        batch = glyphs[start : start + 100]
        cmap_lines.append(f"{len(batch)} beginbfchar")
        cmap_lines += [
            f"<{glyph:04x}> <{to_unicode[glyph].encode('utf-16-be').hex()}>" for glyph in batch
        ]
        cmap_lines.append("endbfchar")
    cmap = "\n".join(
        [
            "/CIDInit /ProcSet findresource begin",
            "12 dict begin",
            "begincmap",
            "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
            "/CMapName /Adobe-Identity-UCS def",
            "/CMapType 2 def",
            "1 begincodespacerange",
            "<0000> <ffff>",
            "endcodespacerange",
            *cmap_lines,
            "endcmap",
            "CMapName currentdict /CMap defineresource pop",
            "end",
            "end",
        ]
    )
    return pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Font,
            Subtype=pikepdf.Name.Type0,
            BaseFont=name,
            Encoding=pikepdf.Name("/Identity-H"),
            DescendantFonts=[pdf.make_indirect(descendant)],
            ToUnicode=pdf.make_indirect(pikepdf.Stream(pdf, cmap.encode("ascii"))),
        )
    )
