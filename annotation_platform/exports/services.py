"""Requesting and running exports of approved cases."""

import logging
import zipfile
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from annotation_platform.accounts.models import User
from annotation_platform.core.audit import audit_record
from annotation_platform.core.jobs import ProgressReporter, job_request
from annotation_platform.core.models import Job
from annotation_platform.core.storage import object_storage, put_file, scratch_folder, sha256_file
from annotation_platform.errors import ActionableError, gettext_noop
from annotation_platform.exchange.targets import FolderTarget, ZipTarget
from annotation_platform.exports.cases import eligible_cases
from annotation_platform.exports.models import Export
from annotation_platform.exports.writing import write_export
from annotation_platform.projects.models import Project

logger = logging.getLogger(__name__)


def _check_choice(project: Project, export_format: str, convention: str) -> None:
    if export_format not in Export.Format.values:
        raise ActionableError(
            "EXPORT_FORMAT_UNKNOWN",
            gettext_noop("Export format %(format)s is not supported; choose one of %(choices)s."),
            format=export_format,
            choices=", ".join(Export.Format.values),
        )
    conventions = [c["key"] for c in project.protocol_version.definition["export_conventions"]]
    if convention not in conventions:
        raise ActionableError(
            "EXPORT_CONVENTION_UNKNOWN",
            gettext_noop(
                "Label convention %(convention)s is not in the protocol; choose one of %(choices)s."
            ),
            convention=convention,
            choices=", ".join(conventions),
        )


def nothing_to_export(project: Project) -> ActionableError:
    return ActionableError(
        "EXPORT_NOTHING_TO_EXPORT",
        gettext_noop(
            "Project %(project)s has no case ready for this export: a case needs an approval, "
            "images graded %(minimum)s or better and, for DICOM SEG, a DICOM source series."
        ),
        project=project.name,
        minimum=project.protocol_version.definition["minimum_quality_grade"],
    )


def export_request(*, project: Project, export_format: str, convention: str, user: User) -> Export:
    """Record an export and enqueue its job; the zip appears when the job succeeds."""
    _check_choice(project, export_format, convention)
    cases, _ = select_cases(project, export_format)
    if not cases:
        raise nothing_to_export(project)
    from annotation_platform.exports.tasks import run_export

    with transaction.atomic():
        export = Export.objects.create(
            project=project, format=export_format, convention=convention, requested_by=user
        )
        job_request(
            kind="export",
            key=f"export:{export.pk}",
            group=export.job_group,
            task=run_export,
            payload={"export_id": export.pk},
            user=user,
        )
        audit_record(
            actor=user,
            action="export.requested",
            target=f"export:{export.pk}",
            project=project,
            format=export_format,
            convention=convention,
            cases=[case.pk for case in cases],
        )
    return export


def select_cases(project: Project, export_format: str) -> tuple[list[Any], list[dict[str, Any]]]:
    cases, skipped = eligible_cases(project)
    if export_format != "dicom-seg":
        return cases, skipped
    reference = project.protocol_version.definition["reference_sequence"]
    kept = []
    for case in cases:
        series = case.study.series.filter(sequence=reference, selected=True).first()
        if series is None or series.source_kind != "dicom":
            skipped.append({"case": case.pk, "patient": case.label, "reason": "no_dicom_source"})
        else:
            kept.append(case)
    return kept, skipped


def _header(project: Project, export_format: str, convention: str) -> dict[str, Any]:
    return {
        "project": project.name,
        "format": export_format,
        "label_convention": convention,
        "label_values": next(
            {label["name"]: label["value"] for label in c["labels"]}
            for c in project.protocol_version.definition["export_conventions"]
            if c["key"] == convention
        ),
        "protocol": f"{project.protocol_version.protocol.key} {project.protocol_version.version}",
        "ethics_approval": {
            "number": project.irb_number,
            "body": project.irb_body,
            "valid_until": str(project.irb_valid_until) if project.irb_valid_until else None,
        },
    }


def export_run(job: Job, progress: ProgressReporter) -> None:
    """Write the export's zip into scratch space case by case, then store it."""
    export = Export.objects.select_related("project__protocol_version__protocol").get(
        pk=job.payload["export_id"]
    )
    project = export.project
    cases, skipped = select_cases(project, export.format)
    with scratch_folder("export-") as work:
        archive_path = work / "export.zip"
        with zipfile.ZipFile(archive_path, "w", allowZip64=True) as archive:
            manifest = write_export(
                target=ZipTarget(archive),
                cases=cases,
                skipped=skipped,
                export_format=export.format,
                convention_key=export.convention,
                header={
                    **_header(project, export.format, export.convention),
                    "export": str(export.uuid),
                },
                progress=progress.span(0.0, 0.95),
            )
        progress(0.97, gettext_noop("Storing the export"))
        key = f"exports/{export.uuid}.zip"
        digest = sha256_file(archive_path)
        size = archive_path.stat().st_size
        put_file(object_storage(), key, archive_path, move=True)
    export.object_key = key
    export.sha256 = digest
    export.size_bytes = size
    export.case_count = len(cases)
    export.summary = {
        "skipped": skipped,
        "warnings": sum(len(c["warnings"]) for c in manifest["cases"]),
    }
    export.save(update_fields=["object_key", "sha256", "size_bytes", "case_count", "summary"])
    logger.info("export %s wrote %s cases, %s bytes", export.pk, len(cases), size)


def export_to_folder(
    *, project: Project, export_format: str, convention: str, out: Path, user: User | None
) -> dict[str, Any]:
    """The same export written into a folder (the export_cases command)."""
    _check_choice(project, export_format, convention)
    cases, skipped = select_cases(project, export_format)
    if not cases:
        raise nothing_to_export(project)
    out.mkdir(parents=True, exist_ok=True)
    manifest = write_export(
        target=FolderTarget(out),
        cases=cases,
        skipped=skipped,
        export_format=export_format,
        convention_key=convention,
        header={
            **_header(project, export_format, convention),
            "export": f"folder {timezone.now():%Y%m%dT%H%M%S}",
        },
        progress=lambda fraction, stage: None,
    )
    audit_record(
        actor=user,
        action="export.written",
        target=f"project:{project.pk}",
        project=project,
        format=export_format,
        convention=convention,
        cases=[case.pk for case in cases],
    )
    return manifest


def export_downloaded(*, export: Export, user: User) -> None:
    audit_record(
        actor=user, action="export.downloaded", target=f"export:{export.pk}", project=export.project
    )
