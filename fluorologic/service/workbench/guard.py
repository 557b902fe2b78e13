"""The guard in front of the whole app (an ASGI middleware): token, same-origin posts, security headers.

* With a token set (``--token`` or ``$FLUOROLOGIC_TOKEN``; required by the command line whenever the server
  listens on anything but a loopback address) every request but ``GET /healthz`` must carry it: the header
  ``Authorization: Bearer TOKEN`` or ``X-Fluorologic-Token``, or the cookie set when a page is opened once
  with ``?token=TOKEN`` (the browser is then sent to the same page without the token in its address).
* A workbench form post whose ``Origin`` is another site is refused (no cross-site request forgery).
* Without a token (a loopback server), a workbench request whose ``Host`` is not a name the server was started
  for (``127.0.0.1``, ``localhost``, ``[::1]``, the ``--host`` given, which ``$FLUOROLOGIC_HOST`` carries) is
  refused, and a post's ``Origin`` must name one of those too: a page of another site whose name an attacker
  points at 127.0.0.1 (DNS rebinding) can neither read nor change the workbench. With a token, the token (or
  its cookie, which a browser sends only to the name it was set for) already says who may.
* Workbench pages carry a content security policy that allows scripts, styles, images and requests from the
  server's own origin only, and may not be framed.

Examples
--------
>>> same_origin({"origin": "http://127.0.0.1:8000", "host": "127.0.0.1:8000"}, "http")
True
>>> same_origin({"origin": "http://evil.example", "host": "127.0.0.1:8000"}, "http")
False
>>> host_name("[::1]:8765"), host_name("LocalHost.:80"), host_name("rebind.example:8765")
('::1', 'localhost', 'rebind.example')

"""

from __future__ import annotations

import hmac
import os
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

__all__ = ["COOKIE", "CSP", "HOST_ENV", "LOOPBACK_NAMES", "TOKEN_ENV", "Guard", "host_name", "same_origin"]

TOKEN_ENV = "FLUOROLOGIC_TOKEN"  # noqa: S105 (the name of a variable, not a secret)
COOKIE = "fluorologic_token"
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "connect-src 'self'; font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
HOST_ENV = "FLUOROLOGIC_HOST"  # the --host the server was started with (set by ``serve`` and ``workbench``)
#: The names a loopback server answers to, whatever ``--host`` says.
LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})
_OPEN = {"/healthz"}
_UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def same_origin(headers: dict[str, str], scheme: str) -> bool:
    """True when the request has no ``Origin`` header or it names the host the request was sent to."""
    origin = headers.get("origin")
    return origin is None or origin == f"{scheme}://{headers.get('host', '')}"


def host_name(value: str) -> str:
    """The host name of a ``Host`` header (or an origin's authority): lower case, without port or final dot."""
    value = value.strip().lower()
    if value.startswith("["):
        name = value[1:value.find("]")] if "]" in value else value[1:]
    else:
        name = value.rsplit(":", 1)[0] if value.count(":") == 1 else value
    return name.rstrip(".")


def _origin_name(origin: str) -> str | None:
    try:
        parts = urlsplit(origin)
    except ValueError:
        return None
    return host_name(parts.netloc) if parts.scheme in ("http", "https") and parts.netloc else None


def _cookie(headers: dict[str, str]) -> str | None:
    for part in headers.get("cookie", "").split(";"):
        name, _, value = part.strip().partition("=")
        if name == COOKIE:
            return value
    return None


class Guard:
    """ASGI middleware: see the module docstring."""

    def __init__(self, app: Any, token: str | None = None, hosts: frozenset[str] | None = None) -> None:
        self.app = app
        self.token = token
        configured = os.environ.get(HOST_ENV, "")
        self.hosts = hosts if hosts is not None else LOOPBACK_NAMES | ({host_name(configured)} if configured else set())

    def _ok(self, given: str | None) -> bool:
        return given is not None and self.token is not None and hmac.compare_digest(given.encode(), self.token.encode())

    def _known(self, headers: dict[str, str]) -> bool:
        """Whether the request's Host (and Origin, when sent) name a host this server was started for."""
        if host_name(headers.get("host", "")) not in self.hosts:
            return False
        origin = headers.get("origin")
        return origin is None or _origin_name(origin) in self.hosts

    async def _answer(self, send: Any, status: int, body: bytes, headers: list[tuple[bytes, bytes]]) -> None:
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"text/plain; charset=utf-8"), *headers]})
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        """Check the request, then pass it on (with the security headers on workbench pages)."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        workbench = path == "/" or path.startswith("/workbench")
        if self.token is None and not workbench:
            await self.app(scope, receive, send)  # the API as it was: nothing to check
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        if self.token is not None and path not in _OPEN:
            auth = headers.get("authorization", "")
            given = auth[7:] if auth.lower().startswith("bearer ") else headers.get("x-fluorologic-token")
            if not (self._ok(given) or self._ok(_cookie(headers))):
                query = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
                offered = [v for k, v in query if k == "token"]
                if scope["method"] == "GET" and offered and self._ok(offered[-1]):
                    rest = urlencode([(k, v) for k, v in query if k != "token"])
                    where = path + (f"?{rest}" if rest else "")
                    await self._answer(send, 303, b"", [
                        (b"location", where.encode("latin-1")),
                        (b"set-cookie", f"{COOKIE}={self.token}; HttpOnly; SameSite=Strict; Path=/".encode())])
                    return
                await self._answer(send, 401, b"a token is required: open the address printed by fluorologic "
                                              b"workbench, or send Authorization: Bearer TOKEN",
                                   [(b"www-authenticate", b"Bearer")])
                return
        if workbench and self.token is None and not self._known(headers):
            await self._answer(send, 403, b"this server answers to 127.0.0.1, localhost and [::1] only", [])
            return
        if workbench and scope["method"] in _UNSAFE and not same_origin(headers, scope.get("scheme", "http")):
            await self._answer(send, 403, b"cross-site request refused", [])
            return
        if not workbench:
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []),
                                                  (b"content-security-policy", CSP.encode()),
                                                  (b"x-content-type-options", b"nosniff"),
                                                  (b"referrer-policy", b"same-origin"),
                                                  (b"x-frame-options", b"DENY")]}
            await send(message)

        await self.app(scope, receive, send_with_headers)
