"""Recognise what an uploaded file is from its first bytes.

The content decides. The file name only breaks a tie (a DICOM file without preamble whose first
bytes are too short to be sure) and improves messages, since users rename files freely.
"""

import struct
import zlib
from enum import StrEnum
from pathlib import Path, PurePath

# Bytes read from a file to recognise it. Gzip files need more, because the peek inside inflates
# the first compressed block.
HEAD_BYTES = 1024
GZIP_PEEK_INPUT_BYTES = 64 * 1024

DICOM_SUFFIXES = frozenset({"", ".dcm", ".dicom", ".ima", ".img"})
GZIP_MAGIC = b"\x1f\x8b\x08"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")

# Value representations of explicit VR little endian (PS3.5 section 7.1.2). The second set has a
# 2-byte reserved field and a 4-byte length.
EXPLICIT_VRS = frozenset(
    b"AE AS AT CS DA DS DT FD FL IS LO LT OB OD OF OL OV OW PN SH SL SQ SS ST SV TM UC UI UL UN "
    b"UR US UT UV".split()
)
LONG_LENGTH_VRS = frozenset(b"OB OD OF OL OV OW SQ SV UC UN UR UT UV".split())
UNDEFINED_LENGTH = 0xFFFFFFFF
# Elements of the file meta group (0002) and the identifying group (0008) are short strings,
# UIDs and codes, so a longer value means the bytes are not DICOM.
MAX_LEADING_ELEMENT_BYTES = 64 * 1024


class FileKind(StrEnum):
    """The format of one file, with gzip-compressed formats as kinds of their own."""

    DICOM = "dicom"
    NIFTI1 = "nifti1"
    NIFTI2 = "nifti2"
    ZIP = "zip"
    DICOM_GZ = "dicom_gz"
    NIFTI1_GZ = "nifti1_gz"
    NIFTI2_GZ = "nifti2_gz"
    # A gzip file that contains a zip archive or another gzip file.
    GZIP_ARCHIVE = "gzip_archive"
    # A gzip file whose content matches none of the formats above or cannot be inflated.
    GZIP_UNKNOWN = "gzip_unknown"
    EMPTY = "empty"
    UNKNOWN = "unknown"

    @property
    def is_gzip(self) -> bool:
        return self in GZIP_KINDS

    @property
    def is_nifti(self) -> bool:
        return self in (FileKind.NIFTI1, FileKind.NIFTI2, FileKind.NIFTI1_GZ, FileKind.NIFTI2_GZ)


GZIP_KINDS = frozenset(
    {
        FileKind.DICOM_GZ,
        FileKind.NIFTI1_GZ,
        FileKind.NIFTI2_GZ,
        FileKind.GZIP_ARCHIVE,
        FileKind.GZIP_UNKNOWN,
    }
)
GZIP_OF = {
    FileKind.DICOM: FileKind.DICOM_GZ,
    FileKind.NIFTI1: FileKind.NIFTI1_GZ,
    FileKind.NIFTI2: FileKind.NIFTI2_GZ,
    FileKind.ZIP: FileKind.GZIP_ARCHIVE,
}


def sniff(path_or_header_bytes: Path | str | bytes, name: str = "") -> FileKind:
    """Return the kind of a file, given its path or its first bytes.

    Pass at least HEAD_BYTES bytes (GZIP_PEEK_INPUT_BYTES for gzip files) when passing bytes.
    `name` is the original file name; only its suffix is used, to break a tie.
    """
    if isinstance(path_or_header_bytes, bytes):
        head = path_or_header_bytes
    else:
        path = Path(path_or_header_bytes)
        name = name or path.name
        with path.open("rb") as stream:
            head = stream.read(GZIP_PEEK_INPUT_BYTES)
    return sniff_head(head, name)


def sniff_head(head: bytes, name: str) -> FileKind:
    """Return the kind of a file from its first bytes, peeking inside gzip."""
    if head.startswith(GZIP_MAGIC):
        return _sniff_gzip(head, name)
    return _sniff_plain(head[:HEAD_BYTES], name)


def strip_gzip_suffix(name: str) -> str:
    """Return `name` without a trailing .gz or .gzip suffix."""
    lowered = name.lower()
    for suffix in (".gz", ".gzip"):
        if lowered.endswith(suffix):
            return name[: -len(suffix)]
    return name


