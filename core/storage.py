"""Private file storage: photos, forms, work plans, bulletins' files, import reports, outside any
public URL. Views stream files after a permission check.

The storage is Django's `STORAGES["private"]` (the settings choose it): the file system under
MEDIA_ROOT/private by default; S3-compatible object storage (django-storages) when
REGISTRY_S3_BUCKET is set, so that several servers share the files. The bucket is private:
objects are written with the `private` ACL, and no URL to one is ever made.

The models' file fields hold `private_storage()`, a lazy handle on `storages["private"]` that
Django resets when a test changes STORAGES, as it does for `default_storage`."""

from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.functional import LazyObject, cached_property, empty

NO_URL = "Private files have no URL; stream them through a permission-checked view."


class PrivateStorage(FileSystemStorage):
    """MEDIA_ROOT/private, with no base URL: nothing can link to a file directly. Follows
    MEDIA_ROOT when tests change it (FileSystemStorage forgets its cached paths then)."""

    def __init__(self, **options):
        super().__init__(base_url=None, **options)

    @cached_property
    def base_location(self):
        return str(Path(settings.MEDIA_ROOT) / "private")

    def url(self, name):
        raise ValueError(NO_URL)


def private_storage_settings(
    bucket: str = "",
    *,
    endpoint_url: str = "",
    region: str = "",
    access_key: str = "",
    secret_key: str = "",
) -> dict:
    """STORAGES["private"]: MEDIA_ROOT/private, or with a bucket its `private/` prefix, private
    objects, no signed URLs, never overwritten (a name taken gets a new one, as on disk)."""
    if not bucket:
        return {"BACKEND": "core.storage.PrivateStorage"}
    return {
        "BACKEND": "core.objectstorage.PrivateObjectStorage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": endpoint_url or None,
            "region_name": region or None,
            "access_key": access_key or None,
            "secret_key": secret_key or None,
            "location": "private",
            "default_acl": "private",
            "querystring_auth": False,
            "file_overwrite": False,
        },
    }


class _Private(LazyObject):
    def _setup(self):
        self._wrapped = storages["private"]


_private = _Private()


def private_storage() -> Storage:
    """The storage of every private file (a callable, so that migrations name it, not a value)."""
    return _private  # type: ignore[return-value]


def backend_name() -> str:
    """Which storage serves now (the health endpoint says)."""
    return settings.STORAGES["private"]["BACKEND"].rsplit(".", 1)[-1]


@receiver(setting_changed)
def _forget(setting, **kwargs):
    """A test that changes STORAGES gets the storage it names (Django's own handler has
    already forgotten its instances)."""
    if setting == "STORAGES":
        _private._wrapped = empty
