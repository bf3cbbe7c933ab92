"""What a zip file (an Office or OpenDocument file) declares about itself, read before
`zipfile` reads its directory, which holds every entry in memory: a small file can declare
hundreds of thousands of parts."""

import struct

ZIP64 = 1 << 32  # stands for "more than a plain zip holds": over 65,535 parts or 4 GB


def declared_entries(data: bytes) -> int | None:
    """The number of parts the end record declares (ZIP64 for a Zip64 file); None when the
    file has no end record (not a zip, or cut off)."""
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))
    if end == -1 or len(data) < end + 22:
        return None
    (entries,) = struct.unpack_from("<H", data, end + 10)
    if entries == 0xFFFF or data.rfind(b"PK\x06\x06", max(0, end - 76), end) != -1:
        return ZIP64
    return entries
