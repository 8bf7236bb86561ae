"""Exports of approved cases: one zip per request, written by a background job."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Export(models.Model):
    class Format(models.TextChoices):
        NIFTI = "nifti", _("NIfTI per region and sequence")
        BRATS = "brats", _("BraTS layout")
        NNUNET = "nnunet", _("nnU-Net v2 raw dataset")
        DICOM_SEG = "dicom-seg", _("DICOM SEG")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    project = models.ForeignKey(
        "projects.Project", on_delete=models.PROTECT, related_name="exports"
    )
    format = models.CharField(max_length=16, choices=Format.choices)
    # The protocol's label convention for label maps (BraTS 2017-2021 or 2023 on).
    convention = models.CharField(max_length=40, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT)
    created_at = models.DateTimeField(auto_now_add=True)
    object_key = models.CharField(max_length=200, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    size_bytes = models.PositiveBigIntegerField(default=0)
    case_count = models.PositiveIntegerField(default=0)
    # Cases left out and why, and warnings of the writers; the full manifest is in the zip.
    summary = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"export {self.pk} ({self.format})"

    @property
    def job_group(self) -> str:
        return f"export:{self.pk}"

    @property
    def file_name(self) -> str:
        return f"{self.project.pseudonym_prefix}-{self.format}-{self.created_at:%Y%m%d-%H%M%S}.zip"
