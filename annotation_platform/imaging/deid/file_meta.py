"""The attributes that record de-identification, and the file meta information."""

from collections.abc import Callable
from typing import Final

from pydicom import __version__ as pydicom_version
from pydicom import config
from pydicom.dataelem import DataElement
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.tag import BaseTag
from pydicom.uid import PYDICOM_IMPLEMENTATION_UID

from annotation_platform.imaging.deid.profile import PROFILE_EDITION, DeidOptions

PATIENT_IDENTITY_REMOVED: Final = BaseTag(0x00120062)
DEIDENTIFICATION_METHOD: Final = BaseTag(0x00120063)
DEIDENTIFICATION_METHOD_CODES: Final = BaseTag(0x00120064)
LONGITUDINAL_TEMPORAL_INFORMATION_MODIFIED: Final = BaseTag(0x00280303)
MAX_LO_LENGTH: Final = 64
# File meta elements kept; the rest (source, sending and receiving AE titles, private
# information and its creator) can name a site or carry anything and are removed.
KEPT_FILE_META: Final = frozenset(
    {0x00020001, 0x00020002, 0x00020003, 0x00020010, 0x00020012, 0x00020013}
)
MEDIA_STORAGE_SOP_INSTANCE_UID: Final = BaseTag(0x00020003)
IMPLEMENTATION_CLASS_UID: Final = BaseTag(0x00020012)
IMPLEMENTATION_VERSION_NAME: Final = BaseTag(0x00020013)
CODE_VALUE: Final = BaseTag(0x00080100)
CODING_SCHEME_DESIGNATOR: Final = BaseTag(0x00080102)
CODE_MEANING: Final = BaseTag(0x00080104)


def set_method_attributes(dataset: Dataset, options: DeidOptions) -> None:
    """Record Patient Identity Removed, the method (text and DCM codes) and the date option."""
    elements = dataset._dict
    elements[PATIENT_IDENTITY_REMOVED] = _element(PATIENT_IDENTITY_REMOVED, "CS", "YES")
    elements[DEIDENTIFICATION_METHOD] = _element(
        DEIDENTIFICATION_METHOD, "LO", method_description(options)
    )
    codes = Sequence()
    for value, meaning in options.method_codes():
        item = Dataset()
        item._dict[CODE_VALUE] = _element(CODE_VALUE, "SH", value)
        item._dict[CODING_SCHEME_DESIGNATOR] = _element(CODING_SCHEME_DESIGNATOR, "SH", "DCM")
        item._dict[CODE_MEANING] = _element(CODE_MEANING, "LO", meaning)
        codes.append(item)
    elements[DEIDENTIFICATION_METHOD_CODES] = _element(DEIDENTIFICATION_METHOD_CODES, "SQ", codes)
    elements[LONGITUDINAL_TEMPORAL_INFORMATION_MODIFIED] = _element(
        LONGITUDINAL_TEMPORAL_INFORMATION_MODIFIED, "CS", "MODIFIED"
    )


def _element(tag: int, vr: str, value: object) -> DataElement:
    return DataElement(tag, vr, value, validation_mode=config.IGNORE)


def method_description(options: DeidOptions) -> list[str]:
    """Return Deidentification Method values (LO, at most 64 characters each)."""
    values = [f"DICOM PS3.15 {PROFILE_EDITION} Basic Application Confidentiality Profile"]
    values += [meaning for _, meaning in options.method_codes()[1:]]
    return [value[:MAX_LO_LENGTH] for value in values]


def deidentify_file_meta(dataset: Dataset, replace_uid: Callable[[str], str]) -> None:
    """Keep only the required file meta elements and replace the SOP Instance UID in them.

    Implementation Class UID and Version Name become pydicom's, because pydicom writes the file.
    """
    file_meta: FileMetaDataset | None = getattr(dataset, "file_meta", None)
    if file_meta is None:
        return
    for tag in [t for t in file_meta._dict if t not in KEPT_FILE_META]:
        del file_meta._dict[tag]
    elements = file_meta._dict
    original = elements.get(MEDIA_STORAGE_SOP_INSTANCE_UID)
    if original is not None and original.value:
        value = original.value
        text = value.decode("latin-1") if isinstance(value, bytes) else str(value)
        elements[MEDIA_STORAGE_SOP_INSTANCE_UID] = _element(
            MEDIA_STORAGE_SOP_INSTANCE_UID, "UI", replace_uid(text)
        )
    elements[IMPLEMENTATION_CLASS_UID] = _element(
        IMPLEMENTATION_CLASS_UID, "UI", PYDICOM_IMPLEMENTATION_UID
    )
    elements[IMPLEMENTATION_VERSION_NAME] = _element(
        IMPLEMENTATION_VERSION_NAME, "SH", f"PYDICOM {pydicom_version}"[:16]
    )
