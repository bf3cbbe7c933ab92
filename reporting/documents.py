"""What a work plan file is, told by its content: PDF, Word (DOCX, DOC), WPS or ODT.

City staff open these files on their own computers, so a file is accepted only when it parses,
from its first byte, as the format its content claims, and carries nothing that runs or
reaches out when it is opened:

- PDF: `%PDF-` at offset 0, an `%%EOF` at the end, and a `startxref` pointing inside the file
  at a cross-reference table or stream. (A minimal check, not a full parse: pypdf is only a
  development dependency.)
- DOCX (an OOXML zip): a `[Content_Types].xml` naming a WordprocessingML main document that
  exists; no macro-enabled, VBA or ActiveX content type; no part named like a VBA project or
  ActiveX control in any case; no part that is a compound file holding a VBA project, whatever
  its name; no relationship to a VBA project or ActiveX control; no external relationship
  target (a remote template, image or object) except plain web or mail hyperlinks.
- ODT: `mimetype` as the first member, saying ODF text; no Basic or script library.
- DOC and WPS (OLE2 compound files): Word's stream layout (a `WordDocument` stream with Word
  97's header and the table stream it names) and no `Macros`/VBA storage anywhere. Kingsoft's
  WPS Writer saves .wps in Word's binary format; a .wps of any other layout (Microsoft Works)
  cannot be checked and is refused.

The name's extension only tells DOC from WPS (both Word's binary layout). A zip is bounded
before anything in it is read: its size (the upload's limit), the number of parts its end
record declares, and the total size its directory declares; what is read is read in bounded
pieces, never inflated beyond what was declared.
"""

import io
import re
import xml.parsers.expat
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import BinaryIO

from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from core import archives, compound
from reporting.constants import PLAN_MAX_BYTES

OLE2 = compound.SIGNATURE
_ODT = b"application/vnd.oasis.opendocument.text"
_DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
MAX_ZIP_PARTS = 5_000
# What a work plan may unpack to: a 20 MB file of photos unpacks to about 20 MB, of text to a
# few times that; a zip bomb declares gigabytes. City staff's Word would inflate all of it.
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_XML_PART_BYTES = 4 * 1024 * 1024  # a content-types or relationships part read here
# Words in a content type, a part name or a relationship type that mean code in the file.
_ACTIVE_WORDS = ("macroenabled", "vbaproject", "vbadata", "activex")
# Storages and streams of a VBA project: Word's `Macros`, Excel's `_VBA_PROJECT_CUR`, and the
# `VBA` storage and `_VBA_PROJECT` stream inside either (and inside an OOXML vbaProject.bin).
_MACRO_STORAGES = frozenset({"macros", "_vba_project_cur", "vba", "_vba_project"})
_WORD_97_IDENT = 0xA5EC
_WORD_97_NFIB = 0x00C1
_PDF_HEADER = re.compile(rb"%PDF-[12]\.[0-9]")
_STARTXREF = re.compile(rb"startxref\s+([0-9]{1,10})\s+%%EOF")
_XREF_TABLE = re.compile(rb"xref\s+[0-9]+\s+[0-9]+\s+[0-9]{10} [0-9]{5} [fn]")
_XREF_STREAM = re.compile(rb"[0-9]+\s+[0-9]+\s+obj\s*<<.*?/Type\s*/XRef", re.DOTALL)

KINDS = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "doc": "application/msword",
    "wps": "application/vnd.ms-works",
    "odt": "application/vnd.oasis.opendocument.text",
}


class DocumentError(ValueError):
    """A file that cannot be a work plan, with the reason the county admin sees."""


@dataclass(frozen=True)
class Document:
    kind: str  # a key of KINDS

    @property
    def content_type(self) -> str:
        return KINDS[self.kind]


def _not_a_plan() -> DocumentError:
    return DocumentError(
        _(
            "This file is not a PDF, Word (DOCX or DOC), WPS or ODT document. Save the plan in one of these formats."
        )
    )


def _damaged() -> DocumentError:
    return DocumentError(_("The file could not be opened; it may be damaged."))


def _damaged_pdf() -> DocumentError:
    return DocumentError(
        _("The PDF file could not be read; it may be damaged. Export the plan to PDF again.")
    )


def _active_content() -> DocumentError:
    return DocumentError(
        _(
            "The document contains macros or ActiveX controls; save it as a plain .docx without them, or as PDF."
        )
    )


def _external_content() -> DocumentError:
    return DocumentError(
        _(
            "The document refers to a template, picture, object, file or web address outside itself; save it as a plain .docx without links or linked content, or as PDF."
        )
    )


