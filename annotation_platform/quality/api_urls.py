from django.urls import path

from annotation_platform.quality import apis

urlpatterns = [
    path("cases/<int:case_id>/quality/", apis.CaseQualityApi.as_view(), name="api-case-quality"),
    path(
        "cases/<int:case_id>/series/<int:series_id>/quality/",
        apis.SeriesQualityApi.as_view(),
        name="api-series-quality",
    ),
]
