"""Limits that bound the work one upload may cause, and the counter that enforces them."""

from dataclasses import dataclass

MIB = 1024**2

# Below this many uncompressed bytes an entry is never rejected for its compression ratio. A blank
# 512 x 512 16-bit slice (512 KiB of zeros) deflates about 1000:1 and is harmless at that size.
RATIO_CHECK_MIN_BYTES = 1 * MIB

# Linux limits one path component to 255 bytes. Longer entry names than these are rejected, since
# no tool that made a DICOM export writes them.
MAX_ENTRY_NAME_CHARS = 1024
MAX_NAME_COMPONENT_BYTES = 255


@dataclass(frozen=True)
class IntakeLimits:
    """Upper bounds for one upload; the Django layer fills them from settings.

    The defaults equal the defaults of the settings UPLOAD_MAX_BYTES,
    ARCHIVE_MAX_UNCOMPRESSED_BYTES, ARCHIVE_MAX_ENTRIES, ARCHIVE_MAX_RATIO and NIFTI_MAX_VOXELS.
    """

    max_upload_bytes: int = 2 * 1024**3
    # Total bytes that all zip entries and gzip files of one upload may inflate to.
    max_uncompressed_bytes: int = 8 * 1024**3
    # Entries of one zip archive, directories and skipped files included.
    max_entries: int = 100_000
    # Uncompressed size divided by compressed size, checked for entries of RATIO_CHECK_MIN_BYTES
    # or more.
    max_ratio: int = 200
    max_nifti_voxels: int = 1024**3 // 2

    def __post_init__(self) -> None:
        for field_name in (
            "max_upload_bytes",
            "max_uncompressed_bytes",
            "max_entries",
            "max_ratio",
            "max_nifti_voxels",
        ):
            value = getattr(self, field_name)
            if not isinstance(value, int) or value <= 0:
                raise ValueError(f"IntakeLimits.{field_name} must be a positive int, got {value!r}")


class ByteBudget:
    """A running count of inflated bytes, shared by every archive and gzip file of one upload."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0

    @property
    def remaining(self) -> int:
        return max(self.limit - self.used, 0)

    def charge(self, size: int) -> bool:
        """Count `size` more bytes; return False once the total passes the limit."""
        self.used += size
        return self.used <= self.limit
