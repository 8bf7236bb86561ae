"""Create the demo accounts and project, and queue the demo studies for the worker."""

from typing import Any

from django.core.management.base import BaseCommand

from annotation_platform.core.broker import ensure_broker_folders
from annotation_platform.studies.services.demo import demo_data_load, demo_project_ensure


class Command(BaseCommand):
    help = "Create demo accounts and the demo project, and queue the public demo studies."

    def handle(self, *args: Any, **options: Any) -> None:
        ensure_broker_folders()
        project = demo_project_ensure()
        self.stdout.write(f"Demo project: {project.name}")
        for line in demo_data_load(project):
            self.stdout.write(line)
