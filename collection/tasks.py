"""Background work of the collection app (Django's tasks framework: the immediate backend in
development and tests, a worker in production)."""

from django.tasks import task

from collection import pdf
from collection.models import Submission


@task()
def render_application_form(submission_pk: int) -> None:
    """Render and keep the printed form of a new submission, so that its downloads are quick."""
    submission = (
        Submission.objects.select_related("photo", "application__campaign", "application__bureau")
        .filter(pk=submission_pk)
        .first()
    )
    if submission is not None:
        pdf.store_application_form(submission)
