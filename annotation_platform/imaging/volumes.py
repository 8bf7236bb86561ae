"""Small NIfTI file helpers shared by conversion, alignment and storage."""

import struct
import zlib
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import nibabel as nib
import numpy as np

# Level 1 deflate: a 240x240x155 int16 volume compresses in tens of milliseconds, where the
# default level 9 takes seconds and gains little on MR noise.
GZIP_LEVEL = 1
# gzip_file deflates blocks of this size independently, so that threads can share the work. The
# size is fixed, so equal content gives equal bytes with any thread count.
GZIP_BLOCK_BYTES = 4 * 1024 * 1024
GZIP_THREADS = 2
# The gzip header that Python's gzip module writes with no file name and mtime 0 (RFC 1952):
# ID1 ID2, CM deflate, no flags, MTIME 0, then XFL and OS "unknown" (255).
GZIP_HEADER_START = b"\x1f\x8b\x08\x00\x00\x00\x00\x00"
GZIP_OS_UNKNOWN = b"\xff"


def gzip_file(source: Path, target: Path, level: int = GZIP_LEVEL) -> Path:
    """Gzip `source` into `target` with no file name and a zero time stamp in the gzip header,
    so that equal content gives equal bytes (object keys are content hashes).

    Blocks of GZIP_BLOCK_BYTES are deflated in GZIP_THREADS threads (zlib releases the GIL) and
    joined into one deflate stream, as `pigz --independent` does: each block but the last ends
    with a sync flush, so any gzip reader inflates the whole. On a 22 MB int16 volume and 2 CPUs
    this took 0.25 s against 0.41 s for gzip.GzipFile, for about 1 KB more output.
    """
    crc = 0
    size = 0
    with (
        source.open("rb") as raw,
        target.open("wb") as out,
        ThreadPoolExecutor(max_workers=GZIP_THREADS) as pool,
    ):
        out.write(GZIP_HEADER_START + _gzip_extra_flags(level) + GZIP_OS_UNKNOWN)
        pending: deque[Future[bytes]] = deque()
        for block in _blocks(raw):
            crc = zlib.crc32(block, crc)
            size += len(block)
            pending.append(pool.submit(_deflate_block, block, level))
            if len(pending) > GZIP_THREADS:
                out.write(pending.popleft().result())
        while pending:
            out.write(pending.popleft().result())
        out.write(_final_block(level))
        out.write(struct.pack("<II", crc, size & 0xFFFFFFFF))
    return target


def _blocks(raw: Any) -> Iterator[bytes]:
    while block := raw.read(GZIP_BLOCK_BYTES):
        yield block


def _deflate_block(block: bytes, level: int) -> bytes:
    compressor = zlib.compressobj(level, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(block) + compressor.flush(zlib.Z_SYNC_FLUSH)


def _final_block(level: int) -> bytes:
    """Return an empty deflate block marked final, which ends the stream."""
    return zlib.compressobj(level, zlib.DEFLATED, -zlib.MAX_WBITS).flush(zlib.Z_FINISH)


def _gzip_extra_flags(level: int) -> bytes:
    # As Python's gzip module writes them: 2 for maximum compression, 4 for the fastest.
    if level == 9:
        return b"\x02"
    return b"\x04" if level == 1 else b"\x00"


def grid_of(path: Path) -> dict[str, Any]:
    """The voxel grid of a NIfTI file from its header: shape, spacing, affine and axis codes."""
    image = nib.load(str(path))
    return grid_of_header(image.shape, image.affine, image.header.get_zooms())


def grid_of_header(
    shape: tuple[int, ...], affine: np.ndarray, zooms: tuple[float, ...]
) -> dict[str, Any]:
    return {
        "shape": [int(size) for size in shape],
        "spacing_mm": [round(float(zoom), 6) for zoom in zooms[:3]],
        "affine": [[round(float(value), 6) for value in row] for row in np.asarray(affine)],
        "orientation": list(nib.aff2axcodes(affine)),
        "is_3d": len(shape) == 3 or (len(shape) == 4 and shape[3] == 1),
    }
