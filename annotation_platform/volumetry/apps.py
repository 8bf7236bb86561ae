from django.apps import AppConfig


class VolumetryConfig(AppConfig):
    name = "annotation_platform.volumetry"
    label = "volumetry"
