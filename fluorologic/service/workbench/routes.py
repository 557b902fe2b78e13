"""The workbench's routes (a FastAPI router on the API's own app): pages, the upload, CSV export, the jobs.

Examples
--------
>>> import tempfile, pathlib
>>> from fastapi import FastAPI
>>> from fastapi.testclient import TestClient
>>> wb = Workbench(pathlib.Path(tempfile.mkdtemp()) / "wb.sqlite", store=str(pathlib.Path(tempfile.mkdtemp()) / "s"))
>>> app = FastAPI()
>>> app.include_router(workbench_router(lambda: wb))
>>> TestClient(app).get("/workbench/").status_code
200

"""

from __future__ import annotations

import json
import logging
import tempfile
from collections.abc import Callable
from importlib import resources
from typing import Annotated, Any
from urllib.parse import parse_qs, quote, unquote

from fastapi import APIRouter, HTTPException, Path, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from fluorologic.contract.errors import DataError, InputError
from fluorologic.explanation.explain import explain
from fluorologic.explanation.report_html import report_context
from fluorologic.run.flat import flat_csv
from fluorologic.service.workbench import pages
from fluorologic.service.workbench.core import Workbench
from fluorologic.service.workbench.db import Filters
from fluorologic.service.workbench.review import OVERRIDE_REASONS, STATES
from fluorologic.service.workbench.templating import url
from fluorologic.service.workbench.whatif import apply_whatif, compare, edits, whatif_state

__all__ = ["MAX_ID", "MAX_UPLOAD", "REVIEWER_COOKIE", "STATIC", "workbench_router"]

log = logging.getLogger("fluorologic.service.workbench")
#: The largest batch file the page accepts (bytes).
MAX_UPLOAD = 200 * 1024 * 1024
#: The cookie that remembers the reviewer's name for the review forms.
REVIEWER_COOKIE = "fluorologic_reviewer"
#: The workbench's own static files (written here, no third-party code) and their media types.
STATIC = {"workbench.css": "text/css", "workbench.js": "text/javascript", "favicon.svg": "image/svg+xml"}


#: The largest id of a batch, an encounter or a comparison (SQLite's INTEGER): a larger one is a 422, not a 500.
MAX_ID = 2**63 - 1
#: A row id in a path.
RowId = Annotated[int, Path(ge=0, le=MAX_ID)]
#: Bytes kept in memory while an upload is read; the rest goes to a temporary file.
_SPOOL = 8 * 1024 * 1024


def _whole(text: str, most: int = MAX_ID) -> int | None:
    """A query value that is a whole number written in ASCII digits, at most ``most``; else None.

    >>> _whole("12"), _whole("\u00b2"), _whole("-1"), _whole(str(2**64))
    (12, None, None, None)

    """
    if not (text.isascii() and text.isdigit()) or len(text) > 30:
        return None
    value = int(text)
    return value if value <= most else None


