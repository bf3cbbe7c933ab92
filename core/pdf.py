"""PDF rendering: one helper for every PDF of the project, never reaching the network.

WeasyPrint is imported on first use, by ``import_weasyprint`` and nowhere else: it loads Pango,
HarfBuzz and Fontconfig, which requests that print nothing should not pay for, and it changes a
setting of Pillow that has to be put back (see there). Templates embed their images as ``data:``
URIs. Styles come from the template's own <style> block, parsed on every render, or from a
stylesheet template named by the caller (``stylesheet="pdf/base.css"``), compiled once per
process. The only other things a document may load are a file under the project's ``static/``
directory and the subset fonts below; anything else (http, https, ftp, other files) is refused,
and WeasyPrint logs a warning and leaves the resource out.

Fonts: WeasyPrint subsets every font a document uses, on every render, and subsetting the whole
of Noto Sans CJK (65,535 glyphs in a 19 MB collection) was a third of an application form's
render. So the documents name first SUBSET_FAMILY, Noto Sans CJK SC cut down once to the
characters of GB 2312 (6,763 hanzi, Latin, full-width forms and punctuation), made on first use
and kept in settings.PDF_FONT_DIR; a character outside it (a rare name: 䶮) comes from the whole
font, next in the family list. The form renders about a third faster and its PDF is less than
half the size.
"""

from __future__ import annotations

import atexit
import base64
import functools
import gc
import hashlib
import logging
import mimetypes
import os
import subprocess
import tempfile
import urllib.parse
import urllib.request
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from django.conf import settings
from django.template.loader import render_to_string

if TYPE_CHECKING:
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import URLFetcher, URLFetcherResponse

# WeasyPrint reports each step of every document at INFO; request logs don't need that.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
logging.getLogger("fontTools").setLevel(logging.WARNING)  # "name pruned" while subsetting
logger = logging.getLogger(__name__)

SUBSET_FAMILY = "Registry Sans SC"
SUBSET_SOURCE = "Noto Sans CJK SC"
SUBSET_WEIGHTS = {"normal": "regular", "bold": "bold"}  # CSS weight -> fontconfig style


def import_weasyprint() -> ModuleType:
    """The ``weasyprint`` package, imported here and nowhere else in the project.

    Importing WeasyPrint switches Pillow's process-wide ``ImageFile.LOAD_TRUNCATED_IMAGES`` on
    (weasyprint/images.py), after which Pillow silently pads a cut-off image with grey instead
    of refusing it. The ID photo checks (``collection.photos``) rely on Pillow refusing such
    files, so the flag is switched off again right after the import. WeasyPrint then leaves a
    truncated image out of a document and logs an error; the documents embed only images the
    project made itself (the photos' checked copies, QR codes, charts).
    """
    import weasyprint
    from PIL import ImageFile

    ImageFile.LOAD_TRUNCATED_IMAGES = False
    return weasyprint


def static_dir() -> Path:
    """The directory relative URLs in PDF documents resolve against (vendored assets)."""
    return (Path(settings.BASE_DIR) / "static").resolve()


def render_to_pdf(
    template_name: str,
    context: dict,
    *,
    stylesheet: str | None = None,
    pdf_variant: str | None = None,
) -> tuple[str, bytes]:
    """The template rendered to HTML, and that HTML printed to PDF bytes.

    stylesheet: a CSS template applied on top of the document's own styles.
    pdf_variant: a WeasyPrint variant, e.g. "pdf/ua-1" (tagged, for screen readers).
    """
    html = render_to_string(template_name, context)
    return html, render_html_to_pdf(html, stylesheet=stylesheet, pdf_variant=pdf_variant)


def render_html_to_pdf(
    html: str, *, stylesheet: str | None = None, pdf_variant: str | None = None
) -> bytes:
    """An HTML document printed to PDF bytes with the shared fonts and the offline fetcher."""
    weasyprint = import_weasyprint()
    options = {"pdf_variant": pdf_variant} if pdf_variant else {}
    stylesheets = [font_faces()]
    if stylesheet:
        stylesheets.append(compiled_stylesheet(stylesheet))
    document = weasyprint.HTML(
        string=html, base_url=_base_url(), url_fetcher=offline_fetcher()
    ).render(font_config=font_configuration(), stylesheets=stylesheets, **options)
    return document.write_pdf(**options)


@functools.cache
def font_configuration() -> FontConfiguration:
    """One Fontconfig configuration per process, with the fonts Pango has already loaded.

    WeasyPrint builds a new one (~10 ms, then loading the fonts again) for each document
    that is not given one.
    """
    weasyprint = import_weasyprint()
    # Fonts loaded by @font-face (base.css) are copied to a temporary directory that the
    # configuration deletes when it is collected: let that happen before the interpreter
    # tears down the modules it needs, rather than leave the directory behind.
    atexit.register(_release_font_configuration)
    return weasyprint.text.fonts.FontConfiguration()


def _release_font_configuration() -> None:
    font_configuration.cache_clear()
    gc.collect()  # documents rendered last still refer to it, from reference cycles


@functools.cache
def font_faces() -> CSS:
    """@font-face rules naming SUBSET_FAMILY's fonts (none when they cannot be made: the
    documents then use the whole font, as they name it next)."""
    rules = [
        f'@font-face {{ font-family: "{SUBSET_FAMILY}"; font-weight: {weight}; '
        f'src: url("{path.as_uri()}"); }}'
        for weight, path in subset_fonts().items()
    ]
    return import_weasyprint().CSS(
        string="\n".join(rules),
        url_fetcher=offline_fetcher(),
        font_config=font_configuration(),
    )


