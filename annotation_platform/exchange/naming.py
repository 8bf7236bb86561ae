"""File names for exports that are safe on every file system and inside zip archives."""

import hashlib
import re

from annotation_platform.errors import ActionableError, gettext_noop

UNSAFE_RUN = re.compile(r"[^A-Za-z0-9._-]+")
# Device names that Windows reserves with or without an extension (CON, CON.txt, com1.nii.gz).
WINDOWS_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL"}
    | {f"COM{digit}" for digit in range(10)}
    | {f"LPT{digit}" for digit in range(10)}
)
MAX_COMPONENT_LENGTH = 64
DIGEST_LENGTH = 8


def safe_component(text: str, *, max_length: int = MAX_COMPONENT_LENGTH) -> str:
    """Return `text` as one path component that every common file system accepts.

    Each run of characters outside [A-Za-z0-9._-] becomes one "_", and so do leading and
    trailing dots (hidden files on Unix; Windows drops trailing dots). Text longer than
    `max_length` keeps its start and ends with "-" and 8 hex digits of its SHA-256, so two long
    ids stay distinct. Raises FILE_NAME_COMPONENT_INVALID for "", ".", ".." and Windows device
    names (CON, NUL, COM1 and the like).
    """
    if text in {"", ".", ".."}:
        _reject(text)
    safe = UNSAFE_RUN.sub("_", text)
    safe = re.sub(r"^\.+", "_", safe)
    safe = re.sub(r"\.+$", "_", safe)
    if safe.split(".")[0].upper() in WINDOWS_RESERVED:
        _reject(safe)
    if len(safe) > max_length:
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:DIGEST_LENGTH]
        safe = f"{safe[: max_length - DIGEST_LENGTH - 1]}-{digest}"
    return safe


def _reject(value: str) -> None:
    # Only the fixed names above reach this point, so the value carries no patient data.
    raise ActionableError(
        "FILE_NAME_COMPONENT_INVALID",
        gettext_noop(
            "%(value)s cannot be used in a file name: it is empty, a dot path or a name that "
            "Windows reserves. Rename the patient, case or label."
        ),
        value=repr(value),
    )


def export_file_name(
    pattern: str, *, patient_id: str, sequence: str, label: str, extension: str = ".nii.gz"
) -> str:
    """Fill the protocol's naming pattern, for example "{patient_id}_{sequence}_{label}" gives
    GLI0001_FLAIR_WT.nii.gz, with each part made safe by `safe_component`."""
    stem = pattern.format(
        patient_id=safe_component(patient_id),
        sequence=safe_component(sequence),
        label=safe_component(label),
    )
    return safe_component(stem, max_length=200) + extension
