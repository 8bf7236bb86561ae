"""Uploads, and the de-identified patients, studies, series and instances made from them.

Nothing here holds an identifying value: patients are known by a project pseudonym and a keyed
hash of their source identity, UIDs are replaced, dates are shifted, descriptions are cleaned.
Raw uploads stay in quarantine storage and are referenced only by the upload's quarantine prefix.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Upload(models.Model):
    """One batch of files received through the browser, the API or the import command."""

    class Source(models.TextChoices):
        BROWSER = "browser", _("Browser")
        API = "api", _("API")
        IMPORT = "import", _("Import command")
        DEMO = "demo", _("Demo data")

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        PROCESSING = "processing", _("Processing")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    project = models.ForeignKey(
        "projects.Project", on_delete=models.PROTECT, related_name="uploads"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.CharField(max_length=16, choices=Source.choices)
    state = models.CharField(max_length=16, choices=State.choices, default=State.QUEUED)
    file_count = models.PositiveIntegerField(default=0)
    total_bytes = models.BigIntegerField(default=0)
    # Counts of what the upload produced: studies, series, files de-identified, skipped files.
    summary = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"upload {self.pk} ({self.state})"

    @property
    def quarantine_prefix(self) -> str:
        return f"uploads/{self.uuid}/"


class Patient(models.Model):
    """A pseudonymous patient. `source_hash` is an HMAC of the source identity, never reversible
    without the platform's de-identification key, so later uploads of the same patient link up."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.PROTECT, related_name="patients"
    )
    pseudonym = models.CharField(max_length=32)
    source_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pseudonym"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "pseudonym"], name="patient_pseudonym_unique"
            ),
            models.UniqueConstraint(
                fields=["project", "source_hash"], name="patient_source_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.pseudonym


class Study(models.Model):
    class Status(models.TextChoices):
        PROCESSING = "processing", _("Processing")
        READY = "ready", _("Ready")
        INCOMPLETE = "incomplete", _("Sequences missing")
        FAILED = "failed", _("Failed")

    project = models.ForeignKey(
        "projects.Project", on_delete=models.PROTECT, related_name="studies"
    )
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="studies")
    # The replaced Study Instance UID (DICOM) or a UID made for a NIfTI upload.
    study_uid = models.CharField(max_length=64)
    # Shifted by the patient's date offset, so intervals between studies stay true.
    study_date = models.DateField(null=True, blank=True)
    description = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PROCESSING)
    reference_series = models.ForeignKey(
        "Series", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The reference grid all labels live on: {shape, spacing_mm, affine, orientation}.
    grid = models.JSONField(null=True, blank=True)
    # How each sequence reached the grid: {series_id: {mode: identity|rigid, transform, metric}}.
    alignment = models.JSONField(default=dict, blank=True)
    # De-identification applied: profile edition, options, method codes, action counts.
    deidentification = models.JSONField(default=dict, blank=True)
    warnings = models.JSONField(default=list, blank=True)
    missing_sequences = models.JSONField(default=list, blank=True)
    # Raised by every request to prepare the study; a preparation job whose revision is older
    # than this one has been superseded and stops without writing.
    preparation_revision = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["patient__pseudonym", "study_date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "study_uid"], name="study_uid_unique"),
        ]
        verbose_name_plural = "studies"

    def __str__(self) -> str:
        return f"{self.patient.pseudonym} {self.study_date or ''}".strip()

    @property
    def grid_label(self) -> str:
        return grid_label(self.grid)


class Series(models.Model):
    class SourceKind(models.TextChoices):
        DICOM = "dicom", _("DICOM")
        NIFTI = "nifti", _("NIfTI")

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        CONVERTING = "converting", _("Converting")
        CONVERTED = "converted", _("Converted")
        SKIPPED = "skipped", _("Not a volume")
        FAILED = "failed", _("Failed")

    class Sequence(models.TextChoices):
        T1 = "T1", "T1"
        T1C = "T1c", "T1c"
        T2 = "T2", "T2"
        FLAIR = "FLAIR", "FLAIR"
        OTHER = "OTHER", _("Other")

    class SequenceSource(models.TextChoices):
        HEADER = "header", _("DICOM header")
        FILENAME = "filename", _("File name")
        ADMIN = "admin", _("Set by an admin")

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="series")
    series_uid = models.CharField(max_length=64)
    source_kind = models.CharField(max_length=8, choices=SourceKind.choices)
    series_number = models.IntegerField(null=True, blank=True)
    modality = models.CharField(max_length=16, blank=True)
    description = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RECEIVED)
    file_count = models.PositiveIntegerField(default=0)
    sequence = models.CharField(max_length=8, choices=Sequence.choices, default=Sequence.OTHER)
    sequence_confidence = models.FloatField(default=0.0)
    sequence_source = models.CharField(max_length=16, choices=SequenceSource.choices)
    sequence_evidence = models.JSONField(default=list, blank=True)
    sequence_set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The series chosen to show this sequence in the viewer, when several share a sequence.
    selected = models.BooleanField(default=False)
    # Acquisition parameters used for recognition, from headers or dcm2niix's sidecar (allow-list).
    acquisition = models.JSONField(default=dict, blank=True)
    # The converted volume in its own grid: {shape, spacing_mm, affine, orientation, is_3d}.
    geometry = models.JSONField(null=True, blank=True)
    volume_key = models.CharField(max_length=200, blank=True)
    # The volume resampled onto the study's reference grid (the same key when already on it).
    aligned_key = models.CharField(max_length=200, blank=True)
    thumbnail_key = models.CharField(max_length=200, blank=True)
    warnings = models.JSONField(default=list, blank=True)
    error = models.JSONField(null=True, blank=True)
    # Image quality grade of the protocol's scale (1 unusable, 2 acceptable, 3 good) and reasons.
    quality_grade = models.PositiveSmallIntegerField(null=True, blank=True)
    quality_reasons = models.JSONField(default=list, blank=True)
    quality_graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    quality_graded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["study", "series_number", "id"]
        constraints = [
            models.UniqueConstraint(fields=["study", "series_uid"], name="series_uid_unique"),
        ]
        verbose_name_plural = "series"

    def __str__(self) -> str:
        return f"{self.sequence} {self.description}".strip()

    @property
    def geometry_label(self) -> str:
        return grid_label(self.geometry)

    @property
    def alignment_label(self) -> str:
        """How this series reached the study grid, in the reader's language."""
        entry = self.study.alignment.get(str(self.pk)) if self.study.alignment else None
        if not entry:
            return ""
        if entry.get("mode") == "identity":
            return str(_("Already on the reference grid"))
        if entry.get("mode") == "reference":
            return str(_("Reference"))
        return str(_("Rigidly co-registered and resampled"))

    @property
    def dicom_prefix(self) -> str:
        return f"dicom/{self.study.study_uid}/{self.series_uid}/"


class Instance(models.Model):
    """One de-identified DICOM file (one SOP instance) of a series."""

    series = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="instances")
    sop_instance_uid = models.CharField(max_length=64)
    sop_class_uid = models.CharField(max_length=64)
    instance_number = models.IntegerField(null=True, blank=True)
    object_key = models.CharField(max_length=300)
    size_bytes = models.PositiveIntegerField(default=0)
    # Geometry of the image (orientation, position, matrix, frames), read once at ingest so that
    # conversion need not parse the files again. No patient attribute is in it.
    header = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["series", "instance_number", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["series", "sop_instance_uid"], name="instance_uid_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.sop_instance_uid


def grid_label(grid: dict | None) -> str:
    """A grid as "240×240×155 · 1.00×1.00×1.00 mm · LPS"."""
    if not grid:
        return ""
    shape = "×".join(str(n) for n in grid.get("shape", [])[:3])
    spacing = "×".join(f"{s:.2f}" for s in grid.get("spacing_mm", [])[:3])
    orientation = "".join(grid.get("orientation", []))
    return " · ".join(
        part for part in (shape, f"{spacing} mm" if spacing else "", orientation) if part
    )
