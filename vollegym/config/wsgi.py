"""WSGI entry point for gunicorn: `gunicorn vollegym.config.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vollegym.config.settings")
application = get_wsgi_application()
