"""Production settings: every secret and service must come from the environment."""

from django.core.exceptions import ImproperlyConfigured

from annotation_platform.settings.base import *  # noqa: F403
from annotation_platform.settings.base import DATABASES, REDIS_URL, S3_BUCKET
from annotation_platform.settings.env import env_secret

SECRET_KEY = env_secret("DJANGO_SECRET_KEY") or ""
if not SECRET_KEY:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY (or DJANGO_SECRET_KEY_FILE) must be set.")
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("DATABASE_URL must point at PostgreSQL in production.")
if not REDIS_URL:
    raise ImproperlyConfigured("REDIS_URL must be set in production.")
if not S3_BUCKET:
    raise ImproperlyConfigured("S3_BUCKET must be set in production.")

DEBUG = False
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
