from django.urls import path

from annotation_platform.volumetry import apis

urlpatterns = [
    path("cases/<int:case_id>/volumetry/", apis.CaseVolumetryApi.as_view(), name="api-volumetry"),
]
