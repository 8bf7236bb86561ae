from typing import Any

from django.apps import AppConfig


class AnnotationsConfig(AppConfig):
    name = "annotation_platform.annotations"
    label = "annotations"

    def ready(self) -> None:
        from annotation_platform.studies.signals import study_ready

        study_ready.connect(_create_case, dispatch_uid="annotations.create_case")


def _create_case(sender: Any, study: Any, **kwargs: Any) -> None:
    from annotation_platform.annotations.services import case_ensure_for_study

    case_ensure_for_study(study)
