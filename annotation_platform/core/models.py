"""The job table: every background job is one row with its state, attempts, progress and error."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Job(models.Model):
    """One background job, found by its natural identity `key` so that a repeat lands on it."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    kind = models.CharField(max_length=40)
    # For example "convert:series:42". Unique, so that a second request for the same work
    # returns the existing row instead of starting the work twice.
    key = models.CharField(max_length=200, unique=True)
    # The page that shows this job: "study:7" or "upload:3".
    group = models.CharField(max_length=100, db_index=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    max_attempts = models.PositiveSmallIntegerField(default=4)
    progress = models.FloatField(default=0.0)  # fraction done, 0 to 1
    # The current step as a message template, translated when shown.
    stage = models.CharField(max_length=200, blank=True)
    payload = models.JSONField(default=dict, blank=True)
    # {code, template, params} of the error that ended the job; params hold no patient data.
    error = models.JSONField(null=True, blank=True)
    warnings = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Updated with every progress report; a running job whose heartbeat is old is reclaimable.
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__gte=0.0) & models.Q(progress__lte=1.0),
                name="job_progress_is_a_fraction",
            ),
            models.CheckConstraint(
                condition=models.Q(state__in=["queued", "running", "succeeded", "failed"]),
                name="job_state_is_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.key} ({self.state})"

    @property
    def is_active(self) -> bool:
        return self.state in {self.State.QUEUED, self.State.RUNNING}


class AuditEvent(models.Model):
    """One append-only record of who did what to which object, and which versions it touched.

    Rows are never updated or deleted through the application: `save` refuses an update,
    `delete` raises, and on PostgreSQL a trigger rejects UPDATE and DELETE on the table.
    """

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=60, db_index=True)
    project = models.ForeignKey(
        "projects.Project", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The object acted on, as "case:12" or "project:3"; details hold versions and states.
    target = models.CharField(max_length=100, db_index=True)
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.target}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise PermissionError("audit events are append-only")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise PermissionError("audit events are append-only")
