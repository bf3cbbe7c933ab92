from django.urls import path

from collection.views import (
    accounts,
    application,
    campaigns,
    common,
    moves,
    pool,
    practitioner,
    staff,
)
from core import converters  # noqa: F401 - registers <id:>, the records' identifiers

app_name = "collection"

urlpatterns = [
    path("activate/", accounts.activate, name="activate"),
    path("accounts/reset-with-code/", accounts.reset_with_code, name="reset_with_code"),
    path("me/", practitioner.home, name="home"),
    path("me/application/", application.application_form, name="application"),
    path("me/application.pdf", practitioner.application_pdf, name="application_pdf"),
    path("me/application/print/", practitioner.application_print, name="application_print"),
    path("forms/form.css", common.form_stylesheet, name="form_stylesheet"),
    path("me/change/", application.change_form, name="change"),
    path("me/change.pdf", practitioner.change_pdf, name="change_pdf"),
    path("me/change/print/", practitioner.change_print, name="change_print"),
    path("me/contact/", application.contact_form, name="contact"),
    path("me/photo/", practitioner.photo_upload, name="photo_upload"),
    path("me/notices/<id:pk>/read/", practitioner.dismiss_notice, name="dismiss_notice"),
    path("photos/<id:pk>/", practitioner.photo, name="photo"),
    path("register/<id:pk>/application/", staff.staff_application, name="staff_application"),
    path("register/<id:pk>/reset-code/", staff.issue_reset_code, name="issue_reset_code"),
    path("register/<id:pk>/move/", moves.move_practitioner, name="move"),
    path(
        "register/<id:pk>/application.pdf",
        staff.staff_application_pdf,
        name="staff_application_pdf",
    ),
    path("campaigns/", campaigns.campaign_list, name="campaigns"),
    path("campaigns/new/", campaigns.campaign_edit, name="campaign_new"),
    path("campaigns/<id:pk>/", campaigns.campaign_edit, name="campaign_edit"),
    path("campaigns/<id:pk>/pending-pool/", pool.pending_pool, name="pending_pool"),
]
