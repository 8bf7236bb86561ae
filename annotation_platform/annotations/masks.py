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
    """A read-only uint8 view of raw mask bytes (no copy)."""
    return np.frombuffer(raw, dtype=np.uint8)


def check_bits(mask: np.ndarray, allowed_bits: int) -> None:
    """Raise when a voxel holds a bit that no drawn region of the protocol uses."""
    stray = np.bitwise_and(mask, np.uint8(~allowed_bits & 0xFF))
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
