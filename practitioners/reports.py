"""The complete problem report of an import, kept for the importing user to download.

The page shows the first problems; the report (a CSV file for Excel) holds every one kept. It is
stored in the private storage under the user's own folder with a random name, served only to that
user, and removed a day later (when the same user next keeps one).
"""

import datetime
import io
import re
import secrets

from django.core.files.base import ContentFile
from django.utils import timezone

from core.storage import private_storage
from practitioners.models import User
from practitioners.registerfile import Problems, write_problems

KEPT_FOR = datetime.timedelta(days=1)
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,40}$")


def _folder(user: User) -> str:
    return f"import-problems/{user.pk}"


def keep_report(*, user: User, problems: Problems) -> str:
    """Store the problems as a CSV file for `user`; returns the token that names it."""
    storage = private_storage()
    folder = _folder(user)
    if storage.exists(folder):
        cutoff = timezone.now() - KEPT_FOR
        for name in storage.listdir(folder)[1]:
            path = f"{folder}/{name}"
            if storage.get_modified_time(path) < cutoff:
                storage.delete(path)
    out = io.StringIO()
    out.write("\ufeff")  # Excel on Chinese Windows reads the file as UTF-8
    write_problems(problems, out)
    token = secrets.token_urlsafe(18)
    storage.save(f"{folder}/{token}.csv", ContentFile(out.getvalue().encode("utf-8")))
    return token


def open_report(*, user: User, token: str):
    """The user's own report of that token, opened for reading; None if there is none."""
    storage = private_storage()
    path = f"{_folder(user)}/{token}.csv"
    if not _TOKEN.match(token) or not storage.exists(path):
        return None
    return storage.open(path, "rb")
