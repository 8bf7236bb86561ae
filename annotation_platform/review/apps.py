from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "annotation_platform.review"
    label = "review"
