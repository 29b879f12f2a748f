#!/usr/bin/env python
import os
import sys

if __name__ == "__main__":
    # manage.py is what developers run, so it stays on the dev settings; the Makefile exports
    # DJANGO_SETTINGS_MODULE anyway, and a server (market/asgi.py, market/wsgi.py) falls back
    # to market.settings.production.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "market.settings.dev")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
