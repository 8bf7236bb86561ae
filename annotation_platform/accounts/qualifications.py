"""Whether a user's verified experience qualifies them for a role under a label protocol."""

from dataclasses import dataclass
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from annotation_platform.accounts.models import User

ROLES_WITH_THRESHOLDS = ("annotator", "reviewer")


@dataclass(frozen=True)
class Qualification:
    qualified: bool
    years: float
    required_years: float
    reason: str  # translated; empty when qualified


def qualification_for(
    user: User, role: str, definition: dict, on: date | None = None
) -> Qualification:
    """Check `user` against the protocol's experience threshold for `role`."""
    required = float(definition["experience_years"][role])
    today = on or timezone.localdate()
    if user.practice_started_on is None:
        return Qualification(
            False, 0.0, required, _("No start date of clinical practice is recorded.")
        )
    if user.experience_verified_by_id is None:
        return Qualification(
            False, 0.0, required, _("The experience has not been verified by an admin yet.")
        )
    years = user.experience_years(today)
    if years < required:
        return Qualification(
            False,
            years,
            required,
            _("%(years).1f years of experience; the protocol requires %(required)g for this role.")
            % {"years": years, "required": required},
        )
    return Qualification(True, years, required, "")
