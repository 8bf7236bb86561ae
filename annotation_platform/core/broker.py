"""The folder broker of a single-machine run (no Redis): its folders must exist before use."""

from pathlib import Path

from django.conf import settings


def ensure_broker_folders() -> None:
    options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
    for key in ("data_folder_in", "data_folder_out", "processed_folder"):
        if key in options:
            Path(str(options[key])).mkdir(parents=True, exist_ok=True)
