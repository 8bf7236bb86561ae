"""The private attributes kept under the Retain Safe Private Option (PS3.15 Annex E, code 113111).

The option keeps private attributes that are known to contain no identifying value, together
with the private creators that define them. Every other private attribute is removed, as the
Basic Profile requires. PS3.15 Table E.3.10-1 lists such attributes for several vendors. This
allow-list is smaller: it holds only what the platform needs to convert a de-identified series
exactly as dcm2niix converts the original and to group its images into volumes. An attribute is
identified by its group, its private creator and its element offset inside the creator's block
(the low byte of the element number), because the block a vendor uses varies between files.

Why each attribute is kept, as found by ablation: de-identify with all private attributes kept,
convert with dcm2niix, compare with the reference NIfTI files (voxels, affine, gradient tables),
then remove attributes until the minimal set that still reproduces every reference remains.

- Siemens stores a mosaic's tile count in NumberOfImagesInMosaic and again in CSA Image Header
  Info. Without both, dcm2niix cuts a 35-slice mosaic into 36 slices and a 5-slice one into 9;
  either one alone reproduces the voxels. CSA Image Header Info also holds the slice normal and
  slice times: without it the sidecar loses PhaseEncodingDirection, SliceTiming,
  EffectiveEchoSpacing and TotalReadoutTime. Its sibling, the CSA series header (0029,xx20),
  holds the whole protocol text and is not kept.
- United Imaging's slice count and per-slice position sequence describe its mosaics. Without
  the count, the mosaic is not recognised and the images lack Image Position (Patient); without
  the sequence, dcm2niix cannot place the slices. Without the effective b-value dcm2niix writes
  no gradient tables, and without the gradient direction the 17 volumes of the DTI series
  collapse into 2 volume keys.
- Philips' scale slope turns stored values into the scanner's floating-point values: the voxels
  of the 3D T1 series differ without it. The scale intercept belongs to the same formula (zero
  in the reference files); PixelMed's de-identifier also treats both as safe private attributes.
- Philips' private MR sequence (2005,xx0F in "Philips MR Imaging DD 005") holds public MR
  attributes that dcm2niix reads wherever they are nested. Its Echo Planar Pulse Sequence
  decides the row order of classic files: without it dcm2niix flips the rows of the 3D pCASL
  series. Six more fill the sidecar (EchoTrainLength, ScanningSequence, SequenceVariant,
  AcquisitionMatrixPE, PulseSequenceType, ParallelReductionFactorInPlane) of classic and
  enhanced files. Only these seven stay in its items.
- Philips' Prepulse Delay is the inversion time of the 3D T1 series, United Imaging's parallel
  imaging code gives the in-plane reduction factor, and GE's raw data type, effective echo
  spacing and ASSET factors fill ImageType (magnitude or phase), EffectiveEchoSpacing,
  TotalReadoutTime and ParallelReductionFactorInPlane in the sidecar.
- The other diffusion attributes (Siemens, GE, Philips, and United Imaging's nominal b-value)
  are read by `dicom_headers` to tell apart the volumes of one series. No reference series
  breaks without them, because none of them is a diffusion series of those vendors.

NOTE: a few sidecar fields come only from private attributes that are not safe to keep, so a
de-identified series lacks them: the in-plane parallel reduction factor of Siemens (in the CSA
series header), and GE slice timing and phase encoding direction (in GE's binary protocol
blocks). Sequence recognition reads DICOM headers and does not use them.

Every kept value is still checked (see `private_values`): numbers pass, and text or binary values
that contain an identifying value of the same data set are dropped.
"""

from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Final

# VRs whose values are binary numbers: they cannot carry a name, ID or date as text.
BINARY_NUMBER_VRS: Final = frozenset({"FL", "FD", "SL", "SS", "UL", "US", "SV", "UV"})
# VRs whose values are decimal or integer numbers written as text.
TEXT_NUMBER_VRS: Final = frozenset({"DS", "IS"})
TEXT_VRS: Final = frozenset({"AE", "CS", "LO", "LT", "SH", "ST", "UC", "UT"})
SEQUENCE_VR: Final = "SQ"
_NONE: Final = frozenset[int]()


