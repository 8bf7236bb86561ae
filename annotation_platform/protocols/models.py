"""Label protocols as data. A published protocol version never changes."""

from typing import Any

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from annotation_platform.errors import ConflictError, gettext_noop


class Protocol(models.Model):
    key = models.SlugField(max_length=60, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.key


class ProtocolVersion(models.Model):
    """One published version of a protocol: the whole definition, immutable once saved."""

    protocol = models.ForeignKey(Protocol, on_delete=models.PROTECT, related_name="versions")
    version = models.CharField(max_length=20)
    definition = models.JSONField()
    checksum = models.CharField(max_length=64)  # SHA-256 of the canonical JSON
    published_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["protocol__key", "published_at"]
        constraints = [
            models.UniqueConstraint(fields=["protocol", "version"], name="protocol_version_unique")
        ]
        verbose_name = _("protocol version")

    def __str__(self) -> str:
        return f"{self.protocol.key} {self.version}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            stored = ProtocolVersion.objects.filter(pk=self.pk).values_list("checksum", flat=True)
            if stored and stored[0] != self.checksum:
                raise ConflictError(
                    "PROTOCOL_VERSION_IMMUTABLE",
                    gettext_noop(
                        "Protocol %(key)s version %(version)s is published and cannot change. "
                        "Publish the change as a new version."
                    ),
                    key=self.protocol.key,
                    version=self.version,
                )
        super().save(*args, **kwargs)

    def text(self, value: dict[str, str]) -> str:
        """Pick the active language from a {"en": ..., "zh-hans": ...} mapping."""
        language = (get_language() or "en").lower()
        return value.get(language) or value.get(language.split("-")[0]) or value["en"]

    @property
    def display_name(self) -> str:
        return self.text(self.definition["name"])

    def region(self, key: str) -> dict[str, Any]:
        return next(r for r in self.definition["regions"] if r["key"] == key)
