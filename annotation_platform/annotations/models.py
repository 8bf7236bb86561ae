"""Cases (a study to annotate within a project) and their immutable mask versions."""

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Case(models.Model):
    """A study to annotate: who draws it, its state in the review loop, its mask versions.

    The allowed state changes are defined once, in annotations/workflow.py.
    """

    class State(models.TextChoices):
        NEW = "new", _("New")
        ANNOTATING = "annotating", _("Annotating")
        SUBMITTED = "submitted", _("Submitted")
        IN_REVIEW = "in_review", _("In review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        EXCLUDED = "excluded", _("Excluded")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    project = models.ForeignKey("projects.Project", on_delete=models.PROTECT, related_name="cases")
    study = models.OneToOneField("studies.Study", on_delete=models.PROTECT, related_name="case")
    state = models.CharField(max_length=16, choices=State.choices, default=State.NEW)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_cases",
    )
    assigned_at = models.DateTimeField(null=True, blank=True)
    due_date = models.DateField(null=True, blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reviewed_cases",
    )
    latest_version = models.ForeignKey(
        "MaskVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_version = models.ForeignKey(
        "MaskVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_version = models.ForeignKey(
        "MaskVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The protocol's scope exclusion (sellar, pineal, cerebellopontine angle) and a note.
    exclusion_key = models.CharField(max_length=40, blank=True)
    exclusion_note = models.TextField(blank=True)
    cohort = models.ForeignKey(
        "cohorts.Cohort", null=True, blank=True, on_delete=models.SET_NULL, related_name="cases"
    )
    # Seconds the assignee and the reviewers spent with the case open in the viewer, summed
    # from the viewer's heartbeats while its tab is visible.
    annotation_seconds = models.PositiveIntegerField(default=0)
    review_seconds = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["study__patient__pseudonym", "id"]

    def __str__(self) -> str:
        return f"case {self.pk} ({self.state})"

    @property
    def label(self) -> str:
        return self.study.patient.pseudonym


class MaskVersion(models.Model):
    """One saved mask of a case, never changed after it is written.

    The mask is a uint8 array on the study's reference grid in NIfTI order (x fastest), one bit
    per drawn region of the protocol. The voxels inside its crop box are stored gzip-compressed
    under a key derived from the SHA-256 of the whole raw mask (`checksum`).
    """

    class Source(models.TextChoices):
        DRAWN = "drawn", _("Drawn")
        RESTORED = "restored", _("Restored from an earlier version")
        IMPORTED = "imported", _("Imported")
        PRELABEL = "prelabel", _("AI pre-label")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT)
    created_at = models.DateTimeField(auto_now_add=True)
    base = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.DRAWN)
    restored_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    object_key = models.CharField(max_length=200)
    checksum = models.CharField(max_length=64)  # SHA-256 of the raw mask bytes, hex
    raw_bytes = models.PositiveBigIntegerField()
    stored_bytes = models.PositiveBigIntegerField()
    shape = models.JSONField()
    # The smallest box holding every labelled voxel, [x0, y0, z0, x1, y1, z1] half-open; only the
    # voxels inside it are stored. All zeros for an empty mask.
    crop = models.JSONField(default=list)
    # Regions painted on a sequence other than the prescribed one: [{region, sequence, reason}].
    overrides = models.JSONField(default=list, blank=True)
    figures = models.JSONField(default=dict)
    checks_ms = models.FloatField(default=0.0)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["case", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["case", "number"], name="mask_version_number_unique"),
        ]

    def __str__(self) -> str:
        return f"case {self.case_id} v{self.number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("mask versions are immutable; save a new version instead")
        super().save(*args, **kwargs)