def identify(data: bytes, name: str) -> Document:
    """The kind of a work plan file, from its content; DocumentError when it is none or when it
    carries macros, ActiveX controls or external references."""
    if len(data) > PLAN_MAX_BYTES:
        raise DocumentError(_("The file is larger than 20 MB."))
    if not data:
        raise DocumentError(_("The file is empty."))
    suffix = PurePosixPath(name.lower()).suffix
    if data.startswith(b"%PDF-"):
        check_pdf(_bytes_reader(data), len(data))
        return Document("pdf")
    if data.startswith(OLE2):
        return Document(_compound_kind(data, suffix))
    if data.startswith(b"PK\x03\x04"):
        return Document(_zip_kind(data))
    raise _not_a_plan()


# PDF ------------------------------------------------------------------------------------------

Reader = Callable[[int, int], bytes]  # (offset, count) -> at most count bytes from offset


def _bytes_reader(data: bytes) -> Reader:
    return lambda offset, count: data[offset : offset + count]


def file_reader(stream: BinaryIO) -> Reader:
    """A Reader over an open (seekable) file, so that a stored file is checked by reading only
    its first and last kilobytes and the cross-reference it points to."""

    def read(offset: int, count: int) -> bytes:
        stream.seek(offset)
        return stream.read(count)

    return read


def check_pdf(read: Reader, size: int) -> None:
    """DocumentError unless the file has a PDF header at offset 0 and a trailer whose
    `startxref` points inside the file at a cross-reference table or stream: the structure a
    PDF reader starts from. A file that only mentions `%PDF-` somewhere is not a PDF."""
    if not _PDF_HEADER.match(read(0, 16)):
        raise _not_a_plan()
    tail_start = max(0, size - 2048)
    tail = read(tail_start, size - tail_start)
    eof = tail.rfind(b"%%EOF")
    # Readers look for the end marker in the last kilobyte: a file may carry a little padding.
    if eof == -1 or size - (tail_start + eof) > 1024 + 5:
        raise _damaged_pdf()
    matches = list(_STARTXREF.finditer(tail, 0, eof + 5))
    if not matches:
        raise _damaged_pdf()
    offset = int(matches[-1].group(1))
    if not 0 < offset < tail_start + matches[-1].start():
        raise _damaged_pdf()
    window = read(offset, 4096).lstrip(b" \t\r\n\f\0")
    if not (_XREF_TABLE.match(window) or _XREF_STREAM.match(window)):
        raise _damaged_pdf()


# OLE2: DOC and WPS ----------------------------------------------------------------------------


def _compound_kind(data: bytes, suffix: str) -> str:
    """ "doc" or "wps" for a compound file laid out as Word's, free of macros."""
    try:
        document = compound.CompoundFile(data)
        if document.names() & _MACRO_STORAGES:
            raise _active_content()
        top = document.children(document.root)
        stream = top.get("worddocument")
        fib = document.head(stream, 12) if stream and stream.kind == compound.STREAM else b""
    except compound.CompoundFileError:
        raise _damaged() from None
    if len(fib) == 12 and _is_word_97(fib, top):
        return "wps" if suffix == ".wps" else "doc"
    if suffix == ".wps":
        raise DocumentError(
            _(
                "This WPS file is not in WPS Writer's Word-compatible format and cannot be checked; save the plan as .docx or PDF."
            )
        )
    raise _not_a_plan()


def _is_word_97(fib: bytes, top: dict[str, compound.Entry]) -> bool:
    """Word 97's file information block starts the WordDocument stream, and the table stream
    its flag names (1Table or 0Table) is at the top of the file."""
    ident = int.from_bytes(fib[0:2], "little")
    version = int.from_bytes(fib[2:4], "little")
    flags = int.from_bytes(fib[10:12], "little")
    table = top.get("1table" if flags & 0x0200 else "0table")
    return (
        ident == _WORD_97_IDENT
        and version >= _WORD_97_NFIB
        and table is not None
        and table.kind == compound.STREAM
    )


def _has_macros(member: bytes) -> bool:
    """Whether a compound file found inside a zip (an embedded object, or a VBA project under
    any name) holds a VBA project; a compound file that cannot be read counts as one."""
    try:
        return bool(compound.CompoundFile(member).names() & _MACRO_STORAGES)
    except compound.CompoundFileError:
        return True


# Zip: DOCX and ODT ----------------------------------------------------------------------------


def _zip_kind(data: bytes) -> str:
    entries = archives.declared_entries(data)
    if entries is None:
        raise _damaged()
    if entries > MAX_ZIP_PARTS:  # read the directory only once it is known to be small
        raise DocumentError(
            _("The document has more than %(n)s parts; save it again, or as PDF.")
            % {"n": MAX_ZIP_PARTS}
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
            _check_declared_sizes(parts, len(data))
            names = {part.filename.lower(): part for part in parts}
            if any(word in name for name in names for word in _ACTIVE_WORDS):
                raise _active_content()
            if parts and parts[0].filename == "mimetype" and data[30:38] == b"mimetype":
                kind = _odt(archive, parts[0], names)
            elif "[content_types].xml" in names:
                kind = _docx(archive, parts, names)
            else:
                raise _not_a_plan()
            for part in parts:
                _check_embedded(archive, part)
            return kind
    except DocumentError:
        raise
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError, RuntimeError):
        # A cut-off or lying directory, a CRC error, an unknown compression, an encrypted part.
        raise _damaged() from None


