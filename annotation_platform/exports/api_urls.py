from django.urls import path

from annotation_platform.exports import apis

urlpatterns = [
    path(
        "projects/<int:project_id>/exports/",
        apis.ExportListCreateApi.as_view(),
        name="api-export-list",
    ),
    path("exports/<int:export_id>/", apis.ExportDetailApi.as_view(), name="api-export-detail"),
    path(
        "exports/<int:export_id>/download/",
        apis.ExportDownloadApi.as_view(),
        name="api-export-download",
    ),
]
