"""Settings for `make run` on a developer's machine: debug on, a throwaway secret."""

from .base import *  # noqa: F403
from .base import ALLOWED_HOSTS, HASHING_PEPPER, SECRET_KEY, env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = SECRET_KEY or "local-development-only-not-secret"
HASHING_PEPPER = HASHING_PEPPER or "local-development-pepper"
ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "[::1]"]
# Developers see their edits at once in a private window too.
ANONYMOUS_PAGE_CACHE_SECONDS = env.int("ANONYMOUS_PAGE_CACHE_SECONDS", default=0)
