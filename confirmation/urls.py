from django.urls import path

from confirmation import views

app_name = "confirmation"

urlpatterns = [
    path("counter/", views.counter, name="counter"),
    path("counter/queue/", views.queue, name="queue"),
    path("counter/applications/<int:pk>/", views.review, name="review"),
    path("counter/applications/<int:pk>/confirm/", views.confirm, name="confirm"),
    path("counter/applications/<int:pk>/return/", views.return_application, name="return"),
    path("counter/applications/<int:pk>/correct/", views.correct, name="correct"),
    path("counter/applications/<int:pk>/close/", views.close, name="close"),
    path("counter/confirmations/<int:pk>/certificate.pdf", views.certificate, name="certificate"),
    path("counter/print-settings/", views.print_settings, name="print_settings"),
    path("counter/print-settings/calibration.pdf", views.calibration, name="calibration"),
    path("counter/day/", views.day_sheet, name="day_sheet"),
]
