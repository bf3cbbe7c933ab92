"""`make bench`: production-like (no debug, real password hasher), PostgreSQL from DATABASE_URL."""

from .base import *  # noqa: F403

DEBUG = False
ALLOWED_HOSTS = ["*"]
