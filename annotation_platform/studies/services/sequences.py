"""Which series shows each sequence, and an admin's correction of a recognised sequence."""

import logging

from django.db import transaction

from annotation_platform.accounts.models import User
from annotation_platform.errors import ActionableError, gettext_noop
from annotation_platform.studies.models import Series, Study

logger = logging.getLogger(__name__)


def selection_rank(series: Series) -> tuple[int, float, int, int]:
    """Higher ranks win: an admin's choice, then confidence, then more voxels, then the newest."""
    shape = (series.geometry or {}).get("shape") or [0]
    voxels = 1
    for size in shape[:3]:
        voxels *= int(size)
    return (
        int(series.sequence_source == Series.SequenceSource.ADMIN),
        series.sequence_confidence,
        voxels,
        series.pk or 0,
    )


def is_annotatable_volume(series: Series) -> bool:
    geometry = series.geometry or {}
    return (
        series.status == Series.Status.CONVERTED
        and bool(geometry.get("is_3d"))
        and bool(series.volume_key)
    )


def study_select_series(study: Study) -> dict[str, Series]:
    """Mark the series the viewer shows for each protocol sequence; return them by sequence."""
    definition = study.project.protocol_version.definition
    sequence_keys = [item["key"] for item in definition["sequences"]]
    candidates = [s for s in study.series.all() if is_annotatable_volume(s)]
    chosen: dict[str, Series] = {}
    for key in sequence_keys:
        matching = [s for s in candidates if s.sequence == key]
        if matching:
            chosen[key] = max(matching, key=selection_rank)
    chosen_ids = {series.pk for series in chosen.values()}
    for series in study.series.all():
        selected = series.pk in chosen_ids
        if series.selected != selected:
            series.selected = selected
            series.save(update_fields=["selected"])
    return chosen


def series_set_sequence(*, series: Series, sequence: str, user: User) -> Series:
    """Record an admin's correction of a series' sequence and re-prepare the study."""
    from annotation_platform.studies.services.processing import study_request_preparation

    if sequence not in Series.Sequence.values:
        raise ActionableError(
            "SEQUENCE_UNKNOWN",
            gettext_noop("%(sequence)s is not a sequence; choose one of %(choices)s."),
            sequence=sequence,
            choices=", ".join(Series.Sequence.values),
        )
    with transaction.atomic():
        series.sequence = sequence
        series.sequence_source = Series.SequenceSource.ADMIN
        series.sequence_confidence = 1.0
        series.sequence_set_by = user
        series.save(
            update_fields=["sequence", "sequence_source", "sequence_confidence", "sequence_set_by"]
        )
        study_request_preparation(series.study, user=user)
    logger.info("series %s set to %s by user %s", series.pk, sequence, user.pk)
    return series
