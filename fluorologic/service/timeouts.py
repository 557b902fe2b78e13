"""A read timeout for the server: a slow or silent client cannot hold a connection for ever.

uvicorn closes a keep-alive connection that stays idle after a response (``timeout_keep_alive``), but it waits
without limit for a request's head and for the next bytes of its body. Its HTTP protocols (httptools, the
default with ``uvicorn[standard]``, and h11) are given here a deadline each:

* the head of a request (request line and headers) must arrive within :data:`HEAD_TIMEOUT` seconds of the
  connection (or of the previous response); otherwise the server answers ``408 Request Timeout`` and closes;
* while a body is being sent, at most :data:`BODY_IDLE_TIMEOUT` seconds may pass without a byte; otherwise the
  connection is closed (the application sees the client disconnect).

A client that sends a large upload at any steady pace is never cut; the time the application takes to answer,
or to read a body it has paused, is not counted. ``fluorologic serve`` and ``fluorologic workbench`` run
uvicorn with these classes (:data:`HTTP_PROTOCOL`).

Examples
--------
>>> HTTP_PROTOCOL
'fluorologic.service.timeouts:HttpToolsWithTimeout'
>>> HttpToolsWithTimeout.head_timeout, H11WithTimeout.body_idle_timeout
(10.0, 30.0)

"""

from __future__ import annotations

import asyncio
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

__all__ = ["BODY_IDLE_TIMEOUT", "HEAD_TIMEOUT", "HTTP_PROTOCOL", "H11WithTimeout", "HttpToolsWithTimeout"]

#: Seconds a client has to send a request's head.
HEAD_TIMEOUT = 10.0
#: Seconds a client may pause while it sends a request's body.
BODY_IDLE_TIMEOUT = 30.0
_TICK = 0.5
_TIMEOUT_408 = (b"HTTP/1.1 408 Request Timeout\r\ncontent-type: text/plain; charset=utf-8\r\nconnection: close\r\n"
                b"content-length: 36\r\n\r\nthe request was not sent in time\r\n\r\n")


class _Deadline:
    """The deadlines, for either protocol: ``_stage`` is ``head``, ``body`` or ``app`` (nothing awaited).

    Mixed in before the uvicorn protocol class, so its connection hooks run around the protocol's own.
    """

    head_timeout = HEAD_TIMEOUT
    body_idle_timeout = BODY_IDLE_TIMEOUT
    loop: asyncio.AbstractEventLoop
    transport: asyncio.Transport

    def _await_head(self) -> None:
        self._stage, self._since = "head", self.loop.time()
        self._last = self._since

    def _start_deadline(self) -> None:
        self._await_head()
        self._timer: asyncio.TimerHandle | None = self.loop.call_later(_TICK, self._tick)

    def _tick(self) -> None:
        if self.transport.is_closing():
            return
        now = self.loop.time()
        flow = getattr(self, "flow", None)
        if flow is not None and flow.read_paused:  # the server, not the client, is behind: nothing to count
            self._last = now
        if self._stage == "head" and now - self._since > self.head_timeout:
            self.transport.write(_TIMEOUT_408)
            self.transport.close()
            return
        if self._stage == "body" and now - self._last > self.body_idle_timeout:
            self.transport.close()
            return
        self._timer = self.loop.call_later(_TICK, self._tick)

    def _stop_deadline(self) -> None:
        if getattr(self, "_timer", None) is not None:
            self._timer.cancel()  # type: ignore[union-attr]
            self._timer = None

    def connection_made(self, transport: Any) -> None:  # noqa: D102
        super().connection_made(transport)  # type: ignore[misc]
        self._start_deadline()

    def connection_lost(self, exc: Exception | None) -> None:  # noqa: D102
        self._stop_deadline()
        super().connection_lost(exc)  # type: ignore[misc]

    def data_received(self, data: bytes) -> None:  # noqa: D102
        self._last = self.loop.time()
        super().data_received(data)  # type: ignore[misc]


def _httptools_base() -> type:
    try:
        from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol  # noqa: PLC0415 (optional: httptools)
    except ImportError:  # pragma: no cover (uvicorn without httptools: the h11 class serves)
        return H11Protocol
    return HttpToolsProtocol


class HttpToolsWithTimeout(_Deadline, _httptools_base()):  # type: ignore[misc]
    """uvicorn's httptools protocol with the deadlines of this module."""

    def on_headers_complete(self) -> None:  # noqa: D102
        self._stage = "body"
        super().on_headers_complete()

    def on_message_complete(self) -> None:  # noqa: D102
        self._stage = "app"
        super().on_message_complete()

    def on_response_complete(self) -> None:  # noqa: D102
        if self._stage == "app":
            self._await_head()
        super().on_response_complete()


class H11WithTimeout(_Deadline, H11Protocol):
    """uvicorn's h11 protocol with the deadlines of this module."""

    def handle_events(self) -> None:  # noqa: D102
        super().handle_events()
        state = self.conn.their_state
        if state is h11.SEND_BODY:
            self._stage = "body"
        elif state is h11.DONE:
            self._stage = "app"

    def on_response_complete(self) -> None:  # noqa: D102
        if self._stage == "app":
            self._await_head()
        super().on_response_complete()


#: The ``http`` setting of uvicorn for fluorologic's servers.
HTTP_PROTOCOL = ("fluorologic.service.timeouts:HttpToolsWithTimeout" if _httptools_base() is not H11Protocol
                 else "fluorologic.service.timeouts:H11WithTimeout")
