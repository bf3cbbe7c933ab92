"""Private file storage: photos, forms, work plans, bulletins' files, import reports, outside any
public URL. Views stream files after a permission check.

The storage is Django's `STORAGES["private"]` (the settings choose it): the file system under
MEDIA_ROOT/private by default; S3-compatible object storage (django-storages) when
REGISTRY_S3_BUCKET is set, so that several servers share the files. The bucket is private:
objects are written with the `private` ACL, and no URL to one is ever made.

The models' file fields hold `private_storage()`, a lazy handle on `storages["private"]` that
Django resets when a test changes STORAGES, as it does for `default_storage`.

A file is whole or absent: on the file system it is written under a temporary name beside its
own (`.NAME.XXXX.part`) and renamed when complete, so that a process killed mid-write leaves at
most a hidden part file, never a truncated file under a real name; an object store's PUT is
atomic by itself."""

import os
import sys
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.files import File
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

    def _save(self, name, content):
        """Written whole to a part file in the same folder, then renamed into place (Django's
        own move, which keeps its handling of a name taken meanwhile)."""
        full_path = self.path(name)
        folder = os.path.dirname(full_path)
        os.makedirs(folder, exist_ok=True)
        fd, part = tempfile.mkstemp(
            dir=folder, prefix=f".{os.path.basename(full_path)}.", suffix=".part"
        )
        try:
            with os.fdopen(fd, "wb") as out:
                if hasattr(content, "seek"):
                    content.seek(0)
                for chunk in content.chunks():
                    out.write(chunk if isinstance(chunk, bytes) else chunk.encode())
                out.flush()
                os.fsync(out.fileno())
            return super()._save(name, _Written(part))
        finally:
            if os.path.exists(part):
                os.unlink(part)


class _Written(File):
    """A complete part file on disk, for FileSystemStorage._save to move into place."""

    def __init__(self, path: str):
        super().__init__(None, name=path)
        self._path = path

    def temporary_file_path(self) -> str:
        return self._path


# Error codes with which an S3-compatible store says it is busy or away for a moment.
_BUSY_CODES = frozenset(
    {"SlowDown", "ServiceUnavailable", "InternalError", "RequestTimeout", "Throttling"}
)


def is_store_unavailable(exc: BaseException) -> bool:
    """The object store refused for now (503 SlowDown and the like, any 5xx) or could not be
    reached: worth trying again in a minute. botocore is looked at only when it is loaded (the
    object storage is in use)."""
    botocore = sys.modules.get("botocore.exceptions")
    boto3 = sys.modules.get("boto3.exceptions")
    if botocore is None:
        return False
    if boto3 is not None and isinstance(exc, boto3.S3UploadFailedError):
        return True
    if isinstance(exc, botocore.ClientError):
        response = getattr(exc, "response", {}) or {}
        status = response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
        return status >= 500 or response.get("Error", {}).get("Code") in _BUSY_CODES
    return isinstance(
        exc,
        (
            botocore.EndpointConnectionError,
            botocore.ConnectionClosedError,
            botocore.ReadTimeoutError,
            botocore.ConnectTimeoutError,
        ),
    )


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


def purge(name: str) -> None:
    """Delete a private file for good: on an object store, every version of it too (a bucket
    with versioning keeps the old ones after a plain delete; the retention policy must not)."""
    storage = private_storage()
    bucket = getattr(storage, "bucket", None)
    if bucket is None:
        storage.delete(name)
        return
    key = storage._normalize_name(name)  # type: ignore[attr-defined]
    for version in bucket.object_versions.filter(Prefix=key):
        if version.object_key == key:
            version.delete()
    storage.delete(name)


def backend_name() -> str:
    """Which storage serves now (the health endpoint says)."""
    return settings.STORAGES["private"]["BACKEND"].rsplit(".", 1)[-1]


@receiver(setting_changed)
def _forget(setting, **kwargs):
    """A test that changes STORAGES gets the storage it names (Django's own handler has
    already forgotten its instances)."""
    if setting == "STORAGES":
        _private._wrapped = empty
