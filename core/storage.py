"""Private file storage: photos, forms, work plans, bulletins' files, import reports: outside any
public URL. Views stream files after a permission check.

The file system (MEDIA_ROOT/private) by default; S3-compatible object storage (django-storages)
when REGISTRY_S3_BUCKET is set, so that several servers share the files. The bucket is
private: objects are written with the `private` ACL, and no URL to one is ever made."""

from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.functional import cached_property


class PrivateStorage(FileSystemStorage):
    """MEDIA_ROOT/private, with no base URL: nothing can link to a file directly. Follows
    MEDIA_ROOT when tests change it."""

    def __init__(self):
        super().__init__(base_url=None)

    @cached_property
    def base_location(self):
        return str(Path(settings.MEDIA_ROOT) / "private")

    def url(self, name):
        raise ValueError(
            "Private files have no URL; stream them through a permission-checked view."
        )


def _object_storage() -> Storage:
    from storages.backends.s3 import S3Storage

    class PrivateObjectStorage(S3Storage):
        """The bucket's `private/` prefix: private objects, no URLs, never overwritten (a
        name taken gets a new one, as on the file system)."""

        def url(self, name, *args, **kwargs):
            raise ValueError(
                "Private files have no URL; stream them through a permission-checked view."
            )

    return PrivateObjectStorage(
        bucket_name=settings.REGISTRY_S3_BUCKET,
        endpoint_url=settings.REGISTRY_S3_ENDPOINT_URL or None,
        region_name=settings.REGISTRY_S3_REGION or None,
        access_key=settings.REGISTRY_S3_ACCESS_KEY or None,
        secret_key=settings.REGISTRY_S3_SECRET_KEY or None,
        location="private",
        default_acl="private",
        querystring_auth=False,
        file_overwrite=False,
    )


_chosen: Storage | None = None


def _target() -> Storage:
    global _chosen
    if _chosen is None:
        _chosen = _object_storage() if settings.REGISTRY_S3_BUCKET else PrivateStorage()
    return _chosen


class _PrivateFiles(Storage):
    """What the models' file fields and the views hold: each call goes to the storage the
    settings choose (the file system or the bucket), so that the choice is the settings' alone."""

    def open(self, name, mode="rb"):
        return _target().open(name, mode)

    def save(self, name, content, max_length=None):
        return _target().save(name, content, max_length=max_length)

    def get_valid_name(self, name):
        return _target().get_valid_name(name)

    def get_alternative_name(self, file_root, file_ext):
        return _target().get_alternative_name(file_root, file_ext)

    def get_available_name(self, name, max_length=None):
        return _target().get_available_name(name, max_length=max_length)

    def generate_filename(self, filename):
        return _target().generate_filename(filename)

    def path(self, name):
        return _target().path(name)

    def delete(self, name):
        return _target().delete(name)

    def exists(self, name):
        return _target().exists(name)

    def listdir(self, path):
        return _target().listdir(path)

    def size(self, name):
        return _target().size(name)

    def url(self, name):
        return _target().url(name)

    def get_accessed_time(self, name):
        return _target().get_accessed_time(name)

    def get_created_time(self, name):
        return _target().get_created_time(name)

    def get_modified_time(self, name):
        return _target().get_modified_time(name)

    @property
    def backend(self) -> str:
        """Which storage serves now (the health endpoint says)."""
        return type(_target()).__name__


_storage = _PrivateFiles()


def private_storage() -> Storage:
    return _storage


@receiver(setting_changed)
def _forget_choice(setting, **kwargs):
    """Tests that change where files go get a storage that follows."""
    global _chosen
    if setting.startswith("REGISTRY_S3_") or setting == "MEDIA_ROOT":
        _chosen = None
