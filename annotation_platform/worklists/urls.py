from django.urls import path

from annotation_platform.worklists import views

app_name = "worklists"
urlpatterns = [
    path("worklist/", views.worklist, name="worklist"),
    path("projects/<int:project_id>/dashboard/", views.dashboard, name="dashboard"),
    path("audit/", views.audit_trail, name="audit"),
]
