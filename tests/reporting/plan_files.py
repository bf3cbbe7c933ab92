"""Work plan files built byte by byte for the tests: sound PDF, DOCX, ODT, DOC and WPS files,
and the hostile variants city staff must never receive (macros under other names, remote
templates, zip bombs, polyglots, OLE2 files of other layouts)."""

import io
import math
import struct
import zipfile
import zlib

from tests.helpers import pdf_bytes

__all__ = [
    "pdf_bytes",
    "pdf_with_xref_stream",
    "zip_bomb",
    "docx_bytes",
    "odt_bytes",
    "ole2_bytes",
    "word_binary",
    "vba_project",
]

DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
PACKAGE_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="word/document.xml" Type="http://schemas.openxmlformats.org/'
    'officeDocument/2006/relationships/officeDocument"/></Relationships>'
)


def content_types(main=DOCX_MAIN, extra="") -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/word/document.xml" ContentType="{main}"/>{extra}</Types>'
    )


def relationships(*relationships: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        + "".join(relationships)
        + "</Relationships>"
    )


def docx_bytes(*, types=None, parts=None) -> bytes:
    """A DOCX as Word lays it out; `parts` adds or replaces parts (name -> bytes or str)."""
    files = {
        "[Content_Types].xml": types or content_types(),
        "_rels/.rels": PACKAGE_RELS,
        "word/document.xml": '<w:document xmlns:w="http://schemas.openxmlformats.org/'
        'wordprocessingml/2006/main"><w:body><w:p/></w:body></w:document>',
        **(parts or {}),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return out.getvalue()


def odt_bytes(*, parts=None) -> bytes:
    """An ODT as LibreOffice writes it: `mimetype` first and stored, then the rest."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content/>", zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml", "<manifest:manifest/>", zipfile.ZIP_DEFLATED)
        for name, content in (parts or {}).items():
            archive.writestr(name, content, zipfile.ZIP_DEFLATED)
    return out.getvalue()


# OLE2 compound files ([MS-CFB], version 3: 512-byte sectors) ---------------------------------

_FREE = _NO_STREAM = 0xFFFFFFFF
_END = 0xFFFFFFFE
_FAT_SECTOR = 0xFFFFFFFD


def ole2_bytes(tree: dict) -> bytes:
    """A compound file holding `tree` (name -> bytes for a stream, dict for a storage): streams
    below 4096 bytes in the mini stream, as the format requires, larger ones in sectors."""
    entries: list[dict] = []

    def add(name: str, node) -> int:
        index = len(entries)
        stream = isinstance(node, bytes)
        entry = {"name": name, "type": 2 if stream else 1, "data": node if stream else b""}
        entry.update(child=_NO_STREAM, right=_NO_STREAM, start=_END, size=len(entry["data"]))
        entries.append(entry)
        if not stream:
            ids = [add(child, value) for child, value in node.items()]
            if ids:
                entry["child"] = ids[0]
                for this, following in zip(ids, ids[1:], strict=False):
                    entries[this]["right"] = following
        return index

    add("Root Entry", tree)
    entries[0]["type"] = 5
    mini, mini_fat = bytearray(), []
    for entry in entries:
        if entry["type"] == 2 and 0 < entry["size"] < 4096:
            entry["start"] = len(mini) // 64
            count = math.ceil(entry["size"] / 64)
            mini_fat += [entry["start"] + i + 1 for i in range(count - 1)] + [_END]
            mini += entry["data"].ljust(count * 64, b"\0")
    blobs: list[tuple[dict | str, bytes]] = [
        (e, e["data"]) for e in entries if e["type"] == 2 and e["size"] >= 4096
    ]
    if mini:
        entries[0]["size"] = len(mini)
        blobs.append((entries[0], bytes(mini)))
        blobs.append(("minifat", struct.pack(f"<{len(mini_fat)}I", *mini_fat)))
    directory = b"".join(_directory_entry(e) for e in entries)
    blobs.append(("directory", directory.ljust(math.ceil(len(entries) / 4) * 512, b"\0")))
    sizes = [math.ceil(len(blob) / 512) for _owner, blob in blobs]
    fat_sectors = 1
    while fat_sectors * 128 < sum(sizes) + fat_sectors:
        fat_sectors += 1
    fat = [_FAT_SECTOR] * fat_sectors
    starts = {}
    for (owner, _blob), count in zip(blobs, sizes, strict=True):
        start = len(fat)
        fat += [start + i + 1 for i in range(count - 1)] + [_END]
        if isinstance(owner, dict):
            owner["start"] = start
        else:
            starts[owner] = (start, count)
    fat += [_FREE] * (fat_sectors * 128 - len(fat))
    directory = b"".join(_directory_entry(e) for e in entries)  # with the starts now known
    blobs[-1] = ("directory", directory.ljust(sizes[-1] * 512, b"\0"))
    minifat_start, minifat_count = starts.get("minifat", (_END, 0))
    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        b"\0" * 16,
        0x3E,
        3,
        0xFFFE,
        9,
        6,
        b"\0" * 6,
        0,
        fat_sectors,
        starts["directory"][0],
        0,
        4096,
        minifat_start,
        minifat_count,
        _END,
        0,
    ) + struct.pack("<109I", *(list(range(fat_sectors)) + [_FREE] * (109 - fat_sectors)))
    body = struct.pack(f"<{len(fat)}I", *fat)
    body += b"".join(
        blob.ljust(count * 512, b"\0") for (_o, blob), count in zip(blobs, sizes, strict=True)
    )
    return header + body


def _directory_entry(entry: dict) -> bytes:
    name = entry["name"].encode("utf-16-le")
    return struct.pack(
        "<64sHBBIII16sIQQIQ",
        name.ljust(64, b"\0"),
        len(name) + 2,
        entry["type"],
        1,  # black
        _NO_STREAM,
        entry["right"],
        entry["child"],
        b"\0" * 16,
        0,
        0,
        0,
        entry["start"],
        entry["size"],
    )


def word_binary(*, size=4096, table="1Table", ident=0xA5EC) -> dict:
    """The top of a Word 97 file: a WordDocument stream opening with the file information block
    (its identifier, version, and the flag naming the table stream), and that table stream."""
    flags = 0x0200 if table == "1Table" else 0
    fib = struct.pack("<HHHHHH", ident, 0x00C1, 0, 0x0409, 0, flags)
    return {"WordDocument": fib.ljust(size, b"\0"), table: b"\0" * 600, "Data": b"\0" * 64}


def vba_project() -> bytes:
    """What Office keeps a document's macros in (vbaProject.bin): a compound file with a VBA
    storage holding the project's streams."""
    return ole2_bytes(
        {
            "VBA": {"_VBA_PROJECT": b"\xcc\x61\xff\xff\x00", "dir": b"\x01" * 40},
            "PROJECT": b'ID="{00000000-0000-0000-0000-000000000000}"\r\n',
        }
    )


def pdf_with_xref_stream() -> bytes:
    """A PDF 1.5 file whose cross-reference is a stream object (as Word and WPS save), not a
    table."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    ]
    out = bytearray(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    rows = [b"\0\0\0\0\0\xff\xff"] + [b"\x01" + struct.pack(">IH", o, 0) for o in [*offsets, xref]]
    table = b"".join(rows)
    out += b"4 0 obj\n<< /Type /XRef /Size 5 /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n" % (
        len(table)
    )
    out += table + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def zip_bomb(*, name="word/media/image1.png", gigabytes=1) -> bytes:
    """A DOCX of about 5 MB whose one picture inflates to `gigabytes` of zeros: written by hand,
    one deflate block repeated, since compressing a gigabyte would take the test seconds. The
    checksum is the real one (a second of work), so only its size gives the file away."""
    chunk = b"\0" * (1 << 20)
    compressor = zlib.compressobj(1, zlib.DEFLATED, -15)
    block = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    size = gigabytes << 30
    crc = 0
    for _ in range(size // len(chunk)):
        crc = zlib.crc32(chunk, crc)
    bomb = (name, block * (size // len(chunk)) + compressor.flush(), crc, size)
    members = [_deflated(part, content) for part, content in _docx_parts().items()]
    return _zip_by_hand([*members, bomb])


def _docx_parts() -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(docx_bytes())) as archive:
        return {part.filename: archive.read(part) for part in archive.infolist()}


def _deflated(name: str, content: bytes) -> tuple[str, bytes, int, int]:
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
    packed = compressor.compress(content) + compressor.flush()
    return name, packed, zlib.crc32(content), len(content)


def _zip_by_hand(members: list[tuple[str, bytes, int, int]]) -> bytes:
    """A zip of deflated members (name, deflated bytes, CRC-32, inflated size)."""
    out, directory = bytearray(), bytearray()
    for name, packed, crc, size in members:
        encoded = name.encode()
        fields = (20, 0, 8, 0, 0x21, crc, len(packed), size, len(encoded))
        directory += struct.pack("<4sH", b"PK\x01\x02", 20)
        directory += struct.pack("<HHHHHIIIHHHHHII", *fields, 0, 0, 0, 0, 0, len(out))
        directory += encoded
        out += struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", *fields, 0) + encoded + packed
    end = struct.pack(
        "<4sHHHHIIH",
        b"PK\x05\x06",
        0,
        0,
        len(members),
        len(members),
        len(directory),
        len(out),
        0,
    )
    return bytes(out + directory + end)
