from django.urls import path

from annotation_platform.studies import views

app_name = "studies"
urlpatterns = [
    path("studies/", views.study_list, name="study-list"),
    path("studies/<int:study_id>/", views.study_detail, name="study-detail"),
    path("series/<int:series_id>/sequence/", views.series_sequence_update, name="series-sequence"),
    path("series/<int:series_id>/thumbnail.png", views.series_thumbnail, name="series-thumbnail"),
    path("series/<int:series_id>/quality/", views.series_quality_update, name="series-quality"),
    path("upload/", views.upload_page, name="upload"),
    path("uploads/<int:upload_id>/", views.upload_detail, name="upload-detail"),
    path("quarantine/", views.quarantine_page, name="quarantine"),
]
