"""Kept for the migrations that name `collection.storage.private_storage`: the storage itself is
core.storage, shared by every app."""

from core.storage import private_storage

__all__ = ["private_storage"]
