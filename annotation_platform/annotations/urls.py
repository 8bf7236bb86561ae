from django.urls import path

from annotation_platform.annotations import views

app_name = "annotations"
urlpatterns = [
    path("cases/", views.case_list, name="case-list"),
    path("cases/<int:case_id>/annotate/", views.annotate, name="annotate"),
    path("cases/<int:case_id>/import/", views.import_mask, name="import-mask"),
]
