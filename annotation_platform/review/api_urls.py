from django.urls import path

from annotation_platform.review import apis

urlpatterns = [
    path("cases/<int:case_id>/submit/", apis.CaseSubmitApi.as_view(), name="api-case-submit"),
    path("cases/<int:case_id>/recall/", apis.CaseRecallApi.as_view(), name="api-case-recall"),
    path("cases/<int:case_id>/exclude/", apis.CaseExcludeApi.as_view(), name="api-case-exclude"),
    path("cases/<int:case_id>/include/", apis.CaseIncludeApi.as_view(), name="api-case-include"),
    path(
        "cases/<int:case_id>/review/start/", apis.ReviewStartApi.as_view(), name="api-review-start"
    ),
    path(
        "cases/<int:case_id>/review/decision/",
        apis.ReviewDecisionApi.as_view(),
        name="api-review-decision",
    ),
    path(
        "cases/<int:case_id>/comments/", apis.CaseCommentListApi.as_view(), name="api-case-comments"
    ),
    path(
        "cases/<int:case_id>/decisions/",
        apis.CaseDecisionListApi.as_view(),
        name="api-case-decisions",
    ),
    path("cases/<int:case_id>/assign/", apis.CaseAssignApi.as_view(), name="api-case-assign"),
    path(
        "cases/<int:case_id>/heartbeat/", apis.CaseHeartbeatApi.as_view(), name="api-case-heartbeat"
    ),
]
