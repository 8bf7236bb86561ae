"""Submissions and review decisions, each naming the exact mask version concerned."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Submission(models.Model):
    """An annotator's submission of one mask version, with the protocol checklist answers."""

    case = models.ForeignKey(
        "annotations.Case", on_delete=models.PROTECT, related_name="submissions"
    )
    version = models.ForeignKey(
        "annotations.MaskVersion", on_delete=models.PROTECT, related_name="submissions"
    )
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    # {checklist key: true} for every item of the protocol's checklist, as confirmed.
    checklist = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"submission of case {self.case_id} v{self.version.number}"


class ReviewDecision(models.Model):
    class Decision(models.TextChoices):
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    case = models.ForeignKey("annotations.Case", on_delete=models.PROTECT, related_name="decisions")
    # The exact version the reviewer saw; an approval is attached to it for good.
    version = models.ForeignKey(
        "annotations.MaskVersion", on_delete=models.PROTECT, related_name="decisions"
    )
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    decision = models.CharField(max_length=16, choices=Decision.choices)
    summary = models.TextField(_("summary"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.decision} case {self.case_id} v{self.version.number}"


class ReviewComment(models.Model):
    """A reviewer's comment pinned to a point of one slice and a region."""

    class Axis(models.TextChoices):
        AXIAL = "axial", _("Axial")
        CORONAL = "coronal", _("Coronal")
        SAGITTAL = "sagittal", _("Sagittal")

    decision = models.ForeignKey(ReviewDecision, on_delete=models.PROTECT, related_name="comments")
    case = models.ForeignKey("annotations.Case", on_delete=models.PROTECT, related_name="comments")
    region = models.CharField(max_length=40)
    axis = models.CharField(max_length=16, choices=Axis.choices, default=Axis.AXIAL)
    # Voxel indices (i, j, k) on the study's reference grid, NIfTI order.
    point_ijk = models.JSONField()
    text = models.TextField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"comment on case {self.case_id} at {self.point_ijk}"

    @property
    def slice_index(self) -> int:
        """The slice the comment is pinned to, along the axis it was made on."""
        axis_index = {"sagittal": 0, "coronal": 1, "axial": 2}[self.axis]
        return int(self.point_ijk[axis_index])
