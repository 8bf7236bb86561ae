"""Publish a label protocol file (JSON) without a code change."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from annotation_platform.errors import ActionableError
from annotation_platform.protocols.services import protocol_load_file


class Command(BaseCommand):
    help = (
        "Validate and publish a label protocol definition file; a published version never changes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="The protocol JSON file.")

    def handle(self, *args: Any, path: Path, **options: Any) -> None:
        try:
            version, created = protocol_load_file(path)
        except ActionableError as error:
            raise CommandError(error.message) from None
        state = "published" if created else "already published, unchanged"
        self.stdout.write(f"{version.protocol.key} {version.version}: {state}")
