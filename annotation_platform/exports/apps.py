from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "annotation_platform.exports"
    label = "exports"
