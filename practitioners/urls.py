from django.urls import path

from core import converters  # noqa: F401 - registers <id:>, the records' identifiers
from practitioners import views

app_name = "practitioners"

urlpatterns = [
    path("register/", views.practitioner_list, name="list"),
    path("register/<id:pk>/", views.practitioner_detail, name="detail"),
    path("register/new/", views.practitioner_create, name="create"),
    path("register/import/template.xlsx", views.import_template, name="import_template"),
    path(
        "register/import/problems/<slug:token>.csv", views.import_problems, name="import_problems"
    ),
    path("register/export/", views.register_export, name="export"),
    path("bureaus/", views.bureau_overview, name="bureau_overview"),
    path("audit/", views.audit_trail, name="audit"),
]