def subset_fonts() -> dict[str, Path]:
    """{CSS weight: the subset font's file}, made once (fontTools, ~8 s a weight) and kept in
    settings.PDF_FONT_DIR under a name that changes with the source font and the characters."""
    fonts = {}
    for weight, style in SUBSET_WEIGHTS.items():
        try:
            fonts[weight] = _subset_font(style)
        except Exception:  # noqa: BLE001 - no fontconfig, no font, no room: the whole font
            logger.warning("no subset PDF font for %s %s", SUBSET_SOURCE, style, exc_info=True)
    return fonts


def _subset_font(style: str) -> Path:
    found = subprocess.run(
        ["fc-match", f"{SUBSET_SOURCE}:style={style}", "--format=%{file}\n%{index}\n%{family}"],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    ).stdout.split("\n")
    if SUBSET_SOURCE not in found[2]:  # fontconfig's stand-in for a missing font: no use
        raise LookupError(f"{SUBSET_SOURCE} is not installed (fontconfig offers {found[2]!r})")
    source, index = Path(found[0]), int(found[1] or 0)
    text = _subset_characters()
    stat = source.stat()
    key = f"{source}|{index}|{stat.st_size}|{stat.st_mtime_ns}|{text}"
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    folder = Path(settings.PDF_FONT_DIR)
    target = folder / f"registry-sans-sc-{style}-{digest}.otf"
    if target.is_file():
        return target
    from fontTools import subset

    options = subset.Options()
    options.font_number = index
    options.layout_features = ["*"]
    options.hinting = False
    options.name_IDs = ["*"]
    font = subset.load_font(str(source), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=text)
    subsetter.subset(font)
    folder.mkdir(parents=True, exist_ok=True)
    # Another process may be making the same font: each writes its own file, then renames.
    with tempfile.NamedTemporaryFile(dir=folder, suffix=".part", delete=False) as out:
        part = Path(out.name)
    try:
        subset.save_font(font, str(part), options)
        part.chmod(0o644)  # the server and the worker may run as different users
        os.replace(part, target)
    finally:
        part.unlink(missing_ok=True)  # left only when writing failed
    return target


# Punctuation that GB 2312's table maps to other code points than Chinese text uses (Python's
# codec decodes A1AA as U+2015, where GBK and every input method give the em dash U+2014), and a
# few more of GBK's: without them a form with "—" embeds a second subset of the whole font,
# about a tenth of its render.
EXTRA_CHARACTERS = "\u2014\u2013\u2018\u2019\u201c\u201d\u2026\u00b7\u2022\u30fb\uff5e\u00a0"


def _subset_characters() -> str:
    """The characters of GB 2312 (hanzi, full-width forms, punctuation), a few more punctuation
    marks (EXTRA_CHARACTERS) and printable ASCII."""
    chars = {chr(code) for code in range(0x20, 0x7F)} | set(EXTRA_CHARACTERS)
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                chars.add(bytes((high, low)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return "".join(sorted(chars))


def compiled_stylesheet(name: str) -> CSS:
    """The stylesheet template, parsed and its selectors compiled: once per process, except
    with DEBUG on, so that edits show on the next render."""
    if settings.DEBUG:
        return _compile_stylesheet(name)
    return _cached_stylesheet(name)


def _compile_stylesheet(name: str) -> CSS:
    return import_weasyprint().CSS(
        string=render_to_string(name),
        base_url=_base_url(),
        url_fetcher=offline_fetcher(),
        font_config=font_configuration(),
    )


_cached_stylesheet = functools.cache(_compile_stylesheet)


def _base_url() -> str:
    return static_dir().as_uri() + "/"


@functools.cache
def offline_fetcher() -> URLFetcher:
    """A WeasyPrint URL fetcher for data: URIs and files under static/ only."""
    urls = import_weasyprint().urls

    class OfflineURLFetcher(urls.URLFetcher):
        def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
            scheme = urllib.parse.urlsplit(url).scheme.lower()
            if scheme == "data":
                content_type, body = decode_data_url(url)
                return urls.URLFetcherResponse(url, body, {"Content-Type": content_type})
            if scheme == "file":
                path = static_file(url)
                content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                return urls.URLFetcherResponse(
                    url, path.read_bytes(), {"Content-Type": content_type}
                )
            raise PermissionError(f"PDF rendering does not fetch {url[:80]!r}")

    return OfflineURLFetcher()


def decode_data_url(url: str) -> tuple[str, bytes]:
    """A ``data:`` URI's media type and bytes (RFC 2397)."""
    header, comma, payload = url.removeprefix("data:").partition(",")
    if not comma:
        raise ValueError("Malformed data: URI")
    if header.lower().endswith(";base64"):
        body = base64.b64decode(urllib.parse.unquote(payload))
        header = header[: -len(";base64")]
    else:
        body = urllib.parse.unquote_to_bytes(payload)
    return header or "text/plain;charset=US-ASCII", body


def static_file(url: str) -> Path:
    """The path of a ``file:`` URL, provided it names a file under static/ (or one of the
    subset fonts)."""
    parts = urllib.parse.urlsplit(url)
    if parts.netloc not in ("", "localhost"):
        raise PermissionError(f"PDF rendering does not fetch {url[:80]!r}")
    path = Path(urllib.request.url2pathname(parts.path)).resolve()
    fonts = Path(settings.PDF_FONT_DIR).resolve()
    allowed = path.is_relative_to(static_dir()) or (path.parent == fonts and path.suffix == ".otf")
    if not allowed or not path.is_file():
        raise PermissionError(f"PDF rendering reads files under static/ only, not {path}")
    return path
