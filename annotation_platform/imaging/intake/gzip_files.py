"""Bounded inflation of gzip files (.dcm.gz, .nii.gz).

A gzip file declares its uncompressed size only modulo 2**32, in the last four bytes of its last
member, so the declared size is checked first and the bytes actually inflated are counted while
streaming, stopping at the limit.
"""

import gzip
import logging
import struct
import zlib
from pathlib import Path
from typing import BinaryIO

from annotation_platform.errors import ActionableError, gettext_noop
from annotation_platform.imaging.intake.limits import (
    RATIO_CHECK_MIN_BYTES,
    ByteBudget,
    IntakeLimits,
)
from annotation_platform.imaging.intake.problems import format_bytes

logger = logging.getLogger(__name__)

CHUNK_BYTES = 1024 * 1024
# Errors that Python's gzip module raises on damaged or truncated input. BadGzipFile is an
# OSError, and a failed CRC check raises BadGzipFile.
GZIP_ERRORS = (OSError, EOFError, zlib.error)


def gunzip_bounded(
    src: Path,
    dest: Path,
    limits: IntakeLimits,
    *,
    name: str | None = None,
    budget: ByteBudget | None = None,
) -> int:
    """Inflate `src` into the new file `dest` and return the number of bytes written.

    Raises ActionableError GZIP_TOO_LARGE, GZIP_RATIO_TOO_HIGH or GZIP_CORRUPT, and then leaves no
    `dest` behind. `budget` is the inflated-bytes count shared by the whole upload; without one,
    the file may inflate to limits.max_uncompressed_bytes. `dest` must not exist yet.
    """
    name = name or src.name
    budget = budget or ByteBudget(limits.max_uncompressed_bytes)
    compressed_bytes = src.stat().st_size
    _check_declared_size(src, compressed_bytes, budget, name)
    ratio_bound = max(RATIO_CHECK_MIN_BYTES, limits.max_ratio * compressed_bytes)

    # "xb" never replaces an existing file. A failure removes the partial output.
    with dest.open("xb") as out:
        try:
            return _inflate_into(src, out, ratio_bound, budget, name, limits)
        except BaseException:
            out.close()
            dest.unlink(missing_ok=True)
            raise


def read_gzip_prefix(src: Path, size: int) -> bytes:
    """Return up to `size` inflated bytes from the start of `src`; only that much is inflated."""
    with gzip.open(src, "rb") as stream:
        return stream.read(size)


def count_gzip_bytes(src: Path, stop_after: int) -> int:
    """Return the inflated size of `src`, counting no further than `stop_after` bytes.

    Raises the gzip module's errors (see GZIP_ERRORS) on damaged input found before that point.
    """
    counted = 0
    with gzip.open(src, "rb") as stream:
        while counted < stop_after:
            chunk = stream.read(min(CHUNK_BYTES, stop_after - counted))
            if not chunk:
                break
            counted += len(chunk)
    return counted


def declared_gzip_size(src: Path) -> int:
    """Return the size that the last gzip member declares (ISIZE), which is the size mod 2**32."""
    with src.open("rb") as stream:
        stream.seek(-4, 2)
        (size,) = struct.unpack("<I", stream.read(4))
    return int(size)


def _inflate_into(
    src: Path,
    out: BinaryIO,
    ratio_bound: int,
    budget: ByteBudget,
    name: str,
    limits: IntakeLimits,
) -> int:
    compressed_bytes = src.stat().st_size
    written = 0
    with gzip.open(src, "rb") as stream:
        while True:
            try:
                chunk = stream.read(CHUNK_BYTES)
            except GZIP_ERRORS as error:
                logger.info("gzip inflation failed: %s", type(error).__name__)
                raise _corrupt_error(name) from error
            if not chunk:
                return written
            written += len(chunk)
            if written > ratio_bound:
                raise _ratio_error(name, written, compressed_bytes, limits)
            if not budget.charge(len(chunk)):
                raise _too_large_error(name, budget.limit)
            out.write(chunk)


def _check_declared_size(src: Path, compressed_bytes: int, budget: ByteBudget, name: str) -> None:
    """Reject a file whose trailer declares more bytes than the budget has left.

    The declared ratio is not checked: a truncated or damaged file ends in arbitrary bytes, and
    the ratio is enforced while inflating anyway.
    """
    if compressed_bytes < 18:  # a 10-byte header and an 8-byte trailer at least
        raise _corrupt_error(name)
    declared = declared_gzip_size(src)
    if declared > budget.remaining:
        raise ActionableError(
            "GZIP_TOO_LARGE",
            gettext_noop(
                "%(name)s declares %(size_bytes)s uncompressed bytes, more than the "
                "%(limit_text)s left for this upload, or the file is damaged. Upload fewer "
                "files at a time, or ask an administrator to use the bulk import command."
            ),
            name=name,
            size_bytes=declared,
            limit_bytes=budget.limit,
            limit_text=format_bytes(budget.remaining),
        )


def _too_large_error(name: str, limit: int) -> ActionableError:
    return ActionableError(
        "GZIP_TOO_LARGE",
        gettext_noop(
            "%(name)s inflates to more than %(limit_text)s, the limit for one upload. Upload "
            "fewer files at a time, or ask an administrator to use the bulk import command."
        ),
        name=name,
        limit_bytes=limit,
        limit_text=format_bytes(limit),
    )


def _ratio_error(
    name: str, size: int, compressed_bytes: int, limits: IntakeLimits
) -> ActionableError:
    return ActionableError(
        "GZIP_RATIO_TOO_HIGH",
        gettext_noop(
            "%(name)s inflates more than %(max_ratio)s times its compressed size of "
            "%(compressed_bytes)s bytes, which real images do not. Upload the uncompressed file "
            "instead."
        ),
        name=name,
        size_bytes=size,
        compressed_bytes=compressed_bytes,
        max_ratio=limits.max_ratio,
    )


def _corrupt_error(name: str) -> ActionableError:
    return ActionableError(
        "GZIP_CORRUPT",
        gettext_noop(
            "%(name)s is not a valid gzip file: it is truncated or damaged. Compress the original "
            "file again, or upload it uncompressed."
        ),
        name=name,
    )
