"""The REST API, version 1: each app mounts its own routes here."""

from django.urls import include, path

urlpatterns = [
    path("", include("annotation_platform.projects.api_urls")),
    path("", include("annotation_platform.protocols.api_urls")),
    path("", include("annotation_platform.studies.api_urls")),
    path("", include("annotation_platform.studies.job_api_urls")),
    path("", include("annotation_platform.annotations.api_urls")),
    path("", include("annotation_platform.review.api_urls")),
    path("", include("annotation_platform.cohorts.api_urls")),
    path("", include("annotation_platform.accounts.api_urls")),
    path("", include("annotation_platform.worklists.api_urls")),
    path("", include("annotation_platform.quality.api_urls")),
    path("", include("annotation_platform.volumetry.api_urls")),
    path("", include("annotation_platform.exports.api_urls")),
]
