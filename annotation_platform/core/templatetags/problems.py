"""Filters that show stored errors, warnings and job stages in the reader's language."""

from typing import Any

from django import template
from django.utils.translation import gettext

from annotation_platform.errors import localize_problem

register = template.Library()


@register.filter
def problem(value: dict[str, Any] | None) -> str:
    """Translate a stored {code, template, params} record."""
    if not value:
        return ""
    return localize_problem(value)


@register.filter
def translated(value: str) -> str:
    """Translate a stored message id, such as a job stage."""
    return gettext(value) if value else ""


@register.filter
def percent(value: float | None) -> int:
    return round(100 * float(value or 0))


@register.filter
def job_kind(value: str) -> str:
    """The job kind in the reader's language."""
    from annotation_platform.core.presenters import job_kind_label

    return job_kind_label(value)
