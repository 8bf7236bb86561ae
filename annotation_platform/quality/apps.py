from django.apps import AppConfig


class QualityConfig(AppConfig):
    name = "annotation_platform.quality"
    label = "quality"