def _html(text: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(text, status_code=status)


def _params(request: Request) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in request.query_params.multi_items():
        if key in ("distinct", "remove") or key.startswith("mod-"):
            out.setdefault(key, []).append(value)
        else:
            out[key] = value
    return out


def workbench_router(get: Callable[[], Workbench]) -> APIRouter:
    """The router; ``get`` gives the :class:`Workbench` (opened on first use, so the API alone never opens it)."""
    router = APIRouter(prefix=pages.BASE, include_in_schema=False)

    def batch_or_404(bid: int) -> dict[str, Any]:
        batch = get().db.batch(bid)
        if batch is None:
            raise HTTPException(404, "no such batch")
        return batch

    @router.get("/static/{name}")
    def static(name: str) -> Response:
        if name not in STATIC:
            raise HTTPException(404, "no such file")
        data = resources.files("fluorologic.service.workbench").joinpath("static", name).read_bytes()
        return Response(data, media_type=STATIC[name], headers={"Cache-Control": "no-cache"})

    @router.get("/")
    def home() -> HTMLResponse:
        wb = get()
        return _html(pages.home_page(wb.db.batches(), wb.rules))

    @router.post("/load")
    async def load(request: Request) -> JSONResponse:
        too_large = JSONResponse({"error": f"the file is larger than {MAX_UPLOAD} bytes"}, status_code=413,
                                 headers={"Connection": "close"})
        declared = _whole(request.headers.get("content-length", ""))
        if declared is not None and declared > MAX_UPLOAD:
            return too_large
        with tempfile.SpooledTemporaryFile(max_size=_SPOOL) as spool:  # the body is never held whole unchecked
            size = 0
            async for part in request.stream():
                size += len(part)
                if size > MAX_UPLOAD:
                    return too_large  # what is left of the body is not read
                spool.write(part)
            spool.seek(0)
            body = spool.read()
        name = request.query_params.get("name", "batch")[:200]
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = body.count(b"\n", 0, exc.start) + 1
            return JSONResponse({"error": f"the file is not UTF-8 text: line {line} holds byte "
                                          f"0x{body[exc.start]:02x}"}, status_code=400)
        del body
        try:
            bid = get().load(name, text)
        except InputError as err:
            return JSONResponse({"error": err.message}, status_code=400)
        log.info("workbench: batch %d loaded (%d bytes)", bid, size)
        return JSONResponse({"id": bid, "url": f"{pages.BASE}/batches/{bid}"})

    @router.get("/batches/{bid}")
    def dashboard(bid: RowId) -> HTMLResponse:
        batch = batch_or_404(bid)
        if batch["status"] == "solving":
            return _html(pages.progress_page(batch))
        return _html(pages.dashboard_page(batch, get().db.summary(bid)))

    @router.get("/batches/{bid}/progress.json")
    def progress(bid: RowId) -> dict[str, Any]:
        batch = batch_or_404(bid)
        return {k: batch[k] for k in ("status", "done", "total")}

    def listing(request: Request) -> tuple[Filters, str, bool, int]:
        p = request.query_params
        sort = p.get("sort", "seq")
        page = _whole(p.get("page", ""), 10**9) or 0
        return Filters.of(p), sort, p.get("dir") == "desc", page

    @router.get("/batches/{bid}/list")
    def encounter_list(request: Request, bid: RowId) -> HTMLResponse:
        batch = batch_or_404(bid)
        filters, sort, desc, page = listing(request)
        db = get().db
        rows, total = db.encounters(bid, filters, sort=sort, descending=desc, page=page)
        return _html(pages.list_page(batch, rows, total, filters, db.summary(bid), sort=sort, descending=desc,
                                     page=page))

    @router.get("/batches/{bid}/export.csv")
    def export(request: Request, bid: RowId) -> Response:
        batch = batch_or_404(bid)
        filters, sort, desc, _page = listing(request)
        rows, _total = get().db.encounters(bid, filters, sort=sort, descending=desc, limit=None)
        text = flat_csv([r["record"] for r in rows], spreadsheet_safe=True,
                        raws=[None if r["raw"] is None else json.loads(r["raw"]) for r in rows])
        safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in batch["name"])[:80] or "batch"
        return Response(text, media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{safe}.results.csv"'})

    def review_panel(request: Request, bid: int, seq: int, changed: bool) -> dict[str, Any] | None:
        if not changed:
            return None
        reviews = get().reviews
        return {**reviews.state(bid, seq), "actions": reviews.actions(bid, seq), "reasons": OVERRIDE_REASONS,
                "who": unquote(request.cookies.get(REVIEWER_COOKIE, ""))[:120],
                "error": request.query_params.get("review_error", "")[:300]}

    @router.get("/batches/{bid}/claims/{seq}")
    def claim(request: Request, bid: RowId, seq: RowId) -> HTMLResponse:
        batch = batch_or_404(bid)
        wb = get()
        enc = wb.db.encounter(bid, seq)
        if enc is None:
            raise HTTPException(404, "no such encounter in this batch")
        raw = enc["raw"]
        page = {"batch": batch, "enc": enc, "review": review_panel(request, bid, seq, bool(enc["changed"]))}
        if raw is None or batch["kind"] != "solve":
            return _html(pages.claim_page(**page))
        engine = wb.engine(batch["rules"])
        state = whatif_state(raw, _params(request))
        page |= {"whatif": state, "places": sorted(engine.places), "edits": edits(raw, state)}
        target = apply_whatif(raw, state) if state["applied"] else raw
        try:
            with wb.solve_lock:
                ex = explain(target, engine)
                context = report_context(ex, what_if=True)
        except InputError as err:
            if not state["applied"]:
                return _html(pages.claim_page(batch, enc, review=page["review"]))
            note = f"The changed encounter is not valid: {err.field}: {err.message}"
            return _html(pages.claim_page(**page, note=note))
        note_found = ex.solution.facts.note
        evidence = [e.to_dict() for e in note_found.evidence] if note_found is not None else []
        comparison = compare(enc["record"], ex.result) if state["applied"] else None
        return _html(pages.claim_page(**page, explanation=context, evidence=evidence, comparison=comparison))

    @router.get("/batches/{bid}/review")
    def review_queue(request: Request, bid: RowId) -> HTMLResponse:
        batch = batch_or_404(bid)
        reviews = get().reviews
        state = request.query_params.get("state", "")
        state = state if state in STATES else ""
        reviewer = request.query_params.get("reviewer", "").strip()[:120]
        return _html(pages.review_page(batch, reviews.queue(bid, state=state, reviewer=reviewer),
                                       reviews.counts(bid), reviews.reviewers(bid), state=state, reviewer=reviewer))

    @router.post("/batches/{bid}/claims/{seq}/review")
    async def review_action(request: Request, bid: RowId, seq: RowId) -> Response:
        batch_or_404(bid)
        form = {k: v[0] for k, v in parse_qs((await request.body()).decode("utf-8", "replace")).items()}
        back = f"{pages.BASE}/batches/{bid}/claims/{seq}"
        try:
            get().reviews.act(bid, seq, who=form.get("who", ""), action=form.get("action", ""),
                              reason=form.get("reason", ""), note=form.get("note", ""),
                              assignee=form.get("assignee", ""))
        except InputError as err:
            return RedirectResponse(url(back, review_error=f"{err.field}: {err.message}"), status_code=303)
        log.info("workbench: batch %d claim %d: review action recorded", bid, seq)
        done = RedirectResponse(back + "#review", status_code=303)
        who = " ".join(form.get("who", "").split())[:120]
        if who:  # the page offers the same name next time (a convenience, not an identity: see docs/workbench.md)
            done.set_cookie(REVIEWER_COOKIE, quote(who), max_age=180 * 86400, httponly=True, samesite="strict")
        return done

    @router.get("/batches/{bid}/audit.csv")
    def audit_batch(bid: RowId) -> Response:
        batch = batch_or_404(bid)
        safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in batch["name"])[:80] or "batch"
        return Response(get().reviews.export_csv(bid), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{safe}.audit.csv"'})

    @router.get("/audit.csv")
    def audit_all() -> Response:
        return Response(get().reviews.export_csv(), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": 'attachment; filename="workbench.audit.csv"'})

    @router.get("/batches/{bid}/impact")
    def impact(request: Request, bid: RowId) -> HTMLResponse:
        batch = batch_or_404(bid)
        wb = get()
        run = request.query_params.get("run", "")
        number = _whole(run)
        current = wb.db.impact(number) if number is not None else None
        if current is not None and current["batch_id"] != bid:
            current = None
        return _html(pages.impact_page(batch, wb.quarters(), wb.db.impacts(bid), current))

    @router.post("/batches/{bid}/impact")
    async def start_impact(request: Request, bid: RowId) -> Response:
        batch_or_404(bid)
        form = parse_qs((await request.body()).decode("utf-8", "replace"))
        first, second = form.get("first", [""])[0], form.get("second", [""])[0]
        try:
            iid = get().impact(bid, first, second)
        except DataError as exc:
            raise HTTPException(400, str(exc)) from None
        return RedirectResponse(f"{pages.BASE}/batches/{bid}/impact?run={iid}", status_code=303)

    @router.post("/batches/{bid}/delete")
    def delete(bid: RowId) -> Response:
        batch_or_404(bid)
        get().db.delete_batch(bid)
        log.info("workbench: batch %d deleted", bid)
        return RedirectResponse(f"{pages.BASE}/", status_code=303)

    return router
