"""PDF rendering: one helper for every PDF of the project, never reaching the network.

WeasyPrint is imported on first use, by ``import_weasyprint`` and nowhere else: it loads Pango,
HarfBuzz and Fontconfig, which requests that print nothing should not pay for, and it changes a
setting of Pillow that has to be put back (see there). Templates embed their images as ``data:``
URIs. Styles come from the template's own <style> block, parsed on every render, or from a
stylesheet template named by the caller (``stylesheet="pdf/base.css"``), compiled once per
process. The only other thing a document may load is a file under the project's ``static/``
directory; anything else (http, https, ftp, other files) is refused, and WeasyPrint logs a
warning and leaves the resource out.
"""

from __future__ import annotations

import atexit
import base64
import functools
import gc
import logging
import mimetypes
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
    document = weasyprint.HTML(
        string=html, base_url=_base_url(), url_fetcher=offline_fetcher()
    ).render(
        font_config=font_configuration(),
        stylesheets=[compiled_stylesheet(stylesheet)] if stylesheet else None,
        **options,
    )
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
    """The path of a ``file:`` URL, provided it names a file under static/."""
    parts = urllib.parse.urlsplit(url)
    if parts.netloc not in ("", "localhost"):
        raise PermissionError(f"PDF rendering does not fetch {url[:80]!r}")
    path = Path(urllib.request.url2pathname(parts.path)).resolve()
    if not path.is_relative_to(static_dir()) or not path.is_file():
        raise PermissionError(f"PDF rendering reads files under static/ only, not {path}")
    return path
