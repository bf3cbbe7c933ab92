"""Backup and restore: the database and the private files, into one folder and back.

A backup folder holds `database.dump` (PostgreSQL: `pg_dump --format=custom`; SQLite: a copy
made with SQLite's online backup), `files/` (every private file, whichever storage holds them:
the file system or the bucket) and `manifest.json` (what was saved, with each file's size and
SHA-256). Restoring needs an empty database (PostgreSQL: `pg_restore`; SQLite: the copy put in
place) and writes every file back into the configured storage, checking it against the manifest.
"""

import hashlib
import json
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection
from django.utils import timezone

from core.storage import private_storage

DUMP = "database.dump"
FILES = "files"
MANIFEST = "manifest.json"


class BackupError(Exception):
    pass


def _walk(folder: str = "") -> Iterator[str]:
    """Every file's name in the private storage (the file system or the bucket)."""
    try:
        folders, files = private_storage().listdir(folder)
    except FileNotFoundError:  # nothing stored yet
        return
    for name in files:
        yield f"{folder}/{name}" if folder else name
    for child in folders:
        yield from _walk(f"{folder}/{child}" if folder else child)


def _pg_environment() -> tuple[list[str], dict]:
    db = settings.DATABASES["default"]
    args = ["--host", db.get("HOST") or "127.0.0.1", "--port", str(db.get("PORT") or 5432)]
    args += ["--username", db.get("USER") or "postgres"]
    env = {"PGPASSWORD": db.get("PASSWORD") or "", "PATH": "/usr/bin:/bin:/usr/local/bin"}
    return args, env


def back_up(out: Path) -> dict:
    """Write a backup of the database and the private files to the folder `out` (new)."""
    out.mkdir(parents=True, exist_ok=False)
    db = settings.DATABASES["default"]
    if connection.vendor == "postgresql":
        args, env = _pg_environment()
        subprocess.run(
            [
                "pg_dump",
                "--format=custom",
                "--no-owner",
                *args,
                "--file",
                str(out / DUMP),
                db["NAME"],
            ],
            check=True,
            env=env,
            capture_output=True,
        )
    elif connection.vendor == "sqlite":
        connection.ensure_connection()
        target = sqlite3.connect(out / DUMP)
        with target:
            connection.connection.backup(target)
        target.close()
    else:
        raise BackupError(f"no backup for {connection.vendor}")
    files = {}
    storage = private_storage()
    for name in _walk():
        with storage.open(name, "rb") as source:
            data = source.read()
        path = out / FILES / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        files[name] = {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    manifest = {
        "made_at": timezone.now().isoformat(),
        "database": connection.vendor,
        "files": files,
    }
    (out / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True), encoding="utf-8")
    return manifest


def restore(source: Path) -> dict:
    """Restore a backup folder into the configured (empty) database and storage."""
    manifest = json.loads((source / MANIFEST).read_text(encoding="utf-8"))
    if manifest["database"] != connection.vendor:
        raise BackupError(
            f"the backup is of {manifest['database']}; this site uses {connection.vendor}"
        )
    db = settings.DATABASES["default"]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
            )
            if cursor.fetchone()[0]:
                raise BackupError("restore into an empty database")
        connection.close()
        args, env = _pg_environment()
        subprocess.run(
            [
                "pg_restore",
                "--no-owner",
                "--exit-on-error",
                *args,
                "--dbname",
                db["NAME"],
                str(source / DUMP),
            ],
            check=True,
            env=env,
            capture_output=True,
        )
    else:
        connection.close()
        shutil.copyfile(source / DUMP, db["NAME"])
    storage = private_storage()
    for name, expected in manifest["files"].items():
        data = (source / FILES / name).read_bytes()
        if hashlib.sha256(data).hexdigest() != expected["sha256"]:
            raise BackupError(f"{name} does not match the manifest")
        if storage.exists(name):
            storage.delete(name)
        saved = storage.save(name, ContentFile(data))
        if saved != name:
            raise BackupError(f"{name} was stored as {saved}")
    return manifest
