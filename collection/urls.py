from django.urls import path

from collection import views

app_name = "collection"

urlpatterns = [
    path("activate/", views.activate, name="activate"),
    path("accounts/reset-with-code/", views.reset_with_code, name="reset_with_code"),
    path("me/", views.home, name="home"),
    path("me/application/", views.application_form, name="application"),
    path("me/application.pdf", views.application_pdf, name="application_pdf"),
    path("me/change/", views.change_form, name="change"),
    path("me/change.pdf", views.change_pdf, name="change_pdf"),
    path("me/contact/", views.contact_form, name="contact"),
    path("me/photo/", views.photo_upload, name="photo_upload"),
    path("me/notices/<int:pk>/read/", views.dismiss_notice, name="dismiss_notice"),
    path("photos/<int:pk>/", views.photo, name="photo"),
    path("register/<int:pk>/application/", views.staff_application, name="staff_application"),
    path("register/<int:pk>/reset-code/", views.issue_reset_code, name="issue_reset_code"),
    path("register/<int:pk>/move/", views.move_practitioner, name="move"),
    path(
        "register/<int:pk>/application.pdf",
        views.staff_application_pdf,
        name="staff_application_pdf",
    ),
    path("campaigns/", views.campaign_list, name="campaigns"),
    path("campaigns/new/", views.campaign_edit, name="campaign_new"),
    path("campaigns/<int:pk>/", views.campaign_edit, name="campaign_edit"),
    path("campaigns/<int:pk>/pending-pool/", views.pending_pool, name="pending_pool"),
]
