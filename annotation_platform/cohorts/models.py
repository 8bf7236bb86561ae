"""Cohorts: the cases an admin selects to be annotated together, with due dates."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Cohort(models.Model):
    project = models.ForeignKey(
        "projects.Project", on_delete=models.PROTECT, related_name="cohorts"
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    # The filters the cases were selected with, kept so the selection can be explained later.
    selection = models.JSONField(default=dict, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["project", "name"], name="cohort_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name
