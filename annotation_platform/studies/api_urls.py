from django.urls import path

from annotation_platform.studies import apis

urlpatterns = [
    path(
        "projects/<int:project_id>/uploads/",
        apis.UploadCreateApi.as_view(),
        name="api-upload-create",
    ),
    path("uploads/", apis.UploadListApi.as_view(), name="api-upload-list"),
    path("uploads/<int:upload_id>/", apis.UploadDetailApi.as_view(), name="api-upload-detail"),
    path("studies/", apis.StudyListApi.as_view(), name="api-study-list"),
    path("studies/<int:study_id>/", apis.StudyDetailApi.as_view(), name="api-study-detail"),
    path("series/<int:series_id>/", apis.SeriesDetailApi.as_view(), name="api-series-detail"),
    path(
        "series/<int:series_id>/thumbnail/",
        apis.SeriesThumbnailApi.as_view(),
        name="api-series-thumbnail",
    ),
]
