"""Kept for the migrations that name `collection.storage.private_storage`: the storage itself is
accounting_registry.storage, shared by every app."""

from accounting_registry.storage import private_storage

__all__ = ["private_storage"]
