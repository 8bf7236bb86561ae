"""Header-only checks of uploaded NIfTI-1 and NIfTI-2 files (.nii, .nii.gz).

Only the fixed header is parsed (the first 348 or 540 bytes, inflated from a .nii.gz without
inflating more), so a header that declares an absurd volume is rejected before anything is
allocated. The file's length is then compared with what the header needs.
"""

import logging
import math
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

import nibabel as nib
import numpy as np

from annotation_platform.imaging.intake import nifti_messages as messages
from annotation_platform.imaging.intake.gzip_files import count_gzip_bytes, read_gzip_prefix
from annotation_platform.imaging.intake.limits import IntakeLimits
from annotation_platform.imaging.intake.sniff import FileKind, sniff

logger = logging.getLogger(__name__)

HEADER_BYTES = {1: 348, 2: 540}
# A single-file NIfTI has a 4-byte extension flag after the header, so voxels start no earlier.
MIN_VOX_OFFSET = {1: 352, 2: 544}
HEADER_CLASSES = {1: nib.Nifti1Header, 2: nib.Nifti2Header}
SUPPORTED_DATATYPES = {
    2: "uint8",
    4: "int16",
    8: "int32",
    16: "float32",
    64: "float64",
    256: "int8",
    512: "uint16",
    768: "uint32",
    1024: "int64",
    1280: "uint64",
}
# Header fields that hold free text, which writers fill with names, paths and scanner notes.
FREE_TEXT_FIELDS = {
    1: ("descrip", "aux_file", "intent_name", "db_name", "data_type"),
    2: ("descrip", "aux_file", "intent_name", "unused_str"),
}
GZIP_READ_ERRORS = (OSError, zlib.error)


@dataclass(frozen=True)
class ParsedHeader:
    """A NIfTI header parsed from the start of a file, before any check."""

    header: nib.Nifti1Header
    version: int
    compressed: bool
    byte_order: str
    has_extensions: bool


@dataclass(frozen=True)
class NiftiCheck:
    """The values that a checked NIfTI header declares."""

    version: int
    compressed: bool
    shape: tuple[int, ...]
    datatype: str
    # pixdim[1..3], in spatial_unit ("mm" for nearly all MRI, "unknown" when unset).
    voxel_size: tuple[float, ...]
    spatial_unit: str
    # nibabel's best affine (sform, else qform, else from pixdim), voxel index to RAS+.
    affine: tuple[tuple[float, ...], ...]
    qform_code: int
    sform_code: int
    vox_offset: int
    byte_order: str
    has_free_text: bool
    has_extensions: bool

    @property
    def voxel_count(self) -> int:
        return math.prod(self.shape)

    @property
    def data_bytes(self) -> int:
        return self.voxel_count * np.dtype(self.datatype).itemsize


def check_nifti(path: Path, limits: IntakeLimits, *, name: str | None = None) -> NiftiCheck:
    """Check a NIfTI header and the file's length, and return what the header declares.

    Raises ActionableError NIFTI_UNREADABLE, NIFTI_PAIR_UNSUPPORTED, NIFTI_BAD_DIMENSIONS,
    NIFTI_UNSUPPORTED_DIMENSIONS, NIFTI_TOO_LARGE, NIFTI_UNSUPPORTED_DATATYPE,
    NIFTI_BAD_VOXEL_SIZE, NIFTI_BAD_AFFINE or NIFTI_TRUNCATED. `name` is the name shown to the
    uploader.
    """
    name = name or path.name
    parsed = read_nifti_header(path, name)
    check = describe_header(parsed, name, max_voxels=limits.max_nifti_voxels)
    _check_length(path, check, name)
    return check


def read_nifti_header(path: Path, name: str) -> ParsedHeader:
    """Parse the fixed header at the start of a .nii or .nii.gz file."""
    kind = sniff(path, name)
    if not kind.is_nifti:
        raise messages.unreadable(name)
    version = 1 if kind in (FileKind.NIFTI1, FileKind.NIFTI1_GZ) else 2
    size = HEADER_BYTES[version]
    raw = _read_prefix(path, kind.is_gzip, size + 4, name)
    if len(raw) < size:
        raise messages.truncated(name, len(raw), size)
    byte_order = "<" if struct.unpack("<i", raw[:4])[0] == size else ">"
    header = HEADER_CLASSES[version](raw[:size], endianness=byte_order, check=False)
    if header["magic"].item()[:3] in (b"ni1", b"ni2"):
        raise messages.pair_unsupported(name)
    has_extensions = len(raw) > size and raw[size] != 0
    return ParsedHeader(header, version, kind.is_gzip, byte_order, has_extensions)


