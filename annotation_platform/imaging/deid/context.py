"""Inputs of de-identification (DeidContext) and its per-file result (DeidReport)."""

import re
from dataclasses import asdict, dataclass, field
from typing import Any, Final

from annotation_platform.errors import ActionableError, gettext_noop
from annotation_platform.imaging.deid.profile import PROFILE_EDITION, DeidOptions
from annotation_platform.imaging.deid.uids import MIN_SECRET_BYTES

# Valid as LO (Patient ID) and as a single-component PN (Patient's Name) in the default repertoire.
PSEUDONYM_PATTERN: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}")
MAX_DATE_SHIFT_DAYS: Final = 36_500


@dataclass(frozen=True)
class DeidContext:
    """The per-project and per-patient inputs of de-identification.

    `uid_secret` is the project's secret for UID replacement (at least 16 random bytes);
    `patient_pseudonym` becomes PatientName and PatientID; `date_shift_days` is the patient's
    date offset (the same for all of a patient's files, so intervals stay true). The constructor
    raises ActionableError for a short secret, an invalid pseudonym, an offset of more than 100
    years or an edition whose table this code does not ship.
    """

    uid_secret: bytes
    patient_pseudonym: str
    date_shift_days: int
    options: DeidOptions = field(default_factory=DeidOptions)
    profile_edition: str = PROFILE_EDITION

    def __post_init__(self) -> None:
        if len(self.uid_secret) < MIN_SECRET_BYTES:
            raise ActionableError(
                "DEID_SECRET_TOO_SHORT",
                gettext_noop(
                    "The project's UID secret has %(length)s bytes; it needs at least "
                    "%(minimum)s. Generate a new random secret for the project."
                ),
                length=len(self.uid_secret),
                minimum=MIN_SECRET_BYTES,
            )
        if not PSEUDONYM_PATTERN.fullmatch(self.patient_pseudonym):
            raise ActionableError(
                "DEID_PSEUDONYM_INVALID",
                gettext_noop(
                    "The patient pseudonym '%(pseudonym)s' is not valid: use 1 to 64 letters, "
                    "digits, '_', '.' or '-', starting with a letter or digit."
                ),
                pseudonym=self.patient_pseudonym,
            )
        self._check_shift_and_edition()

    def _check_shift_and_edition(self) -> None:
        if (
            isinstance(self.date_shift_days, bool)
            or abs(self.date_shift_days) > MAX_DATE_SHIFT_DAYS
        ):
            raise ActionableError(
                "DEID_DATE_SHIFT_INVALID",
                gettext_noop(
                    "The date shift of %(days)s days is not valid: use a whole number of days "
                    "between -%(maximum)s and %(maximum)s."
                ),
                days=str(self.date_shift_days),
                maximum=MAX_DATE_SHIFT_DAYS,
            )
        if self.profile_edition != PROFILE_EDITION:
            raise ActionableError(
                "DEID_PROFILE_EDITION_UNKNOWN",
                gettext_noop(
                    "The de-identification profile edition '%(edition)s' is not available; "
                    "this version of the platform ships edition '%(available)s'."
                ),
                edition=self.profile_edition,
                available=PROFILE_EDITION,
            )


@dataclass(frozen=True)
class DeidReport:
    """Counts and codes of what de-identification did to one file, never values.

    `method_codes` are the DCM codes recorded in the file (113100 and one per option applied),
    `action_counts` counts table attributes per resolved action (X, Z, D, U, K, C), including
    those inside sequences. `private_removed` counts private elements removed, creators
    included; `safe_private_kept` counts the allow-listed private elements kept, and
    `safe_private_dropped` those removed because their value held an identifying token or did
    not fit their VR.
    """

    profile_edition: str
    method_codes: tuple[str, ...]
    action_counts: dict[str, int]
    private_removed: int = 0
    unlisted_removed: int = 0
    uids_replaced: int = 0
    dates_shifted: int = 0
    dates_cleared: int = 0
    descriptors_cleaned: int = 0
    tokens_dropped: int = 0
    kept_values_cleaned: int = 0
    values_transcoded: int = 0
    safe_private_kept: int = 0
    safe_private_dropped: int = 0

    def as_dict(self) -> dict[str, Any]:
        """Return the report as JSON-serialisable data, for the run row."""
        return asdict(self)
