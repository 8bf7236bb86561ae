from django.apps import AppConfig


class WorklistsConfig(AppConfig):
    name = "annotation_platform.worklists"
    label = "worklists"
