"""Background work of the collection app (Django's tasks framework: the immediate backend in
development and tests, the database worker in production; core.tasks)."""

from django.conf import settings
from django.core.mail import send_mail
from django.tasks import task

from collection import pdf
from collection.models import Submission
from core.tasks import retry_later


@task()
def render_application_form(submission_pk: int, attempt: int = 1) -> None:
    """Render and keep the printed form of a new submission, so that its downloads are quick."""
    submission = (
        Submission.objects.select_related("photo", "application__campaign", "application__bureau")
        .filter(pk=submission_pk)
        .first()
    )
    if submission is None:
        return
    pdf.note_worker_rendering()
    try:
        pdf.store_application_form(submission)
    except Exception:
        retry_later(render_application_form, submission_pk, attempt=attempt)
        raise


@task()
def send_notice_mail(subject: str, body: str, to: str, attempt: int = 1) -> None:
    """The email copy of a practitioner's notice (collection.notices)."""
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to])
    except Exception:
        retry_later(send_notice_mail, subject, body, to, attempt=attempt)
        raise
