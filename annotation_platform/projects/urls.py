from django.urls import path

from annotation_platform.projects import views

app_name = "projects"
urlpatterns = [
    path("projects/", views.project_list, name="project-list"),
    path("projects/new/", views.project_create_view, name="project-create"),
    path("projects/<int:project_id>/", views.project_edit_view, name="project-edit"),
]
