"""Local development: `make run` (SQLite, console email, debug pages)."""

from core.env import env_bool, env_str

from .base import *  # noqa: F403

DEBUG = env_bool("DEBUG", True)
MAILERS = {
    "default": {
        "BACKEND": env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
    }
}
# Serve static/ directly while developing; production runs collectstatic (see README).
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# The demo's city accounts work without a phone: the second factor stays optional here
# (production requires it of city staff; README, Security).
REGISTRY_CITY_STAFF_NEED_OTP = env_bool("REGISTRY_CITY_STAFF_NEED_OTP", False)
