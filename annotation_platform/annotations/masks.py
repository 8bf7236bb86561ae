"""Encoding and decoding of stored masks: gzip of the raw uint8 bytes, keyed by their SHA-256.

Pure: no Django. A mask never leaves this module's functions larger than its raw size: inputs are
inflated with a hard bound, so a small upload cannot claim gigabytes of memory.
"""

import gzip
import hashlib
import zlib

import numpy as np

from annotation_platform.errors import ActionableError, gettext_noop

# Level 1: a sparse 240x240x155 mask deflates in a few milliseconds to well under 1% of its size.
GZIP_LEVEL = 1


def sha256_hex(data: bytes | memoryview) -> str:
    return hashlib.sha256(data).hexdigest()


def inflate_bounded(payload: bytes, shape: tuple[int, ...], encoding: str) -> bytes:
    """Decompress `payload` (gzip, zlib or identity) to exactly one byte per voxel of `shape`."""
    expected_bytes = int(np.prod(shape))
    if encoding == "identity":
        raw = payload
    elif encoding in ("gzip", "zlib"):
        window = 16 + zlib.MAX_WBITS if encoding == "gzip" else zlib.MAX_WBITS
        inflater = zlib.decompressobj(window)
        try:
            raw = inflater.decompress(payload, expected_bytes + 1)
        except zlib.error as error:
            raise ActionableError(
                "MASK_PAYLOAD_CORRUPT",
                gettext_noop("The mask data could not be decompressed (%(error)s). Save again."),
                error=str(error),
            ) from None
    else:
        raise ActionableError(
            "MASK_ENCODING_UNKNOWN",
            gettext_noop("Mask encoding %(encoding)s is not supported; use gzip or identity."),
            encoding=encoding,
        )
    if len(raw) != expected_bytes:
        raise ActionableError(
            "MASK_SIZE_MISMATCH",
            gettext_noop(
                "The mask has %(got)s voxels but the study grid %(shape)s has %(expected)s. Reload "
                "the case: the mask must be drawn on the study's reference grid."
            ),
            got=len(raw) if len(raw) <= expected_bytes else f"more than {expected_bytes}",
            expected=expected_bytes,
            shape="x".join(str(n) for n in shape),
        )
    return raw


def gzip_bytes(raw: bytes | memoryview) -> bytes:
    return gzip.compress(bytes(raw), compresslevel=GZIP_LEVEL, mtime=0)


def as_mask(raw: bytes) -> np.ndarray:
    """Return a read-only uint8 view of raw mask bytes (no copy)."""
    return np.frombuffer(raw, dtype=np.uint8)


def check_bits(mask: np.ndarray, allowed_bits: int) -> None:
    """Raise when a voxel has a bit that no drawn region of the protocol uses."""
    forbidden = ~allowed_bits & 0xFF
    # Eight voxels per step: the forbidden bits repeated in every byte of a 64-bit word.
    words = mask[: mask.size - mask.size % 8].view(np.uint64)
    if (
        not (words & np.uint64(int.from_bytes(bytes([forbidden]) * 8, "little"))).any()
        and not (mask[mask.size - mask.size % 8 :] & forbidden).any()
    ):
        return
    stray = np.bitwise_and(mask, np.uint8(forbidden))
    if stray.any():
        values = sorted({int(v) for v in np.unique(mask[stray != 0])[:8]})
        raise ActionableError(
            "MASK_INVALID_VALUES",
            gettext_noop(
                "The mask holds values %(values)s that are not region bits of the protocol "
                "(allowed bits: %(allowed)s). Save from the viewer, or import the mask with its "
                "label convention."
            ),
            values=values,
            allowed=allowed_bits,
        )


Box = tuple[int, int, int, int, int, int]  # x0, y0, z0, x1, y1, z1: half-open voxel ranges
EMPTY_BOX: Box = (0, 0, 0, 0, 0, 0)


def parse_box(values: list[int] | tuple[int, ...] | str, shape: tuple[int, ...]) -> Box:
    """Check a crop box "x0,y0,z0,x1,y1,z1" (half-open) against the grid `shape`."""
    try:
        numbers = (
            [int(v) for v in values.split(",")]
            if isinstance(values, str)
            else [int(v) for v in values]
        )
    except ValueError:
        numbers = []
    valid = len(numbers) == 6 and all(
        0 <= numbers[axis] <= numbers[axis + 3] <= shape[axis] for axis in range(3)
    )
    if not valid:
        raise ActionableError(
            "MASK_CROP_INVALID",
            gettext_noop(
                "The crop box %(box)s does not lie inside the study grid %(shape)s; give six "
                "integers x0,y0,z0,x1,y1,z1 with 0 <= start <= end <= size on each axis."
            ),
            box=str(values)[:80],
            shape="x".join(str(n) for n in shape),
        )
    return (numbers[0], numbers[1], numbers[2], numbers[3], numbers[4], numbers[5])


def box_shape(box: Box) -> tuple[int, int, int]:
    return (box[3] - box[0], box[4] - box[1], box[5] - box[2])


def expand(shape: tuple[int, int, int], box: Box, crop: bytes) -> np.ndarray:
    """Build the full mask (NIfTI order, F-contiguous) with `crop` in `box` and zeros elsewhere.

    np.zeros maps untouched pages to the zero page, so only the box's pages cost memory.
    """
    volume = np.zeros(shape, dtype=np.uint8, order="F")
    size = box_shape(box)
    if all(size):
        volume[box[0] : box[3], box[1] : box[4], box[2] : box[5]] = np.frombuffer(
            crop, dtype=np.uint8
        ).reshape(size, order="F")
    return volume


def crop_bytes(volume: np.ndarray, extent: tuple[slice, slice, slice] | None) -> tuple[Box, bytes]:
    """Return the box of `extent` (EMPTY_BOX when empty) and the F-order bytes inside it."""
    if extent is None:
        return EMPTY_BOX, b""
    x, y, z = extent
    box: Box = (x.start, y.start, z.start, x.stop, y.stop, z.stop)
    crop = volume[x, y, z]
    return box, np.asfortranarray(crop).tobytes(order="F")
