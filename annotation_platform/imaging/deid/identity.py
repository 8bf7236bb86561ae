"""Identity values read before de-identification, held in memory only.

`source_identity` gives the caller the key to look up a patient's pseudonym (the caller hashes it
with HMAC and never stores it). `display_names` decodes the name and institution for the admin's
quarantine view; the result is shown to that admin and never stored or logged.
"""

from dataclasses import dataclass
from typing import Final

from pydicom.dataelem import DataElement, RawDataElement
from pydicom.dataset import Dataset
from pydicom.tag import BaseTag

from annotation_platform.imaging.deid.charset import (
    CharacterSet,
    DecodedText,
    character_set_of,
    decode_text,
)
from annotation_platform.imaging.deid.dicomio import read_dicom

SPECIFIC_CHARACTER_SET: Final = BaseTag(0x00080005)
INSTITUTION_NAME: Final = BaseTag(0x00080080)
PATIENT_NAME: Final = BaseTag(0x00100010)
PATIENT_ID: Final = BaseTag(0x00100020)
ISSUER_OF_PATIENT_ID: Final = BaseTag(0x00100021)
PATIENT_BIRTH_DATE: Final = BaseTag(0x00100030)


@dataclass(frozen=True)
class SourceIdentity:
    """The patient key of a file before de-identification (never store it, never log it).

    `patient_key` is "id:<issuer>:<PatientID>" when the file has a Patient ID, otherwise
    "name:<PatientName>:<PatientBirthDate>", or "" when the file has neither.
    """

    patient_key: str

    def __repr__(self) -> str:
        return "SourceIdentity(<hidden>)"


@dataclass(frozen=True)
class DisplayNames:
    """Patient's Name and Institution Name decoded for display in quarantine.

    `charset` names the character set used to decode; `possibly_misdecoded` is True when it was
    missing, unknown or did not fit the bytes, so the text may be wrong.
    """

    patient_name: str
    institution: str
    charset: str
    possibly_misdecoded: bool

    def __repr__(self) -> str:
        return f"DisplayNames(<hidden>, charset={self.charset!r})"


def source_identity(dataset: Dataset) -> SourceIdentity:
    """Return the patient key of a data set read by `read_dicom` (before `deidentify`)."""
    charset = character_set_of(_value(dataset, SPECIFIC_CHARACTER_SET))
    patient_id = _text(dataset, PATIENT_ID, charset)
    if patient_id:
        issuer = _text(dataset, ISSUER_OF_PATIENT_ID, charset)
        return SourceIdentity(f"id:{issuer}:{patient_id}")
    name = _text(dataset, PATIENT_NAME, charset, person_name=True)
    birth_date = _text(dataset, PATIENT_BIRTH_DATE, charset)
    if not name and not birth_date:
        return SourceIdentity("")
    return SourceIdentity(f"name:{name.upper()}:{birth_date}")


def display_names(data: bytes) -> DisplayNames:
    """Decode Patient's Name and Institution Name of a DICOM file for the admin's display.

    Raises ActionableError (DICOM_UNREADABLE, DICOM_TRUNCATED) when the file cannot be read;
    never raises on a missing, unknown or mislabelled character set.
    """
    dataset = read_dicom(data)
    charset = character_set_of(_value(dataset, SPECIFIC_CHARACTER_SET))
    name = _decoded(dataset, PATIENT_NAME, charset, person_name=True)
    institution = _decoded(dataset, INSTITUTION_NAME, charset, person_name=False)
    decoded = [d for d in (name, institution) if d is not None]
    label = next((d.codec_label for d in decoded if not d.reliable), charset.label)
    return DisplayNames(
        patient_name=name.text if name else "",
        institution=institution.text if institution else "",
        charset=label,
        possibly_misdecoded=any(not d.reliable for d in decoded),
    )


def _value(dataset: Dataset, tag: BaseTag) -> bytes | str | list[str] | None:
    element = dataset._dict.get(tag)
    return None if element is None else element.value


def _decoded(
    dataset: Dataset, tag: BaseTag, charset: CharacterSet, *, person_name: bool
) -> DecodedText | None:
    element: DataElement | RawDataElement | None = dataset._dict.get(tag)
    if element is None or not element.value:
        return None
    value = element.value
    if not isinstance(value, bytes):
        value = str(value).encode("utf-8")
        charset = character_set_of("ISO_IR 192")
    return decode_text(value, charset, person_name=person_name)


def _text(
    dataset: Dataset, tag: BaseTag, charset: CharacterSet, *, person_name: bool = False
) -> str:
    decoded = _decoded(dataset, tag, charset, person_name=person_name)
    return decoded.text.strip() if decoded else ""
