"""A minimal reader of OLE2 compound files (Microsoft's Compound File Binary format, [MS-CFB]):
the container of .doc, Kingsoft .wps and of the VBA projects Office files carry their macros in.

It reads what a check of an uploaded file needs and nothing more: the names and kinds of the
directory's entries, which entries sit at the top (the root storage), and the first bytes of a
stream. Every sector number, chain and count is checked against the file's own size before it
is followed, so a hostile file costs at most a pass over its own bytes: no library that reads
streams wholesale (olefile is not a dependency) is needed for that.
"""

import struct
from dataclasses import dataclass

SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MAX_REGULAR = 0xFFFFFFFA  # sector numbers above are markers (end of chain, free, FAT...)
_END_OF_CHAIN = 0xFFFFFFFE
_NO_STREAM = 0xFFFFFFFF
_ENTRY_SIZE = 128
STORAGE, STREAM, ROOT = 1, 2, 5


class CompoundFileError(ValueError):
    """The file is not a well-formed compound file (cut off, chains out of range or looping)."""


@dataclass(frozen=True)
class Entry:
    name: str
    kind: int  # STORAGE, STREAM or ROOT
    left: int
    right: int
    child: int
    start: int
    size: int


class CompoundFile:
    """The directory of a compound file held in memory (an upload already bounded in size)."""

    def __init__(self, data: bytes):
        if len(data) < 512 or not data.startswith(SIGNATURE):
            raise CompoundFileError("no compound file header")
        major, byte_order, shift, mini_shift = struct.unpack_from("<HHHH", data, 26)
        if byte_order != 0xFFFE or (major, shift) not in ((3, 9), (4, 12)) or mini_shift != 6:
            raise CompoundFileError("unknown header version or sector size")
        self.data = data
        self.sector_size = 1 << shift
        # The header fills sector "-1": for 4096-byte sectors, the first 4096 bytes.
        self.sectors = max(0, (len(data) + self.sector_size - 1) // self.sector_size - 1)
        (fat_count, first_directory, _signature, self.mini_cutoff, first_mini_fat, mini_fat_count,
         first_difat, difat_count) = struct.unpack_from("<8I", data, 44)  # fmt: skip
        self.fat = self._read_fat(fat_count, first_difat, difat_count)
        self.entries = self._read_directory(first_directory)
        if not self.entries or self.entries[0].kind != ROOT:
            raise CompoundFileError("no root storage")
        self._first_mini_fat = first_mini_fat
        self._mini_fat_count = mini_fat_count

    def _sector(self, number: int) -> bytes:
        if number >= self.sectors:
            raise CompoundFileError("sector out of range")
        offset = (number + 1) * self.sector_size
        return self.data[offset : offset + self.sector_size].ljust(self.sector_size, b"\0")

    def _read_fat(self, fat_count: int, first_difat: int, difat_count: int) -> list[int]:
        if fat_count > self.sectors:
            raise CompoundFileError("more FAT sectors than the file holds")
        numbers = list(struct.unpack_from("<109I", self.data, 76))
        per_sector = self.sector_size // 4
        sector = first_difat
        for _ in range(min(difat_count, self.sectors)):
            if sector > _MAX_REGULAR:
                break
            values = struct.unpack(f"<{per_sector}I", self._sector(sector))
            numbers.extend(values[:-1])
            sector = values[-1]
        fat: list[int] = []
        for number in [n for n in numbers if n <= _MAX_REGULAR][:fat_count]:
            fat.extend(struct.unpack(f"<{per_sector}I", self._sector(number)))
        return fat

    def chain(self, start: int, table: list[int] | None = None, limit: int | None = None):
        """The sector numbers of a chain starting at `start`, in the FAT (or another table);
        a loop or a number out of range is an error, not a hang."""
        table = self.fat if table is None else table
        limit = len(table) if limit is None else limit
        seen = 0
        sector = start
        while sector != _END_OF_CHAIN:
            if sector >= len(table) or seen >= limit:
                raise CompoundFileError("a chain leaves the table or loops")
            yield sector
            seen += 1
            sector = table[sector]

    def _read_directory(self, first: int) -> list[Entry]:
        raw = b"".join(self._sector(number) for number in self.chain(first))
        entries = []
        for offset in range(0, len(raw) - _ENTRY_SIZE + 1, _ENTRY_SIZE):
            (length,) = struct.unpack_from("<H", raw, offset + 64)
            kind = raw[offset + 66]
            left, right, child = struct.unpack_from("<3I", raw, offset + 68)
            start, size = struct.unpack_from("<IQ", raw, offset + 116)
            if self.sector_size == 512:
                size &= 0xFFFFFFFF  # version 3 files may leave the high half uninitialised
            name_bytes = raw[offset : offset + min(max(length - 2, 0), 62)]
            name = name_bytes.decode("utf-16-le", errors="replace")
            entries.append(Entry(name, kind, left, right, child, start, size))
        return entries

    def names(self) -> set[str]:
        """The names of every storage and stream in the directory, reachable or not, lower-cased
        (the format compares names without case)."""
        return {e.name.lower() for e in self.entries if e.kind in (STORAGE, STREAM)}

    def children(self, storage: Entry) -> dict[str, Entry]:
        """The entries directly inside a storage (the root for the top level), by lower-cased
        name: a walk of its red-black tree of siblings, guarded against cycles."""
        found: dict[str, Entry] = {}
        pending, seen = [storage.child], set()
        while pending:
            index = pending.pop()
            if index == _NO_STREAM or index in seen:
                continue
            if index >= len(self.entries):
                raise CompoundFileError("a directory link leaves the directory")
            seen.add(index)
            entry = self.entries[index]
            found[entry.name.lower()] = entry
            pending.extend((entry.left, entry.right))
        return found

    @property
    def root(self) -> Entry:
        return self.entries[0]

    def head(self, stream: Entry, count: int) -> bytes:
        """The first `count` bytes (at most 64) of a stream, from the regular sectors or, for a
        stream below the cutoff, from the mini stream the root storage holds."""
        count = min(count, 64, stream.size)
        if stream.size >= self.mini_cutoff:
            return self._sector(stream.start)[:count] if count else b""
        if not count:
            return b""
        mini_fat_sectors = list(
            self.chain(self._first_mini_fat, limit=min(self._mini_fat_count, self.sectors))
        )
        mini_fat: list[int] = []
        for number in mini_fat_sectors:
            mini_fat.extend(struct.unpack(f"<{self.sector_size // 4}I", self._sector(number)))
        if stream.start >= len(mini_fat):
            raise CompoundFileError("mini sector out of range")
        offset = stream.start * 64
        index, within = divmod(offset, self.sector_size)
        for position, number in enumerate(self.chain(self.root.start)):
            if position == index:
                return self._sector(number)[within : within + count]
        raise CompoundFileError("the mini stream is shorter than a stream in it")
