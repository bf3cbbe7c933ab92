from django.urls import path

from confirmation.views import day, printing, review, search
from core import converters  # noqa: F401 - registers <id:>, the records' identifiers

app_name = "confirmation"

urlpatterns = [
    path("counter/", search.counter, name="counter"),
    path("counter/queue/", search.queue, name="queue"),
    path("counter/applications/<id:pk>/", review.review, name="review"),
    path("counter/applications/<id:pk>/confirm/", review.confirm, name="confirm"),
    path("counter/applications/<id:pk>/return/", review.return_application, name="return"),
    path("counter/applications/<id:pk>/correct/", review.correct, name="correct"),
    path("counter/applications/<id:pk>/close/", review.close, name="close"),
    path("counter/confirmations/<id:pk>/certificate.pdf", printing.certificate, name="certificate"),
    path("counter/print-settings/", printing.print_settings, name="print_settings"),
    path("counter/print-settings/calibration.pdf", printing.calibration, name="calibration"),
    path("counter/day/", day.day_sheet, name="day_sheet"),
]
