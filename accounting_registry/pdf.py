"""PDF rendering: one helper for every PDF of the project, never reaching the network.

WeasyPrint is imported inside the functions: it loads Pango, HarfBuzz and Fontconfig, which
web requests that print nothing should not pay for. Templates embed their images as
``data:`` URIs and their CSS inline; the only other thing a template may load is a file
under the project's ``static/`` directory. Anything else (http, https, ftp, other files) is
refused: WeasyPrint logs a warning and leaves the resource out.
"""

from __future__ import annotations

import base64
import functools
import mimetypes
import urllib.parse
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.template.loader import render_to_string

if TYPE_CHECKING:
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import URLFetcher


def static_dir() -> Path:
    """The directory relative URLs in PDF templates resolve against (vendored assets)."""
    return (Path(settings.BASE_DIR) / "static").resolve()


def render_to_pdf(template_name: str, context: dict) -> tuple[str, bytes]:
    """The template rendered to HTML, and that HTML printed to PDF bytes."""
    html = render_to_string(template_name, context)
    return html, render_html_to_pdf(html)


def render_html_to_pdf(html: str) -> bytes:
    """An HTML document printed to PDF bytes with the shared fonts and the offline fetcher."""
    from weasyprint import HTML

    document = HTML(string=html, base_url=static_dir().as_uri() + "/", url_fetcher=_url_fetcher())
    return document.write_pdf(font_config=font_configuration())


@functools.cache
def font_configuration() -> FontConfiguration:
    """One Fontconfig configuration per process.

    Building it loads and scans every installed font (tens of milliseconds with the CJK
    fonts); WeasyPrint would build a new one for every document if none were passed.
    """
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


@functools.cache
def _url_fetcher() -> URLFetcher:
    return _offline_fetcher_class()()


def _offline_fetcher_class() -> type[URLFetcher]:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class OfflineURLFetcher(URLFetcher):
        """Serves ``data:`` URIs and files under static/; refuses everything else."""

        def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
            scheme = urllib.parse.urlsplit(url).scheme.lower()
            if scheme == "data":
                content_type, body = decode_data_url(url)
                return URLFetcherResponse(url, body, {"Content-Type": content_type})
            if scheme == "file":
                path = static_file(url)
                content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})
            raise PermissionError(f"PDF rendering does not fetch {url[:80]!r}")

    return OfflineURLFetcher


def decode_data_url(url: str) -> tuple[str, bytes]:
    """A ``data:`` URI's media type and bytes (RFC 2397)."""
    header, comma, payload = url.removeprefix("data:").partition(",")
    if not comma:
        raise ValueError("Malformed data: URI")
    if header.lower().endswith(";base64"):
        body = base64.b64decode(urllib.parse.unquote(payload), validate=False)
        header = header[: -len(";base64")]
    else:
        body = urllib.parse.unquote_to_bytes(payload)
    return header or "text/plain;charset=US-ASCII", body


def static_file(url: str) -> Path:
    """The path of a ``file:`` URL, provided it is a file under static/."""
    root = static_dir()
    parts = urllib.parse.urlsplit(url)
    if parts.netloc not in ("", "localhost"):
        raise PermissionError(f"PDF rendering does not fetch {url[:80]!r}")
    path = Path(urllib.request.url2pathname(parts.path)).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        raise PermissionError(f"PDF rendering reads files under static/ only, not {path}")
    return path
