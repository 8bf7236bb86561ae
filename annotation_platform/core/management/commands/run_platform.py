"""Run the web server and a background worker together until Ctrl+C."""

import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from annotation_platform.accounts.demo import DEMO_LOGINS
from annotation_platform.core.broker import ensure_broker_folders
from annotation_platform.core.workers import die_with_parent, worker_command


class Command(BaseCommand):
    help = "Start the web server and a Celery worker; stop both on Ctrl+C."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--workers", type=int, default=2, help="Worker processes for background jobs."
        )

    def handle(self, *args: Any, host: str, port: int, workers: int, **options: Any) -> None:
        ensure_broker_folders()
        environment = {**os.environ, "DJANGO_SETTINGS_MODULE": os.environ["DJANGO_SETTINGS_MODULE"]}
        processes = [
            subprocess.Popen(
                worker_command(f"worker{number}"), env=environment, preexec_fn=die_with_parent
            )
            for number in range(1, max(workers, 1) + 1)
        ]
        web = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", f"{host}:{port}", "--noreload"],
            env=environment,
            cwd=settings.BASE_DIR,
        )
        self._print_welcome(host, port)
        self._wait([web, *processes])

    def _print_welcome(self, host: str, port: int) -> None:
        lines = [
            "",
            f"The platform is starting at http://{host}:{port}/  (Ctrl+C stops it)",
            "Demo log-ins (user name / password / role):",
        ]
        lines += [
            f"  {login.username:<12} {login.password:<18} {login.role}" for login in DEMO_LOGINS
        ]
        lines.append("")
        self.stdout.write("\n".join(lines))

    def _wait(self, processes: list[subprocess.Popen[bytes]]) -> None:
        stopping = False

        def stop(*_: Any) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        while not stopping and all(process.poll() is None for process in processes):
            time.sleep(0.5)
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        self.stdout.write("Stopped.")
