from django.urls import path

from annotation_platform.worklists import apis

urlpatterns = [
    path("worklist/", apis.WorklistApi.as_view(), name="api-worklist"),
    path("projects/<int:project_id>/dashboard/", apis.DashboardApi.as_view(), name="api-dashboard"),
    path("audit/", apis.AuditEventListApi.as_view(), name="api-audit"),
]
