from django.urls import path

from annotation_platform.cohorts import apis

urlpatterns = [
    path(
        "projects/<int:project_id>/cohorts/",
        apis.CohortListCreateApi.as_view(),
        name="api-cohort-list",
    ),
    path(
        "projects/<int:project_id>/case-candidates/",
        apis.CaseCandidatesApi.as_view(),
        name="api-case-candidates",
    ),
    path("cohorts/<int:cohort_id>/", apis.CohortDetailApi.as_view(), name="api-cohort-detail"),
    path(
        "cohorts/<int:cohort_id>/assign/", apis.CohortAssignApi.as_view(), name="api-cohort-assign"
    ),
]
