from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "annotation_platform.core"
    label = "core"
