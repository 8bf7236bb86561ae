from django.urls import path

from annotation_platform.accounts import apis

urlpatterns = [
    path("people/", apis.PeopleListApi.as_view(), name="api-people"),
    path("people/<int:user_id>/experience/", apis.ExperienceApi.as_view(), name="api-experience"),
    path(
        "people/<int:user_id>/evidence/",
        apis.ExperienceEvidenceApi.as_view(),
        name="api-experience-evidence",
    ),
    path(
        "projects/<int:project_id>/members/", apis.MemberListCreateApi.as_view(), name="api-members"
    ),
    path(
        "projects/<int:project_id>/members/<int:membership_id>/",
        apis.MemberDetailApi.as_view(),
        name="api-member-detail",
    ),
]
