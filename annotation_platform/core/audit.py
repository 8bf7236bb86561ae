"""Recording audit events: every state change, save, assignment, qualification change, export."""

from typing import Any

from annotation_platform.core.models import AuditEvent


def audit_record(
    *, actor: Any, action: str, target: str, project: Any = None, **details: Any
) -> AuditEvent:
    """Append one audit event. `details` must be JSON-serialisable and hold no patient data."""
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        project=project,
        target=target,
        details=details,
    )
