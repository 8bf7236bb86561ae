from django.urls import path

from annotation_platform.cohorts import views

app_name = "cohorts"
urlpatterns = [
    path("projects/<int:project_id>/cohorts/", views.cohort_list, name="cohort-list"),
    path("cohorts/<int:cohort_id>/", views.cohort_detail, name="cohort-detail"),
]
