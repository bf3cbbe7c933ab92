"""Local development: `make run` (SQLite, console email, debug pages)."""

from accounting_registry.env import env_bool, env_str

from .base import *  # noqa: F403

DEBUG = env_bool("DEBUG", True)
MAILERS = {
    "default": {"BACKEND": env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")}
}
