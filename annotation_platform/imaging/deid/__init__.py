"""DICOM de-identification: PS3.15 Annex E Basic Application Level Confidentiality Profile.

Options always applied: Retain Longitudinal Temporal Information with Modified Dates (one date
shift per patient), Clean Descriptors, and Retain Safe Private (the vendor private attributes
that conversion needs, listed in `safe_private.py`); Retain Patient Characteristics when a
project chooses it. Pure module: no Django. `profile.py` documents how table actions and
attributes outside the table are handled, `engine.py` what a de-identified file holds.

Typical use by a service::

    dataset = read_dicom(data)
    key = source_identity(dataset).patient_key   # hash it, look up the pseudonym, forget it
    report = deidentify(dataset, DeidContext(secret, pseudonym, shift_days))
    output = write_dicom(dataset)
"""

from annotation_platform.imaging.deid.batch import (
    DeidJob,
    DeidOutcome,
    deidentify_bytes,
    deidentify_files,
)
from annotation_platform.imaging.deid.context import DeidContext, DeidReport
from annotation_platform.imaging.deid.dicomio import read_dicom, write_dicom
from annotation_platform.imaging.deid.engine import deidentify
from annotation_platform.imaging.deid.identity import (
    DisplayNames,
    SourceIdentity,
    display_names,
    source_identity,
)
from annotation_platform.imaging.deid.profile import PROFILE_EDITION, DeidOptions
from annotation_platform.imaging.deid.safe_private import (
    VENDOR_SAFE_PRIVATE,
    SafePrivateAllowList,
    SafePrivateAttribute,
)
from annotation_platform.imaging.deid.uids import is_well_known_uid, uid_replacer

__all__ = [
    "PROFILE_EDITION",
    "VENDOR_SAFE_PRIVATE",
    "DeidContext",
    "DeidJob",
    "DeidOptions",
    "DeidOutcome",
    "DeidReport",
    "DisplayNames",
    "SafePrivateAllowList",
    "SafePrivateAttribute",
    "SourceIdentity",
    "deidentify",
    "deidentify_bytes",
    "deidentify_files",
    "display_names",
    "is_well_known_uid",
    "read_dicom",
    "source_identity",
    "uid_replacer",
    "write_dicom",
]
