from django.apps import AppConfig


class CohortsConfig(AppConfig):
    name = "annotation_platform.cohorts"
    label = "cohorts"
