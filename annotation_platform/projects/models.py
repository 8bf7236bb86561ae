"""Projects, their ethics approval and their members."""

import uuid
from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Project(models.Model):
    """A research project: one label protocol, one ethics approval, one pseudonym space."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)
    protocol_version = models.ForeignKey(
        "protocols.ProtocolVersion",
        on_delete=models.PROTECT,
        related_name="projects",
        verbose_name=_("label protocol"),
    )
    # Pseudonymous patient ids are this prefix and a number: GLI0001, GLI0002, ...
    pseudonym_prefix = models.CharField(
        _("pseudonym prefix"),
        max_length=8,
        default="PAT",
        help_text=_("Letters that start every pseudonymous patient id, for example GLI."),
    )
    retain_patient_characteristics = models.BooleanField(
        _("retain patient characteristics"),
        default=False,
        help_text=_(
            "Keep age, sex, size and weight (DICOM PS3.15 Retain Patient Characteristics "
            "option); they are useful for research."
        ),
    )
    auto_assign = models.BooleanField(
        _("assign new cases automatically"),
        default=False,
        help_text=_(
            "Give each case that becomes ready to the qualified annotator with the fewest open "
            "cases."
        ),
    )
    irb_number = models.CharField(_("ethics approval number"), max_length=100, blank=True)
    irb_body = models.CharField(_("approving ethics committee"), max_length=200, blank=True)
    irb_valid_until = models.DateField(_("approval valid until"), null=True, blank=True)
    irb_document_key = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(pseudonym_prefix__regex=r"^[A-Z][A-Z0-9]{0,7}$"),
                name="project_pseudonym_prefix_is_upper_alnum",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def irb_is_valid(self, on: date | None = None) -> bool:
        today = on or timezone.localdate()
        return bool(
            self.irb_number.strip()
            and self.irb_body.strip()
            and self.irb_valid_until is not None
            and self.irb_valid_until >= today
        )


class Membership(models.Model):
    """A user's role in a project."""

    class Role(models.TextChoices):
        ADMIN = "admin", _("Project admin")
        ANNOTATOR = "annotator", _("Annotator")
        REVIEWER = "reviewer", _("Senior reviewer")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=16, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "user", "role"], name="membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.role} in {self.project}"
