from django.urls import path

from annotation_platform.exports import views

app_name = "exports"
urlpatterns = [path("projects/<int:project_id>/exports/", views.exports_page, name="exports")]