@dataclass(frozen=True)
class SafePrivateAttribute:
    """One private attribute known to be safe: where it is, what it contains and why it is kept.

    `vr` is the VR the vendor writes. A file in implicit VR, or one whose private values a
    gateway re-encoded as UN, is read as if it had this VR. A sequence (SQ) names in
    `item_tags` the public attributes its items keep; everything else in the items is removed,
    and what stays is then de-identified like the items of any public sequence.
    """

    vendor: str
    group: int
    creator: str
    offset: int
    vr: str
    name: str
    reason: str
    item_tags: frozenset[int] = frozenset()

    def __post_init__(self) -> None:
        if not self.group & 1 or not 0 <= self.offset <= 0xFF:
            raise ValueError(
                f"not a private group and block offset: {self.group:04X},{self.offset:02X}"
            )
        if (self.vr == SEQUENCE_VR) != bool(self.item_tags):
            raise ValueError(f"item_tags must be given for a sequence, and only for one: {self}")
        if any(tag >> 16 & 1 for tag in self.item_tags):
            raise ValueError(f"item_tags may name public attributes only: {self}")


@dataclass(frozen=True)
class SafePrivateAllowList:
    """The private attributes kept under the Retain Safe Private Option, found by `find`."""

    attributes: tuple[SafePrivateAttribute, ...]

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        # The vendor list travels to pool processes as a reference to their own copy, so its
        # lookup tables are built once per process rather than once per file.
        if self is VENDOR_SAFE_PRIVATE:
            return (_vendor_safe_private, ())
        return (SafePrivateAllowList, (self.attributes,))

    def find(self, group: int, creator: str, offset: int) -> SafePrivateAttribute | None:
        """Return the entry for an element of `creator`'s block, or None when it is not safe."""
        return self._index.get((group, normalise_creator(creator), offset))

    def offsets_for(self, group: int, creator: bytes) -> frozenset[int]:
        """Return the block offsets listed for a private creator, given its raw value.

        The reader calls this to skip every other private data element unread.
        """
        return self._offsets.get((group, _normalise_raw_creator(creator)), _NONE)

    @cached_property
    def _index(self) -> dict[tuple[int, str, int], SafePrivateAttribute]:
        return {(a.group, normalise_creator(a.creator), a.offset): a for a in self.attributes}

    @cached_property
    def _offsets(self) -> dict[tuple[int, str], frozenset[int]]:
        offsets: dict[tuple[int, str], set[int]] = {}
        for group, creator, offset in self._index:
            offsets.setdefault((group, creator), set()).add(offset)
        return {key: frozenset(values) for key, values in offsets.items()}


@lru_cache(maxsize=1024)
def normalise_creator(creator: str) -> str:
    """Return a private creator as compared: without padding and in upper case.

    Vendors write the same creator in different letter cases across software versions
    ("Philips MR Imaging DD 001" and "PHILIPS MR IMAGING DD 001").
    """
    return creator.strip(" \0").upper()


@lru_cache(maxsize=1024)
def _normalise_raw_creator(creator: bytes) -> str:
    return normalise_creator(creator.decode("latin-1"))


_GROUPING = "dicom_headers reads it to tell apart the volumes of a series"
_MR_HEADER = "SIEMENS MR HEADER"
_UIH_HEADER = "Image Private Header"
_PHILIPS_MR = "Philips MR Imaging DD 001"
_PHILIPS_IMAGING = "Philips Imaging DD 001"
_GE_PARAMETERS = "GEMS_PARM_01"

