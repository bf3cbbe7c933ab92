"""PNG files put together from their chunks, for sizes and modes Pillow cannot write or would
take seconds to: plain Python, no Django (the photo tests and bench/photo_memory_bench.py)."""

import struct
import zlib


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def solid_png(width: int, height: int, *, bit_depth: int, colour_type: int, row: bytes) -> bytes:
    """A complete, valid PNG whose every row is ``row`` (its pixels, packed as the header says).

    Compressing every row would take seconds for tens of megapixels, so one block of rows is
    deflated once, ended with a full flush (which makes it independent of what came before), and
    repeated; only the Adler-32 checksum runs over all the raw bytes."""
    row = b"\x00" + row  # filter byte "none", then the pixels
    rows_per_block = 1000
    whole, rest = divmod(height, rows_per_block)
    block = row * rows_per_block
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    piece = deflate.compress(block) + deflate.flush(zlib.Z_FULL_FLUSH)
    final = zlib.compressobj(9, zlib.DEFLATED, -15)
    final_block = final.compress(row * rest) + final.flush()
    adler = 1
    for _ in range(whole):
        adler = zlib.adler32(block, adler)
    adler = zlib.adler32(row * rest, adler)
    stream = b"\x78\xda" + piece * whole + final_block + struct.pack(">I", adler)
    header = struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", stream)
        + png_chunk(b"IEND", b"")
    )
