from django.urls import path

from annotation_platform.annotations import apis

urlpatterns = [
    path("cases/", apis.CaseListApi.as_view(), name="api-case-list"),
    path("cases/<int:case_id>/", apis.CaseDetailApi.as_view(), name="api-case-detail"),
    path(
        "cases/<int:case_id>/volumes/<str:sequence>.nii.gz",
        apis.CaseVolumeApi.as_view(),
        name="api-case-volume",
    ),
    path(
        "cases/<int:case_id>/masks/",
        apis.MaskVersionListCreateApi.as_view(),
        name="api-mask-list",
    ),
    path(
        "cases/<int:case_id>/masks/import/",
        apis.MaskImportApi.as_view(),
        name="api-mask-import",
    ),
    path(
        "cases/<int:case_id>/masks/<int:version_id>/restore/",
        apis.MaskVersionRestoreApi.as_view(),
        name="api-mask-restore",
    ),
    path("masks/<int:version_id>/", apis.MaskVersionDetailApi.as_view(), name="api-mask-detail"),
    path("masks/<int:version_id>/data/", apis.MaskVersionDataApi.as_view(), name="api-mask-data"),
]
