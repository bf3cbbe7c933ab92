"""`make bench`: production-like (no debug, real password hasher), PostgreSQL from DATABASE_URL."""

from .base import *  # noqa: F403

DEBUG = False
ALLOWED_HOSTS = ["*"]
# The confirmations' notices are emailed after commit: no mail server here.
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.dummy.EmailBackend"}}
# The product's URLs and a trivial view beside them (http_rps_bare).
ROOT_URLCONF = "bench.urls"
# The in-process lookup logs in as the demo's city user, who has no phone: the second factor's
# check still runs on every request (the middleware asks is_verified either way), it just does
# not send them to set one up.
REGISTRY_CITY_STAFF_NEED_OTP = False
