from django.urls import path, re_path

from business import views
from core.converters import ID_DIGITS

app_name = "business"

urlpatterns = [
    path("register/import/", views.register_import, name="register_import"),
    path("me/on-post/", views.on_post, name="on_post"),
    path("me/education/", views.education, name="education"),
    path("business/", views.decisions, name="decisions"),
    re_path(
        rf"^business/(?P<kind>on-post|education)/(?P<pk>{ID_DIGITS})/decide/$",
        views.decide,
        name="decide",
    ),
    path("business/before-collection/", views.flagged, name="flagged"),
    re_path(
        r"^business/before-collection\.(?P<fmt>csv|xlsx)$",
        views.flagged_export,
        name="flagged_export",
    ),
]
