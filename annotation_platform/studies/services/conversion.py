"""Conversion of one de-identified DICOM series to a NIfTI volume (a background job)."""

import logging
import os
import shutil
from pathlib import Path
from typing import Any

from django.core.files.storage import FileSystemStorage

from annotation_platform.core.jobs import ProgressReporter, job_add_warnings
from annotation_platform.core.models import Job
from annotation_platform.core.storage import (
    object_storage,
    put_file,
    scratch_folder,
    sha256_file,
)
from annotation_platform.errors import ActionableError, gettext_noop
from annotation_platform.imaging.convert import convert_series
from annotation_platform.imaging.dicom_headers import InstanceHeader, read_headers
from annotation_platform.imaging.dicom_ingest import header_from_dict
from annotation_platform.imaging.dicom_series import SeriesGroup, group_series
from annotation_platform.imaging.volumes import grid_of_header, gzip_file
from annotation_platform.studies.models import Series
from annotation_platform.studies.services.processing import study_after_series_change

logger = logging.getLogger(__name__)


def series_convert(job: Job, progress: ProgressReporter) -> None:
    """Convert the job's series to NIfTI, store it under its content hash, then let the study
    move on. A series that is not a volume (a localiser, one slice) is marked as skipped."""
    series = Series.objects.select_related("study__project").get(pk=job.payload["series_id"])
    if series.status == Series.Status.CONVERTED and series.volume_key:
        return
    Series.objects.filter(pk=series.pk).update(status=Series.Status.CONVERTING, error=None)
    try:
        _convert(series, job, progress)
    except ActionableError as error:
        Series.objects.filter(pk=series.pk).update(
            status=Series.Status.FAILED, error=error.as_dict()
        )
        raise
    finally:
        study_after_series_change(series.study_id)


def _convert(series: Series, job: Job, progress: ProgressReporter) -> None:
    with scratch_folder("convert-") as work:
        progress(0.02, gettext_noop("Collecting the de-identified files"))
        source = _collect_instances(series, work / "dicom")
        progress(0.1, gettext_noop("Reading the DICOM headers"))
        groups = group_series(_headers(series, source))
        volumes = [group for group in groups if group.kind == "volume"]
        if not volumes:
            _mark_skipped(series, groups)
            return
        main = max(volumes, key=lambda group: group.instance_count)
        warnings = _ignored_parts_warnings(groups, main)
        result = convert_series(main, work / "nifti", progress=progress.span(0.15, 0.85))
        warnings += result.warnings
        progress(0.9, gettext_noop("Storing the volume"))
        compressed = gzip_file(result.primary, work / "volume.nii.gz")
        key = f"volumes/{sha256_file(compressed)}.nii.gz"
        put_file(object_storage(), key, compressed)

    geometry = grid_of_header(result.shape, result.affine, result.spacing_mm)
    geometry["is_3d"] = result.is_3d
    series.geometry = geometry
    series.volume_key = key
    series.status = Series.Status.CONVERTED
    series.warnings = warnings
    series.acquisition = {**series.acquisition, **result.sidecar}
    series.save(update_fields=["geometry", "volume_key", "status", "warnings", "acquisition"])
    job_add_warnings(job, warnings)
    logger.info("series %s converted to %s", series.pk, key)


def _headers(series: Series, folder: Path) -> list[InstanceHeader]:
    """The headers stored at ingest, pointing at the collected files; files ingested before
    headers were stored are read again."""
    rows = list(series.instances.order_by("id").values_list("header", flat=True))
    paths = [folder / f"{number:06d}.dcm" for number in range(len(rows))]
    if all(rows):
        return [header_from_dict(row, path) for row, path in zip(rows, paths, strict=True)]
    return read_headers(folder)


def _collect_instances(series: Series, folder: Path) -> Path:
    """Put the series' files in one folder: hard links on local storage, copies otherwise."""
    folder.mkdir(parents=True)
    storage = object_storage()
    for number, key in enumerate(
        series.instances.order_by("id").values_list("object_key", flat=True)
    ):
        target = folder / f"{number:06d}.dcm"
        if isinstance(storage, FileSystemStorage):
            try:
                os.link(storage.path(key), target)
                continue
            except OSError:
                pass
            shutil.copyfile(storage.path(key), target)
        else:
            with storage.open(key, "rb") as handle, target.open("wb") as out:
                shutil.copyfileobj(handle, out, 1024 * 1024)
    return folder


def _mark_skipped(series: Series, groups: list[SeriesGroup]) -> None:
    kind = groups[0].kind if groups else "none"
    reason: dict[str, Any] = {
        "code": "SERIES_NOT_A_VOLUME",
        "template": gettext_noop(
            "This series is not a volume (%(kind)s), so it is kept but not converted or shown "
            "in the viewer."
        ),
        "params": {"kind": kind},
    }
    series.status = Series.Status.SKIPPED
    series.warnings = [reason]
    series.save(update_fields=["status", "warnings"])
    logger.info("series %s skipped: %s", series.pk, kind)


def _ignored_parts_warnings(groups: list[SeriesGroup], main: SeriesGroup) -> list[dict[str, Any]]:
    others = [group for group in groups if group is not main]
    if not others:
        return []
    return [
        {
            "code": "SERIES_PARTS_IGNORED",
            "template": gettext_noop(
                "This series mixes %(count)s image sets (%(kinds)s); only the largest volume, "
                "%(slices)s slices, was converted. Re-export the series separately if another "
                "part is needed."
            ),
            "params": {
                "count": len(groups),
                "kinds": ", ".join(sorted({group.kind for group in groups})),
                "slices": main.slice_count,
            },
        }
    ]