def _check_declared_sizes(parts: list[zipfile.ZipInfo], size: int) -> None:
    """What the directory declares, checked before a byte is inflated: zipfile never inflates
    a part beyond its declared size, so these bound everything read afterwards."""
    if sum(part.compress_size for part in parts) > size:
        raise _damaged()
    unpacked = sum(part.file_size for part in parts)
    if unpacked > MAX_UNPACKED_BYTES:
        raise DocumentError(
            _(
                "The document unpacks to %(size)s, more than a work plan can be (%(limit)s); save it again, or as PDF."
            )
            % {"size": filesizeformat(unpacked), "limit": filesizeformat(MAX_UNPACKED_BYTES)}
        )


def _read(archive: zipfile.ZipFile, part: zipfile.ZipInfo, limit: int) -> bytes:
    if part.file_size > limit:
        raise _damaged()
    with archive.open(part) as stream:
        # Asking for the declared size (not the limit) keeps the inflater from producing more
        # than that in one go; reaching it checks the part's CRC, so a part that lies fails.
        return stream.read(part.file_size)


def _odt(
    archive: zipfile.ZipFile, mimetype: zipfile.ZipInfo, names: dict[str, zipfile.ZipInfo]
) -> str:
    if mimetype.file_size > 100 or _read(archive, mimetype, 100).strip() != _ODT:
        raise _not_a_plan()
    if "content.xml" not in names:
        raise _not_a_plan()
    # LibreOffice keeps a document's macros in Basic/ and its scripts in Scripts/.
    if any(name.startswith(("basic/", "scripts/")) for name in names):
        raise _active_content()
    return "odt"


def _docx(
    archive: zipfile.ZipFile, parts: list[zipfile.ZipInfo], names: dict[str, zipfile.ZipInfo]
) -> str:
    types = _xml_elements(_read(archive, names["[content_types].xml"], MAX_XML_PART_BYTES))
    main = None
    for element, attributes in types:
        content_type = attributes.get("ContentType", "").lower()
        if any(word in content_type for word in _ACTIVE_WORDS):
            raise _active_content()
        if element == "Override" and content_type == _DOCX_MAIN:
            main = attributes.get("PartName", "").lstrip("/").lower()
    if not main or main not in names:
        raise _not_a_plan()
    for part in parts:  # every part, even one whose name a later part repeats
        if part.filename.lower().endswith(".rels"):
            _check_relationships(_read(archive, part, MAX_XML_PART_BYTES))
    return "docx"


def _check_relationships(content: bytes) -> None:
    """No relationship to code, and none that leaves the file. An external template, picture,
    frame or object is fetched by Word as the file opens (and can carry the user's Windows
    credentials to whoever serves it); a hyperlink waits for a click, but a plan that city staff
    open from every county has no need to send them anywhere, so it is refused too."""
    for element, attributes in _xml_elements(content):
        if element != "Relationship":
            continue
        kind = attributes.get("Type", "").lower()
        if any(word in kind for word in _ACTIVE_WORDS):
            raise _active_content()
        if attributes.get("TargetMode", "").strip().lower() == "external":
            raise _external_content()


def _check_embedded(archive: zipfile.ZipFile, part: zipfile.ZipInfo) -> None:
    """A part that is a compound file (a VBA project under another name, or an embedded Office
    object) is read, within the upload's size, and refused if it holds a VBA project."""
    if part.file_size < 512 or part.is_dir():
        return
    with archive.open(part) as stream:
        if stream.read(len(OLE2)) != OLE2:
            return
    if _has_macros(_read(archive, part, PLAN_MAX_BYTES)):
        raise _active_content()


def _xml_elements(content: bytes) -> list[tuple[str, dict[str, str]]]:
    """The elements of a small XML part, by local name with their attributes (expat, no DTD or
    entity allowed: a few bytes of entities can expand to gigabytes)."""
    found: list[tuple[str, dict[str, str]]] = []

    def refuse(*args) -> None:
        raise ValueError("a DTD or an entity in a document part")

    parser = xml.parsers.expat.ParserCreate()
    parser.SetParamEntityParsing(xml.parsers.expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.StartElementHandler = lambda name, attributes: found.append(
        (name.rpartition(":")[2], attributes)
    )
    try:
        parser.Parse(content, True)
    except xml.parsers.expat.ExpatError:
        raise _damaged() from None
    return found
