"""Users and their verified clinical experience."""

from datetime import date

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A platform user. Experience is the date clinical or radiology practice began, so it grows."""

    practice_started_on = models.DateField(
        _("clinical practice began on"),
        null=True,
        blank=True,
        help_text=_("The date the user's clinical or radiology practice began."),
    )
    experience_verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("experience verified by"),
    )
    experience_verified_at = models.DateTimeField(
        _("experience verified at"), null=True, blank=True
    )

    # Object key of the evidence (a certificate or letter) the verifying admin attached.
    experience_evidence_key = models.CharField(max_length=300, blank=True)
    experience_note = models.CharField(_("note on the evidence"), max_length=300, blank=True)

    def experience_years(self, on: date | None = None) -> float:
        """Whole years of practice (fractional), 0 when no start date is recorded or verified."""
        if self.practice_started_on is None or self.experience_verified_by_id is None:
            return 0.0
        today = on or timezone.localdate()
        return max((today - self.practice_started_on).days / 365.25, 0.0)
