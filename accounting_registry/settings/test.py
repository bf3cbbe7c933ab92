"""The test suite: SQLite unless DATABASE_URL names another database."""

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-secret-key"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
ALLOWED_HOSTS = ["*"]
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Static files straight from static/ (no collectstatic in tests).
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# Most tests log staff in with force_login: the second factor is tested on its own
# (tests/practitioners/test_two_factor.py switches this back on).
REGISTRY_CITY_STAFF_NEED_OTP = False
# Tests travel in time by weeks as staff: the idle sign-out is on in its own tests only.
REGISTRY_STAFF_IDLE_SECONDS = 0