def describe_header(parsed: ParsedHeader, name: str, *, max_voxels: int | None) -> NiftiCheck:
    """Check the header's dimensions, data type, offset, voxel size and affine.

    `max_voxels` None skips the size limit, for files that passed check_nifti earlier.
    """
    header = parsed.header
    shape = _checked_shape(header, name)
    datatype = _checked_datatype(header, name)
    voxels = math.prod(shape)
    if max_voxels is not None and voxels > max_voxels:
        raise messages.too_large(name, _shape_text(shape), voxels, max_voxels)
    vox_offset = _checked_vox_offset(header, parsed.version, name)
    voxel_size = _checked_voxel_size(header, name)
    affine = _checked_affine(header, name)
    return NiftiCheck(
        version=parsed.version,
        compressed=parsed.compressed,
        shape=shape,
        datatype=datatype,
        voxel_size=voxel_size,
        spatial_unit=str(header.get_xyzt_units()[0]),
        affine=tuple(tuple(float(value) for value in row) for row in affine),
        qform_code=int(header["qform_code"]),
        sform_code=int(header["sform_code"]),
        vox_offset=vox_offset,
        byte_order=parsed.byte_order,
        has_free_text=any(
            header[field].item().strip(b"\0 ") for field in FREE_TEXT_FIELDS[parsed.version]
        ),
        has_extensions=parsed.has_extensions,
    )


def _read_prefix(path: Path, compressed: bool, size: int, name: str) -> bytes:
    if not compressed:
        with path.open("rb") as stream:
            return stream.read(size)
    try:
        return read_gzip_prefix(path, size)
    except EOFError as error:
        raise messages.truncated(name, None, size) from error
    except GZIP_READ_ERRORS as error:
        raise messages.compressed_data_damaged(name) from error


def _checked_shape(header: nib.Nifti1Header, name: str) -> tuple[int, ...]:
    dim = [int(value) for value in header["dim"]]
    ndim = dim[0]
    if not 1 <= ndim <= 7 or any(size <= 0 for size in dim[1 : ndim + 1]):
        raise messages.bad_dimensions(name, dim)
    shape = tuple(dim[1 : ndim + 1])
    # Trailing dimensions of size 1 do not change the data, so dim[0] = 5 with dim[4] = dim[5] = 1
    # is a 3-D volume.
    used = list(shape)
    while len(used) > 3 and used[-1] == 1:
        used.pop()
    if ndim < 3 or len(used) > 4:
        raise messages.unsupported_dimensions(name, _shape_text(shape))
    return shape


def _checked_datatype(header: nib.Nifti1Header, name: str) -> str:
    code = int(header["datatype"])
    if code in SUPPORTED_DATATYPES:
        return SUPPORTED_DATATYPES[code]
    try:
        label = str(nib.nifti1.data_type_codes.label[code])
    except KeyError:
        label = "an unknown type"
    raise messages.unsupported_datatype(name, code, label)


def _checked_vox_offset(header: nib.Nifti1Header, version: int, name: str) -> int:
    vox_offset = float(header["vox_offset"])
    minimum = MIN_VOX_OFFSET[version]
    if not math.isfinite(vox_offset) or vox_offset < minimum or not vox_offset.is_integer():
        raise messages.bad_vox_offset(name, vox_offset, minimum)
    return int(vox_offset)


def _checked_voxel_size(header: nib.Nifti1Header, name: str) -> tuple[float, ...]:
    pixdim = [float(value) for value in header["pixdim"]]
    spatial = pixdim[1:4]
    if not all(math.isfinite(size) and size > 0 for size in spatial):
        raise messages.bad_voxel_size(name, pixdim[: int(header["dim"][0]) + 1])
    return tuple(spatial)


def _checked_affine(header: nib.Nifti1Header, name: str) -> np.ndarray:
    """Return the best affine after checking it and every affine whose code marks it as used."""
    try:
        with np.errstate(all="ignore"):
            affines = [header.get_best_affine()]
            if int(header["qform_code"]) > 0:
                affines.append(header.get_qform())
            if int(header["sform_code"]) > 0:
                affines.append(header.get_sform())
    except (ValueError, np.linalg.LinAlgError) as error:
        raise messages.bad_affine(name) from error
    if not all(_is_valid_affine(affine) for affine in affines):
        raise messages.bad_affine(name)
    return np.asarray(affines[0], dtype=np.float64)


def _is_valid_affine(affine: np.ndarray) -> bool:
    """Return True for a finite affine whose three axes span a volume."""
    if not np.isfinite(affine).all():
        return False
    rotation_zoom = affine[:3, :3]
    column_lengths = np.linalg.norm(rotation_zoom, axis=0)
    # Nearly parallel axes make the determinant tiny against the product of the axis lengths.
    return bool(abs(np.linalg.det(rotation_zoom)) > 1e-6 * np.prod(column_lengths))


def _check_length(path: Path, check: NiftiCheck, name: str) -> None:
    """Raise NIFTI_TRUNCATED when the file contains fewer bytes than vox_offset plus the voxels.

    A .nii.gz is inflated up to that many bytes, counted and discarded, since gzip records its
    size only modulo 2**32 in its last bytes.
    """
    required = check.vox_offset + check.data_bytes
    if not check.compressed:
        size = path.stat().st_size
    else:
        try:
            size = count_gzip_bytes(path, required)
        except EOFError as error:
            raise messages.truncated(name, None, required) from error
        except GZIP_READ_ERRORS as error:
            logger.info("NIfTI gzip stream unreadable: %s", type(error).__name__)
            raise messages.compressed_data_damaged(name) from error
    if size < required:
        raise messages.truncated(name, size, required)


def _shape_text(shape: tuple[int, ...]) -> str:
    return " x ".join(str(size) for size in shape)
