"""The Celery app. Queues: ingest (de-identification), convert (dcm2niix, registration), export,
default."""

import os

from celery import Celery
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "annotation_platform.settings.dev")

app = Celery("annotation_platform")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.task_queues = [Queue("default"), Queue("ingest"), Queue("convert"), Queue("export")]
app.conf.task_routes = {
    "annotation_platform.studies.tasks.run_ingest": {"queue": "ingest"},
    "annotation_platform.studies.tasks.run_conversion": {"queue": "convert"},
    "annotation_platform.studies.tasks.run_study_preparation": {"queue": "convert"},
    "annotation_platform.exports.tasks.run_export": {"queue": "export"},
}
app.autodiscover_tasks()
