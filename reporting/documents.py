"""What a work plan file is, told by its content: PDF, Word (DOCX, DOC), WPS or ODT.

The name's extension only chooses between the two kinds that share a container (DOC and WPS
are both OLE2 compound files); a file whose content is none of these is refused, whatever its
name. Word files with macros (vbaProject.bin) are refused too. Nothing is unpacked beyond the
zip directory (read only once its declared size is small) and ODT's 40-byte `mimetype` part.
"""

import io
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.utils.translation import gettext as _

from core import archives
from reporting.constants import PLAN_MAX_BYTES

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_WORD_STREAM = "WordDocument".encode("utf-16-le")
_ODT = b"application/vnd.oasis.opendocument.text"
MAX_ZIP_PARTS = 5_000

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


def identify(data: bytes, name: str) -> Document:
    """The kind of a work plan file, from its content; DocumentError when it is none."""
    if len(data) > PLAN_MAX_BYTES:
        raise DocumentError(_("The file is larger than 20 MB."))
    if not data:
        raise DocumentError(_("The file is empty."))
    suffix = PurePosixPath(name.lower()).suffix
    if b"%PDF-" in data[:1024]:
        return Document("pdf")
    if data.startswith(OLE2):
        if suffix == ".wps":
            return Document("wps")
        if _WORD_STREAM in data:
            return Document("doc")
        raise _not_a_plan()
    if data.startswith(b"PK\x03\x04"):
        return Document(_zip_kind(data))
    raise _not_a_plan()


def _zip_kind(data: bytes) -> str:
    entries = archives.declared_entries(data)
    if entries is None:
        raise DocumentError(_("The file could not be opened; it may be damaged."))
    if entries > MAX_ZIP_PARTS:  # read the directory only once it is known to be small
        raise _not_a_plan()
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
            names = {part.filename for part in parts}
            if "word/vbaProject.bin" in names:
                raise DocumentError(
                    _("The Word file contains macros; save it as a plain .docx or as PDF.")
                )
            if "[Content_Types].xml" in names and "word/document.xml" in names:
                return "docx"
            mimetype = next((p for p in parts if p.filename == "mimetype"), None)
            if mimetype is not None and mimetype.file_size <= 100:
                if archive.read(mimetype).strip() == _ODT:
                    return "odt"
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError) as error:
        if isinstance(error, DocumentError):
            raise
        raise DocumentError(_("The file could not be opened; it may be damaged.")) from None
    raise _not_a_plan()
