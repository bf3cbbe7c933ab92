from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from accounting_registry import auth, care, health, views
from practitioners import idle
from practitioners import views as practitioner_views

admin.site.login_form = auth.AdminLoginForm

# A database or object-store outage outside a view: the 503 page (core.outages), not the 500.
handler500 = "core.outages.server_error"

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", auth.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password-reset/", auth.PasswordResetView.as_view(), name="password_reset"),
    path(
        "accounts/password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password-reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("accounts/two-factor/", practitioner_views.two_factor, name="two_factor"),
    path(
        "accounts/two-factor/enrolment-codes/",
        practitioner_views.two_factor_enrolment_codes,
        name="two_factor_enrolment_codes",
    ),
    path(
        "accounts/two-factor/verify/",
        practitioner_views.two_factor_verify,
        name="two_factor_verify",
    ),
    path("i18n/", include("django.conf.urls.i18n")),
    path("care-mode/", care.toggle, name="care_mode"),
    path("me/data/", views.my_data, name="my_data"),
    path("me/data.json", views.my_data_download, {"kind": "json"}, name="my_data_json"),
    path("me/data.pdf", views.my_data_download, {"kind": "pdf"}, name="my_data_pdf"),
    path("processing-record/", views.processing_record, name="processing_record"),
    path("accounts/idle/", idle.status, name="idle_status"),
    path("", include("practitioners.urls")),
    path("", include("collection.urls")),
    path("", include("confirmation.urls")),
    path("", include("reporting.urls")),
    path("", include("business.urls")),
    path("admin/", admin.site.urls),
    path("favicon.ico", views.favicon, name="favicon"),
    path("health/", health.health, name="health"),
]
