"""The analyst's workbench: batches, dashboards, lists, claim pages with what-if, quarter impact (docs/workbench.md).

:func:`mount_workbench` adds it to the API's FastAPI app: the pages under ``/workbench/`` (``/`` leads there),
``/docs`` and ``/redoc`` served offline (:mod:`fluorologic.service.offline_docs`), and the guard
(:mod:`fluorologic.service.workbench.guard`): a token on every request when one is set, same-origin form posts,
and a content security policy that lets a page load nothing from anywhere but the server itself.
"""

from __future__ import annotations

import os
import threading

from fastapi import FastAPI
from fastapi.responses import RedirectResponse

from fluorologic.rules.source import store_path
from fluorologic.service.offline_docs import serve_docs_offline
from fluorologic.service.workbench.core import Workbench
from fluorologic.service.workbench.db import default_db_path
from fluorologic.service.workbench.denials import denials_router
from fluorologic.service.workbench.guard import TOKEN_ENV, Guard
from fluorologic.service.workbench.pages import BASE
from fluorologic.service.workbench.routes import workbench_router

__all__ = ["TOKEN_ENV", "Workbench", "mount_workbench"]


def mount_workbench(app: FastAPI, *, store: str | None = None, as_of_quarter: str | None = None,
                    db_path: str | None = None, token: str | None = None) -> None:
    """Serve the workbench, offline API docs and the guard on ``app``.

    Parameters
    ----------
    app
        The API's application.
    store, as_of_quarter
        The rule data new batches are solved under (as ``fluorologic serve`` was given them).
    db_path
        The workbench database [default: ``$FLUOROLOGIC_WORKBENCH_DB`` or ``workbench.sqlite`` beside the store].
    token
        Required on every request but ``/healthz`` when set [default: ``$FLUOROLOGIC_TOKEN``].

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from fastapi.testclient import TestClient
    >>> app = FastAPI()
    >>> mount_workbench(app, db_path=str(pathlib.Path(tempfile.mkdtemp()) / "wb.sqlite"), token="s3cret")
    >>> client = TestClient(app)
    >>> client.get("/workbench/").status_code, client.get("/workbench/", headers={"X-Fluorologic-Token": "s3cret"}
    ...                                                    ).status_code
    (401, 200)

    """
    opened: list[Workbench] = []
    lock = threading.Lock()

    def get() -> Workbench:
        with lock:
            if not opened:
                path = db_path or str(default_db_path(store_path(store)))
                opened.append(Workbench(path, store=store, as_of_quarter=as_of_quarter))
            return opened[0]

    serve_docs_offline(app)
    app.include_router(workbench_router(get))
    app.include_router(denials_router(get))
    app.state.workbench = get

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse(f"{BASE}/", status_code=307)

    app.add_middleware(Guard, token=token if token is not None else os.environ.get(TOKEN_ENV) or None)
