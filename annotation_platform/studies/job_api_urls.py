from django.urls import path

from annotation_platform.studies import job_apis as apis

urlpatterns = [
    path("jobs/", apis.JobListApi.as_view(), name="api-job-list"),
    path("jobs/<int:job_id>/", apis.JobDetailApi.as_view(), name="api-job-detail"),
    path("jobs/<int:job_id>/retry/", apis.JobRetryApi.as_view(), name="api-job-retry"),
]
