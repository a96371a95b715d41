"""Settings for the test suite. DATABASE_URL selects SQLite (default) or PostgreSQL."""

from .base import *  # noqa: F403
from .base import DATABASES, env

DEBUG = False
SECRET_KEY = "test-only-secret-key-not-for-production"
HASHING_PEPPER = "test-pepper"
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast; Argon2 is tested
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
ANONYMOUS_PAGE_CACHE_SECONDS = 0  # the page cache's own tests turn it on
API_RATE_ANON = "100000/m"  # tests that check throttling set their own rate
API_RATE_TOKEN = "100000/m"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if env.str("DATABASE_URL", default=""):
    DATABASES["default"]["TEST"] = {"NAME": env.str("TEST_DB_NAME", default="test_bigsociety")}
