from django.urls import path

from annotation_platform.accounts import views

app_name = "accounts"
urlpatterns = [
    path("projects/<int:project_id>/members/", views.members, name="members"),
]
