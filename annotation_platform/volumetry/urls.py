from django.urls import path

from annotation_platform.volumetry import views

app_name = "volumetry"
urlpatterns = [path("cases/<int:case_id>/volumetry/", views.volumetry, name="volumetry")]
