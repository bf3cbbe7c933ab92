from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from practitioners import views as practitioner_views

urlpatterns = [
    path("", practitioner_views.home, name="home"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("practitioners.urls")),
    path("admin/", admin.site.urls),
]
