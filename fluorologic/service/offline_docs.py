"""``/docs`` and ``/redoc`` served offline: Swagger UI and ReDoc from an installed package, never a CDN.

FastAPI's default pages load Swagger UI, ReDoc, a favicon and Google Fonts from remote hosts, so they are blank
on a machine without internet. The PyPI package ``fastapi-offline`` ships the Swagger UI and ReDoc bundles
(``swagger-ui-bundle.js``, ``swagger-ui.css``, ``redoc.standalone.js``, ``favicon.png``); this module serves
those files from the installed package at ``/docs/assets/`` and replaces the two pages with ones that point
there (nothing is copied into this repository). Where the package is missing, both pages fall back to a
small page written here that lists the operations of ``/openapi.json``, with no script at all.

Examples
--------
>>> from fastapi import FastAPI
>>> from fastapi.testclient import TestClient
>>> app = FastAPI()
>>> serve_docs_offline(app)
>>> page = TestClient(app).get("/docs").text
>>> "cdn." not in page and "/docs/assets/" in page
True

"""

from __future__ import annotations

import html
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

from fastapi import FastAPI, HTTPException
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, Response

__all__ = ["ASSETS", "DOCS_CSP", "asset_dir", "serve_docs_offline"]

#: The files served from the installed package, and their media types.
ASSETS = {"swagger-ui-bundle.js": "text/javascript", "swagger-ui.css": "text/css",
          "redoc.standalone.js": "text/javascript", "favicon.png": "image/png"}
_PREFIX = "/docs/assets"
#: Both pages may load nothing from anywhere but this server (ReDoc's sidebar logo points at its CDN: blocked).
DOCS_CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data:; font-src 'self' data:; worker-src 'self' blob:; connect-src 'self'; "
            "frame-ancestors 'none'; base-uri 'none'")


def _local(page: HTMLResponse) -> HTMLResponse:
    page.headers["Content-Security-Policy"] = DOCS_CSP
    return page


def asset_dir() -> Traversable | None:
    """The installed package's static folder, or None when ``fastapi-offline`` is not installed."""
    try:
        folder = resources.files("fastapi_offline").joinpath("static")
    except ModuleNotFoundError:
        return None
    return folder if folder.joinpath("swagger-ui-bundle.js").is_file() else None


def _fallback(app: FastAPI) -> str:
    spec = app.openapi()
    rows = []
    for path, ops in sorted(spec.get("paths", {}).items()):
        for method, op in ops.items():
            rows.append(f"<tr><td><code>{html.escape(method.upper())}</code></td><td><code>{html.escape(path)}</code>"
                        f"</td><td>{html.escape(op.get('summary') or '')}</td>"
                        f"<td>{html.escape((op.get('description') or '').split(chr(10))[0])}</td></tr>")
    title = html.escape(spec.get("info", {}).get("title", "API"))
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{title} - API</title></head>"
            f"<body style='font-family:sans-serif;margin:24px'><h1>{title}</h1><p>The interactive pages need the "
            "package <code>fastapi-offline</code>; the full description is <a href='/openapi.json'>/openapi.json"
            "</a>.</p><table border='1' cellpadding='4' style='border-collapse:collapse'><tr><th>method</th>"
            f"<th>path</th><th>summary</th><th>description</th></tr>{''.join(rows)}</table></body></html>")


def serve_docs_offline(app: FastAPI) -> None:
    """Replace ``app``'s ``/docs`` and ``/redoc`` with pages whose every asset is served by ``app`` itself."""
    drop = {app.docs_url, app.redoc_url, app.swagger_ui_oauth2_redirect_url}
    app.router.routes[:] = [r for r in app.router.routes if getattr(r, "path", None) not in drop]
    folder = asset_dir()
    openapi_url = app.openapi_url or "/openapi.json"
    title = app.title

    @app.get(f"{_PREFIX}/{{name}}", include_in_schema=False)
    def docs_asset(name: str) -> Response:
        if folder is None or name not in ASSETS:
            raise HTTPException(404, "no such file")
        return Response(folder.joinpath(name).read_bytes(), media_type=ASSETS[name],
                        headers={"Cache-Control": "max-age=86400"})

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        if folder is None:
            return _local(HTMLResponse(_fallback(app)))
        params: dict[str, Any] = {"validatorUrl": None}
        return _local(get_swagger_ui_html(openapi_url=openapi_url, title=f"{title} - Swagger UI",
                                   swagger_js_url=f"{_PREFIX}/swagger-ui-bundle.js",
                                   swagger_css_url=f"{_PREFIX}/swagger-ui.css",
                                   swagger_favicon_url=f"{_PREFIX}/favicon.png", swagger_ui_parameters=params))

    @app.get("/redoc", include_in_schema=False)
    def redoc() -> HTMLResponse:
        if folder is None:
            return _local(HTMLResponse(_fallback(app)))
        return _local(get_redoc_html(openapi_url=openapi_url, title=f"{title} - ReDoc",
                              redoc_js_url=f"{_PREFIX}/redoc.standalone.js",
                              redoc_favicon_url=f"{_PREFIX}/favicon.png", with_google_fonts=False))
