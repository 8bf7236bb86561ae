"""Bulk import of a folder tree of DICOM, zip and NIfTI files into a project."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from annotation_platform.core.jobs import jobs_inline
from annotation_platform.core.models import Job
from annotation_platform.errors import localize_problem
from annotation_platform.projects.models import Project
from annotation_platform.studies.models import Study
from annotation_platform.studies.services.bulk_import import import_tree


class Command(BaseCommand):
    help = (
        "Import every DICOM series, zip of DICOM files and NIfTI case under PATH into a project. "
        "Each file is checked, de-identified, converted and aligned as a browser upload is."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="A folder tree or a single file.")
        parser.add_argument("--project", required=True, help="The project's name.")
        parser.add_argument(
            "--background",
            action="store_true",
            help="Hand the work to the running worker instead of doing it here and waiting.",
        )

    def handle(
        self, *args: Any, path: Path, project: str, background: bool, **options: Any
    ) -> None:
        if not path.exists():
            raise CommandError(f"{path} does not exist. Give a folder or a file to import.")
        found = Project.objects.filter(name=project).first()
        if found is None:
            names = ", ".join(Project.objects.values_list("name", flat=True)) or "none yet"
            raise CommandError(f"No project is named {project!r}. Projects: {names}.")
        if background:
            outcome = import_tree(root=path, project=found, user=None)
        else:
            with jobs_inline():
                outcome = import_tree(root=path, project=found, user=None)
        self._report(outcome, background)

    def _report(self, outcome: Any, background: bool) -> None:
        for label, error in outcome.rejected:
            self.stderr.write(f"Rejected {label}: {error.message}")
            for problem in error.params.get("problems", [])[:20]:
                self.stderr.write(f"  {problem.get('name')}: {problem.get('message')}")
        self.stdout.write(
            f"{len(outcome.uploads)} uploads accepted, {len(outcome.rejected)} rejected, "
            f"{outcome.skipped_files} files of other kinds skipped."
        )
        if background:
            self.stdout.write("The worker de-identifies and converts them; follow the Upload page.")
            return
        groups = [f"upload:{upload.pk}" for upload in outcome.uploads]
        failed = Job.objects.filter(state=Job.State.FAILED, group__in=groups)
        for job in failed:
            self.stderr.write(
                f"Job {job.pk} ({job.kind}) failed: {localize_problem(job.error or {})}"
            )
        ids: set[int] = set()
        for upload in outcome.uploads:
            upload.refresh_from_db()
            ids.update(upload.summary.get("study_ids", []))
        for study in Study.objects.filter(pk__in=ids).select_related("patient"):
            missing = (
                f" (missing {', '.join(study.missing_sequences)})"
                if study.missing_sequences
                else ""
            )
            self.stdout.write(f"  {study.patient.pseudonym}: {study.get_status_display()}{missing}")