def _sniff_gzip(head: bytes, name: str) -> FileKind:
    # wbits=31 reads the gzip wrapper. max_length bounds the output, so a bomb inflates no further.
    decompressor = zlib.decompressobj(wbits=31)
    try:
        inner = decompressor.decompress(head, HEAD_BYTES)
    except zlib.error:
        return FileKind.GZIP_UNKNOWN
    if inner.startswith(GZIP_MAGIC):
        return FileKind.GZIP_ARCHIVE
    inner_kind = _sniff_plain(inner, strip_gzip_suffix(name))
    return GZIP_OF.get(inner_kind, FileKind.GZIP_UNKNOWN)


def _sniff_plain(head: bytes, name: str) -> FileKind:
    if not head:
        return FileKind.EMPTY
    if head[128:132] == b"DICM":
        return FileKind.DICOM
    if head.startswith(ZIP_MAGICS):
        return FileKind.ZIP
    nifti_kind = _sniff_nifti(head)
    if nifti_kind is not None:
        return nifti_kind
    if _looks_like_dicom_without_preamble(head, name):
        return FileKind.DICOM
    return FileKind.UNKNOWN


def _sniff_nifti(head: bytes) -> FileKind | None:
    """Recognise NIfTI-1 and NIfTI-2 by sizeof_hdr (348 or 540, either byte order) and magic.

    Analyze 7.5 headers also have sizeof_hdr 348 but no NIfTI magic, so they stay unknown.
    """
    if len(head) < 4:
        return None
    for byte_order in "<>":
        (sizeof_hdr,) = struct.unpack(f"{byte_order}i", head[:4])
        if sizeof_hdr == 348 and head[344:347] in (b"n+1", b"ni1"):
            return FileKind.NIFTI1
        if sizeof_hdr == 540 and head[4:7] in (b"n+2", b"ni2"):
            return FileKind.NIFTI2
    return None


def _looks_like_dicom_without_preamble(head: bytes, name: str) -> bool:
    """Recognise a data set written without the 128-byte preamble and 'DICM' prefix.

    Such files (older implicit VR exports) start directly with a group 0002 or 0008 element. The
    first elements are walked in both little-endian encodings: two consistent elements decide,
    and one element that runs to the end of `head` decides only with a DICOM-like file suffix.
    """
    suffix = PurePath(name).suffix.lower()
    for explicit_vr in (False, True):
        elements, reached_end = _count_leading_elements(head, explicit_vr)
        if elements >= 2:
            return True
        if elements == 1 and reached_end and suffix in DICOM_SUFFIXES:
            return True
    return False


def _count_leading_elements(head: bytes, explicit_vr: bool) -> tuple[int, bool]:
    """Return how many well-formed elements start `head`, and whether the walk reached its end."""
    position = 0
    previous_tag = -1
    count = 0
    while count < 4:
        parsed = _parse_element_header(head, position, explicit_vr)
        if parsed is None:
            return count, position + 8 > len(head)
        tag, header_size, length = parsed
        first_group_valid = count > 0 or (tag >> 16) in (0x0002, 0x0008)
        if tag <= previous_tag or not first_group_valid:
            return count, False
        if length == UNDEFINED_LENGTH:
            return count + 1, True
        if length > MAX_LEADING_ELEMENT_BYTES or length % 2:
            return count, False
        count += 1
        previous_tag = tag
        position += header_size + length
        if position >= len(head):
            return count, True
    return count, False


def _parse_element_header(
    head: bytes, position: int, explicit_vr: bool
) -> tuple[int, int, int] | None:
    """Return (tag, header size, value length) of the element at `position`, or None."""
    if position + 8 > len(head):
        return None
    group, element = struct.unpack_from("<HH", head, position)
    tag = (group << 16) | element
    if not explicit_vr:
        (length,) = struct.unpack_from("<I", head, position + 4)
        return tag, 8, length
    vr = head[position + 4 : position + 6]
    if vr not in EXPLICIT_VRS:
        return None
    if vr in LONG_LENGTH_VRS:
        if position + 12 > len(head):
            return None
        (length,) = struct.unpack_from("<I", head, position + 8)
        return tag, 12, length
    (length,) = struct.unpack_from("<H", head, position + 6)
    return tag, 8, length
