from django.urls import path

from annotation_platform.protocols import apis

urlpatterns = [
    path("protocols/", apis.ProtocolVersionListApi.as_view(), name="api-protocol-list"),
    path(
        "protocols/<slug:key>/<str:version>/",
        apis.ProtocolVersionDetailApi.as_view(),
        name="api-protocol-detail",
    ),
]
