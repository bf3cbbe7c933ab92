"""What decoding a photo will cost, from its header alone: bytes per pixel by mode and bit depth,
and for a JPEG that libjpeg buffers whole, its coefficients."""

from __future__ import annotations

from PIL import Image

from collection.photos import limits


def limit_for_price(price: float) -> int:
    return min(limits.MAX_PIXELS, int(limits.DECODE_BUDGET / price))


def bytes_per_pixel(image: Image.Image, data: bytes, reduction: int) -> float:
    """Bytes of memory that decoding the file at 1/``reduction`` of its size (a JPEG; any other
    file whole) takes per pixel it declares, known from its header: the decoded pixels, and for
    a JPEG that libjpeg must buffer whole, its coefficients at full size."""
    decoded = limits.PIXEL_BYTES.get(image.mode, 4)
    if image.format not in limits.JPEG_FORMATS:
        return float(decoded)
    return decoded / reduction**2 + jpeg_coefficient_bytes(image, data)


def jpeg_coefficient_bytes(image: Image.Image, data: bytes) -> float:
    """Bytes per pixel of the coefficient buffer libjpeg keeps for a progressive JPEG or one
    whose first scan lacks a component (jdinput.c: ``has_multiple_scans``); 0 for a baseline
    JPEG in one scan, which libjpeg decodes a row of blocks at a time. Each component is
    sampled at (h × v) / (max h × max v) of the pixels, 2 bytes a sample."""
    layers = getattr(image, "layer", [])
    if not layers:
        return 0.0
    first_scan = jpeg_first_scan_components(data)
    if not image.info.get("progressive") and first_scan == len(layers):
        return 0.0
    # Pillow's layer: (id, horizontal sampling, vertical sampling, table): the order of the two
    # factors does not matter here.
    max_h = max(layer[1] for layer in layers) or 1
    max_v = max(layer[2] for layer in layers) or 1
    samples = sum(layer[1] * layer[2] for layer in layers) / (max_h * max_v)
    return limits.JPEG_COEFFICIENT_BYTES * samples


def jpeg_first_scan_components(data: bytes) -> int | None:
    """How many components the first scan (SOS segment) of a JPEG holds, found by walking the
    segments before it (each has its length); None when the walk fails, which is then priced
    as the dearest case."""
    position = 2  # after the start-of-image marker
    while position + 4 <= len(data):
        if data[position] != 0xFF:
            return None
        marker = data[position + 1]
        if marker == 0xFF:  # a fill byte
            position += 1
            continue
        if marker == 0x01 or 0xD0 <= marker <= 0xD8:  # markers without a segment
            position += 2
            continue
        if marker == 0xDA:
            return data[position + 4] if position + 4 < len(data) else None
        position += 2 + int.from_bytes(data[position + 2 : position + 4], "big")
    return None
