"""Private file storage: photos, forms, import reports and other personal files, outside any
public URL."""

from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.functional import cached_property


class PrivateStorage(FileSystemStorage):
    """MEDIA_ROOT/private, with no base URL: nothing can link to a file directly; views stream
    files after a permission check. Follows MEDIA_ROOT when tests change it."""

    def __init__(self):
        super().__init__(base_url=None)

    @cached_property
    def base_location(self):
        return str(Path(settings.MEDIA_ROOT) / "private")

    def url(self, name):
        raise ValueError(
            "Private files have no URL; stream them through a permission-checked view."
        )


_storage = PrivateStorage()


def private_storage() -> PrivateStorage:
    return _storage
