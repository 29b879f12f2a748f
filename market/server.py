"""The HTTP server `make serve` runs: daphne, with an answer for a request that is too long.

Daphne serves HTTP through Twisted's HTTPChannel, which reads the request line and every
header line as a LineReceiver line of at most MAX_LENGTH = 16,384 bytes, and the request line
and all headers together up to totalHeadersSize = 16,384 bytes. A longer line makes it drop the
connection without writing anything (LineReceiver.lineLengthExceeded); longer headers get a
bare "400 Bad Request". A search for about 1,800 Chinese characters is already 16 KB once
percent-encoded (9 bytes a character: %E7%94%B5), so whoever sent it got no answer at all.

Here a request line may be up to MAX_REQUEST_LINE bytes and the headers MAX_HEADERS more, so
such a request reaches Django, whose search page and API answer it with a 414 of their own
(search.contract.query_string_too_long). Past those limits this server answers itself, 414 for
the request line and 431 for the headers, in Chinese and English, and closes the connection.

Run it as daphne is run, with the same arguments:

    python -m market.server -b 127.0.0.1 -p 8000 market.asgi:application
"""

from __future__ import annotations

import re
import sys

from daphne import server as daphne_server
from daphne.cli import CommandLineInterface
from daphne.http_protocol import HTTPFactory
from django.utils import translation
from django.utils.translation import gettext as _
from twisted.web import http

MAX_REQUEST_LINE = 64 * 1024
MAX_HEADERS = 16 * 1024
# How long a refused client may take to read the answer before the connection is cut.
REFUSED_GRACE_SECONDS = 10

_REQUEST_LINE = re.compile(rb"[A-Z]+ ")
_REASONS = {414: b"URI Too Long", 431: b"Request Header Fields Too Large"}


def _refusal_text(status: int) -> str:
    if status == 414:
        return _("请求的地址太长，服务器无法处理。检索时请缩短检索词后再试。")
    return _("请求头太大，服务器无法处理。")


def refusal_body(status: int) -> bytes:
    """The plain-text answer to a refused request: Chinese first, then English."""
    lines = []
    for language in ("zh-hans", "en"):
        with translation.override(language):
            lines.append(_refusal_text(status))
    return ("\n".join(lines) + "\n").encode()


class Channel(http.HTTPChannel):
    """Twisted's HTTPChannel with longer limits, answering instead of dropping past them."""

    MAX_LENGTH = MAX_REQUEST_LINE
    totalHeadersSize = MAX_REQUEST_LINE + MAX_HEADERS
    _refused = False
    _cut = None

    def dataReceived(self, data):
        if self._refused:
            return  # what is left of a refused request is read and thrown away
        super().dataReceived(data)

    def lineReceived(self, line):
        if self._refused:
            return None
        # The same count HTTPChannel keeps, checked first so that it never writes its 400.
        if self._receivedHeaderSize + len(line) > self.totalHeadersSize:
            return self._refuse(431)
        return super().lineReceived(line)

    def lineLengthExceeded(self, line):
        # `line` starts at the line that is too long: a request line is "METHOD /path...".
        return self._refuse(414 if _REQUEST_LINE.match(line) else 431)

    def _refuse(self, status: int) -> None:
        self._refused = True
        self.clearLineBuffer()
        # A request whose headers were cut short never reached the application; daphne
        # would try to disconnect it from the application all the same.
        self.requests = []
        body = refusal_body(status)
        self.transport.write(
            b"HTTP/1.1 %d %s\r\n" % (status, _REASONS[status])
            + b"Content-Type: text/plain; charset=utf-8\r\n"
            + b"Content-Length: %d\r\n" % len(body)
            + b"Connection: close\r\n\r\n"
            + body
        )
        # Close our side only once the answer is out, and keep reading until the client
        # closes its side: closing with unread request bytes would reset the connection,
        # and the client could lose the answer with it.
        self.setTimeout(None)
        lose_write = getattr(self.transport, "loseWriteConnection", None)
        if lose_write is None:
            self.transport.loseConnection()
            return
        lose_write()
        self._cut = self.callLater(REFUSED_GRACE_SECONDS, self.transport.abortConnection)

    def connectionLost(self, reason):
        if self._cut is not None and self._cut.active():
            self._cut.cancel()
        super().connectionLost(reason)


class Factory(HTTPFactory):
    """Daphne's HTTP factory, building `Channel`s."""

    def protocol(self):
        # Twisted's own factory wraps an HTTPChannel like this (so it can switch to HTTP/2).
        return http._GenericHTTPChannelProtocol(Channel())


def main(argv: list[str] | None = None) -> None:
    # daphne's Server.run builds its HTTP factory from this module-level name.
    daphne_server.HTTPFactory = Factory
    CommandLineInterface().run(sys.argv[1:] if argv is None else argv)


if __name__ == "__main__":
    main()
