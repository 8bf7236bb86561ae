from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "annotation_platform.projects"
    label = "projects"
