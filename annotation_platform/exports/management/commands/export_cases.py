"""Export a project's approved cases into a folder from the shell."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from annotation_platform.errors import ActionableError
from annotation_platform.exports.models import Export
from annotation_platform.exports.services import export_to_folder
from annotation_platform.projects.models import Project


class Command(BaseCommand):
    help = "Write a project's approved cases as NIfTI, BraTS, nnU-Net or DICOM SEG into a folder."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--project", required=True, help="The project's name.")
        parser.add_argument("--format", required=True, choices=Export.Format.values)
        parser.add_argument("--out", required=True, type=Path, help="The folder to write into.")
        parser.add_argument(
            "--convention",
            default="brats-2023",
            help="Label convention of label maps: brats-2017-2021 (ET = 4) or brats-2023 (ET = 3).",
        )

    def handle(
        self, *args: Any, project: str, format: str, out: Path, convention: str, **options: Any
    ) -> None:
        found = Project.objects.filter(name=project).first()
        if found is None:
            names = ", ".join(Project.objects.values_list("name", flat=True)) or "none yet"
            raise CommandError(f"No project is named {project!r}. Projects: {names}.")
        try:
            manifest = export_to_folder(
                project=found, export_format=format, convention=convention, out=out, user=None
            )
        except ActionableError as error:
            raise CommandError(error.message) from None
        self.stdout.write(
            f"Wrote {len(manifest['cases'])} cases to {out} ({format}, {convention}); "
            f"{len(manifest['skipped'])} cases not ready were left out. "
            f"See {out / 'manifest.json'}."
        )
