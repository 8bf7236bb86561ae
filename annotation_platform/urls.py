from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from annotation_platform.core.views import home

urlpatterns = [
    path("", home, name="home"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(template_name="accounts/login.html"),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/v1/", include("annotation_platform.api_urls")),
    path("", include("annotation_platform.projects.urls")),
    path("", include("annotation_platform.studies.urls")),
    path("", include("annotation_platform.annotations.urls")),
    path("", include("annotation_platform.worklists.urls")),
    path("", include("annotation_platform.cohorts.urls")),
    path("", include("annotation_platform.accounts.urls")),
    path("", include("annotation_platform.volumetry.urls")),
    path("", include("annotation_platform.exports.urls")),
]
