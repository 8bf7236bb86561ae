from django.urls import path

from annotation_platform.projects import apis

urlpatterns = [
    path("projects/", apis.ProjectListCreateApi.as_view(), name="api-project-list"),
    path("projects/<int:project_id>/", apis.ProjectDetailApi.as_view(), name="api-project-detail"),
    path(
        "projects/<int:project_id>/irb-document/",
        apis.ProjectIrbDocumentApi.as_view(),
        name="api-project-irb-document",
    ),
]
