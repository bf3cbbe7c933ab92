"""Backup and restore (docs/operations.md: Backup): a backup of the database and the private files, restored
into an empty database and an empty storage by another process, holds every practitioner,
submitted version, photo and printed form again, byte for byte."""

import hashlib
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from collection.models import Photo, Submission
from collection.pdf import form_path
from practitioners.models import Practitioner
from tests.helpers import confirm, make_submitted

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]  # other processes
ROOT = Path(__file__).resolve().parent.parent

CHECK = """
import hashlib, json, sys
from core.storage import private_storage
from collection.models import Photo, Submission
from collection.pdf import form_path
from practitioners.models import Practitioner
storage = private_storage()
def digest(name):
    with storage.open(name, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()
print(json.dumps({
    "people": sorted(Practitioner.objects.values_list("id_number", flat=True)),
    "versions": sorted(Submission.objects.values_list("application__reference", "number")),
    "photos": {p.image.name: digest(p.image.name) for p in Photo.objects.all()},
    "forms": {form_path(s): digest(form_path(s)) for s in Submission.objects.all()},
}))
"""


@pytest.fixture
def empty_database(settings, tmp_path):
    """A new, empty database of the suite's kind, and its DATABASE_URL."""
    if connection.vendor == "postgresql":
        db = settings.DATABASES["default"]
        name = f"registry_restore_{uuid.uuid4().hex[:8]}"
        psql = ["psql", "-h", db["HOST"] or "127.0.0.1", "-U", db["USER"] or "postgres", "postgres"]
        subprocess.run([*psql, "-c", f"CREATE DATABASE {name}"], check=True, capture_output=True)
        yield f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"
        subprocess.run(
            [*psql, "-c", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"], capture_output=True
        )
    else:
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"


def manage(*args, database_url: str, media: Path) -> subprocess.CompletedProcess:
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "accounting_registry.settings.test",
        "DATABASE_URL": database_url,
        "MEDIA_ROOT": str(media),
    }
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return done


def test_a_restored_backup_holds_every_person_version_photo_and_form(
    committed_bureaus, county_a, campaign, clerk_a, settings, tmp_path, empty_database
):
    applications = make_submitted(county_a, campaign, 3)
    confirm(applications[0], clerk_a)
    expected = {
        "people": sorted(Practitioner.objects.values_list("id_number", flat=True)),
        "versions": sorted(
            [list(v) for v in Submission.objects.values_list("application__reference", "number")]
        ),
    }
    storage_root = Path(settings.MEDIA_ROOT) / "private"
    photos = {p.image.name: _sha(storage_root / p.image.name) for p in Photo.objects.all()}
    forms = {form_path(s): _sha(storage_root / form_path(s)) for s in Submission.objects.all()}
    assert len(photos) == 3 and len(forms) == 3

    call_command("backup", str(tmp_path / "backup"))
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert set(photos) | set(forms) <= set(manifest["files"])

    media = tmp_path / "restored-media"
    manage("restore", str(tmp_path / "backup"), database_url=empty_database, media=media)
    found = json.loads(
        manage("shell", "-c", CHECK, database_url=empty_database, media=media)
        .stdout.strip()
        .splitlines()[-1]
    )
    assert found["people"] == expected["people"]
    assert found["versions"] == expected["versions"]
    assert found["photos"] == photos and found["forms"] == forms


def test_restore_refuses_a_database_that_is_not_empty(committed_bureaus, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("an SQLite restore replaces the file")
    from accounting_registry import backup

    call_command("backup", str(tmp_path / "backup"))
    with pytest.raises(backup.BackupError, match="empty"):
        backup.restore(tmp_path / "backup")


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
