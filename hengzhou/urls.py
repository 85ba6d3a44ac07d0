from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from utilities.forms import PasswordChangeForm
from utilities.views import media

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path(
        "accounts/password_change/",
        auth_views.PasswordChangeView.as_view(form_class=PasswordChangeForm),
        name="password_change",
    ),
    path("", include("villages.views")),
    path("accounts/", include("django.contrib.auth.urls")),
    path(settings.MEDIA_URL.lstrip("/") + "<path:path>", media, name="media"),
    path("", include("utilities.job_views")),
    path("", include("utilities.offline")),
    path("", include("reports.urls")),
    path("", include("supervision.urls")),
    path("", include("feedback.views")),
    path("", include("signs.urls")),
]