VENDOR_SAFE_PRIVATE: Final = SafePrivateAllowList(
    (
        SafePrivateAttribute(
            "Siemens",
            0x0029,
            "SIEMENS CSA HEADER",
            0x10,
            "OB",
            "CSA Image Header Info",
            "dcm2niix reads the mosaic tile count and slice normal of Siemens mosaics from it",
        ),
        SafePrivateAttribute(
            "Siemens",
            0x0019,
            _MR_HEADER,
            0x0A,
            "US",
            "NumberOfImagesInMosaic",
            "dicom_headers reads the slice count of a mosaic from it",
        ),
        SafePrivateAttribute("Siemens", 0x0019, _MR_HEADER, 0x0C, "IS", "B_value", _GROUPING),
        SafePrivateAttribute(
            "Siemens", 0x0019, _MR_HEADER, 0x0E, "FD", "DiffusionGradientDirection", _GROUPING
        ),
        SafePrivateAttribute(
            "GE", 0x0043, _GE_PARAMETERS, 0x39, "IS", "Slop_int_6...9 (b-value)", _GROUPING
        ),
        SafePrivateAttribute(
            "GE",
            0x0043,
            _GE_PARAMETERS,
            0x2F,
            "SS",
            "Raw data type (magnitude, phase, real, imaginary)",
            "dcm2niix sets ImageType from it and splits magnitude from phase images by it",
        ),
        SafePrivateAttribute(
            "GE",
            0x0043,
            _GE_PARAMETERS,
            0x2C,
            "SS",
            "Effective echo spacing",
            "dcm2niix derives the sidecar's EffectiveEchoSpacing and TotalReadoutTime from it",
        ),
        SafePrivateAttribute(
            "GE",
            0x0043,
            _GE_PARAMETERS,
            0x83,
            "DS",
            "ASSET R factors",
            "dcm2niix derives the sidecar's ParallelReductionFactorInPlane from it",
        ),
        SafePrivateAttribute(
            "GE", 0x0019, "GEMS_ACQU_01", 0xBB, "DS", "User data 20 (gradient x)", _GROUPING
        ),
        SafePrivateAttribute(
            "GE", 0x0019, "GEMS_ACQU_01", 0xBC, "DS", "User data 21 (gradient y)", _GROUPING
        ),
        SafePrivateAttribute(
            "GE", 0x0019, "GEMS_ACQU_01", 0xBD, "DS", "User data 22 (gradient z)", _GROUPING
        ),
        SafePrivateAttribute(
            "Philips",
            0x2005,
            _PHILIPS_MR,
            0x0D,
            "FL",
            "Scale Intercept",
            "dcm2niix computes floating-point values with it, together with the scale slope",
        ),
        SafePrivateAttribute(
            "Philips",
            0x2005,
            _PHILIPS_MR,
            0x0E,
            "FL",
            "Scale Slope",
            "dcm2niix computes floating-point values with it (3D T1 voxels differ without it)",
        ),
        SafePrivateAttribute(
            "Philips",
            0x2005,
            "Philips MR Imaging DD 005",
            0x0F,
            "SQ",
            "MR image attributes in an enhanced-style item",
            "dcm2niix reads Echo Planar Pulse Sequence from it (3D pCASL rows flip without it),"
            " and the sidecar's EchoTrainLength and ParallelReductionFactorInPlane",
            frozenset(
                {
                    0x00180020,  # Scanning Sequence
                    0x00180021,  # Sequence Variant
                    0x00180091,  # Echo Train Length
                    0x00181310,  # Acquisition Matrix
                    0x00189018,  # Echo Planar Pulse Sequence
                    0x00189069,  # Parallel Reduction Factor In-plane
                    0x00189241,  # Gradient Echo Train Length
                }
            ),
        ),
        SafePrivateAttribute(
            "Philips", 0x2001, _PHILIPS_IMAGING, 0x03, "FL", "Diffusion B-Factor", _GROUPING
        ),
        SafePrivateAttribute(
            "Philips",
            0x2001,
            _PHILIPS_IMAGING,
            0x1B,
            "FL",
            "Prepulse Delay",
            "dcm2niix reads the inversion time of classic Philips files from it",
        ),
        SafePrivateAttribute(
            "United Imaging",
            0x0065,
            _UIH_HEADER,
            0x50,
            "DS",
            "Slices per mosaic",
            "dcm2niix and dicom_headers recognise a United Imaging mosaic by it",
        ),
        SafePrivateAttribute(
            "United Imaging",
            0x0065,
            _UIH_HEADER,
            0x51,
            "SQ",
            "Per-slice position sequence",
            "dcm2niix reads each mosaic slice's position from its items, and its slice timing",
            frozenset(
                {
                    0x00200032,  # Image Position (Patient)
                    0x00080032,  # Acquisition Time
                    0x00189073,  # Acquisition Duration
                }
            ),
        ),
        SafePrivateAttribute(
            "United Imaging",
            0x0065,
            _UIH_HEADER,
            0x09,
            "FD",
            "Effective b-value",
            "dcm2niix writes the .bval and .bvec of a diffusion series only with it",
        ),
        SafePrivateAttribute(
            "United Imaging", 0x0065, _UIH_HEADER, 0x0A, "FD", "Nominal b-value", _GROUPING
        ),
        SafePrivateAttribute(
            "United Imaging",
            0x0065,
            _UIH_HEADER,
            0x0D,
            "SH",
            "Parallel imaging code (for example F:2S)",
            "dcm2niix derives the sidecar's ParallelReductionFactorInPlane from it",
        ),
        SafePrivateAttribute(
            "United Imaging", 0x0065, _UIH_HEADER, 0x37, "FD", "Gradient direction", _GROUPING
        ),
    )
)


def _vendor_safe_private() -> SafePrivateAllowList:
    return VENDOR_SAFE_PRIVATE
