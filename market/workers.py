"""The ASGI worker that scripts/serve-production.sh runs under gunicorn.

uvicorn (httptools for HTTP, websockets for the notification sockets) in each of gunicorn's
worker processes. Django's ASGI handler does not speak the lifespan protocol, so it is off
rather than probed and logged on every start. A request line up to about 64 KB reaches Django
(whose search page and API answer an over-long query with their own 414); past that
httptools refuses the request with a plain 400.
"""

from uvicorn_worker import UvicornWorker as _UvicornWorker


class UvicornWorker(_UvicornWorker):
    CONFIG_KWARGS = {**_UvicornWorker.CONFIG_KWARGS, "lifespan": "off"}
