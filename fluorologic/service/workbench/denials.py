"""The workbench's Denials page: upload a claim file and the payer's 835, see why lines were denied or paid.

``/workbench/denials`` takes the pair (a plain multipart form: the claims, as an 837P, FHIR Claims or JSON
encounters, and the X12 835), reconciles it (:mod:`fluorologic.reconcile`, the rules the workbench solves
under) and keeps it in the workbench's database. A reconciliation's page shows the counts and dollars by
verdict at the top (appealable billed dollars, paid dollars at risk), then the rows, filterable by verdict,
payer reason family, CARC and code; each row opens its claim, where the payer's codes stand beside
fluorologic's decision, reason and citation; the filtered rows export as CSV.

Examples
--------
>>> import tempfile, pathlib
>>> store = DenialStore(pathlib.Path(tempfile.mkdtemp()) / "wb.sqlite")
>>> rid = store.add("pair", "embedded", {"rows": [{"verdict": "appeal_candidate", "code": "77002",
...                 "payer_reason_family": "bundling", "adjustments": [{"group": "CO", "reason": "97"}]}],
...                 "summary": {}, "errors": []})
>>> [r["code"] for r in store.get(rid)["rows"]], DenialFilters(carc="CO-97").keep(store.get(rid)["rows"][0])
(['77002'], True)

"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sqlite3
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from fluorologic.contract.errors import InputError
from fluorologic.reconcile.families import TABLE
from fluorologic.reconcile.reconcile import VERDICTS, Reconciliation
from fluorologic.reconcile.render import rows_csv
from fluorologic.service.reconcile_api import answer, parts
from fluorologic.service.workbench.core import Workbench
from fluorologic.service.workbench.db import QueryFilters
from fluorologic.service.workbench.templating import BASE, render, url

__all__ = ["DenialFilters", "DenialStore", "claim_page", "denials_router", "home_page", "list_page", "summary_of"]

log = logging.getLogger("fluorologic.service.workbench")
#: The largest pair of files the page accepts (bytes, together).
MAX_UPLOAD = 200 * 1024 * 1024

_SCHEMA = """
CREATE TABLE IF NOT EXISTS reconciliation(
  id INTEGER PRIMARY KEY, name TEXT NOT NULL, created TEXT NOT NULL, rules TEXT NOT NULL, body TEXT NOT NULL);
"""


class DenialStore:
    """The reconciliations kept, in a table of their own in the workbench's SQLite file."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        with closing(self._connect()) as con, con:
            con.executescript(_SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=30)

    def add(self, name: str, rules: str, body: dict[str, Any]) -> int:
        """Keep a reconciliation (its rows, summary, errors ...); return its id."""
        created = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        with closing(self._connect()) as con, con:
            cur = con.execute("INSERT INTO reconciliation(name, created, rules, body) VALUES (?, ?, ?, ?)",
                              (name[:200], created, rules, json.dumps(body)))
            return int(cur.lastrowid or 0)

    def get(self, rid: int) -> dict[str, Any] | None:
        """A reconciliation by id, or None."""
        with closing(self._connect()) as con:
            row = con.execute("SELECT id, name, created, rules, body FROM reconciliation WHERE id = ?",
                              (rid,)).fetchone()
        if row is None:
            return None
        return {"id": row[0], "name": row[1], "created": row[2], "rules": row[3], **json.loads(row[4])}

    def all(self) -> list[dict[str, Any]]:
        """Every reconciliation kept, newest first, with its summary."""
        with closing(self._connect()) as con:
            rows = con.execute("SELECT id, name, created, rules, body FROM reconciliation ORDER BY id DESC").fetchall()
        return [{"id": r[0], "name": r[1], "created": r[2], "rules": r[3], "summary": json.loads(r[4])["summary"]}
                for r in rows]

    def delete(self, rid: int) -> None:
        """Forget a reconciliation."""
        with closing(self._connect()) as con, con:
            con.execute("DELETE FROM reconciliation WHERE id = ?", (rid,))


def carcs(row: dict[str, Any]) -> list[str]:
    """The row's CARCs as group-reason (``CO-97``)."""
    return [f"{a['group']}-{a['reason']}" for a in row.get("adjustments") or []]


@dataclass(frozen=True)
class DenialFilters(QueryFilters):
    """The list's filters: verdict, payer reason family, CARC (``CO-97`` or ``97``) and code."""

    MAX_VALUE = 40
    verdict: str = ""
    family: str = ""
    carc: str = ""
    code: str = ""

    def keep(self, row: dict[str, Any]) -> bool:
        """True when the row passes every filter that is set."""
        if self.verdict and row.get("verdict") != self.verdict:
            return False
        if self.family and (row.get("payer_reason_family") or "") != self.family:
            return False
        if self.carc:
            codes = carcs(row)
            if self.carc not in codes and self.carc not in [c.split("-", 1)[1] for c in codes]:
                return False
        return not self.code or row.get("code") == self.code


def summary_of(rec: Reconciliation) -> dict[str, Any]:
    """What is kept of a reconciliation: everything the pages show."""
    return {"rows": rec.rows, "summary": rec.summary, "errors": rec.errors, "warnings": rec.warnings,
            "provider_adjustments": rec.provider_adjustments, "notes": rec.notes}


def facets(rows: list[dict[str, Any]]) -> dict[str, list[str]]:
    """The values each filter can take in these rows."""
    return {"verdict": [v for v in VERDICTS if any(r["verdict"] == v for r in rows)],
            "family": sorted({r["payer_reason_family"] for r in rows if r.get("payer_reason_family")}),
            "carc": sorted({c for r in rows for c in carcs(r)}),
            "code": sorted({r["code"] for r in rows if r.get("code")})}


def family_words(family: str | None) -> str:
    """The team's own wording of a payer reason family."""
    return TABLE.families.get(family or "", "")


def _url(rid: int, sub: str = "", /, **params: Any) -> str:
    return url(f"{BASE}/denials/{rid}/{sub}".rstrip("/"), **params)


def _row_view(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "carcs": carcs(row), "family_words": family_words(row.get("payer_reason_family"))}


def home_page(kept: list[dict[str, Any]], rules: str, error: str = "") -> str:
    """The upload form and the reconciliations kept."""
    return render("denials_home.html", title="Denials", batch=None, refresh=False, kept=kept, rules=rules,
                  error=error)


def list_page(rec: dict[str, Any], filters: DenialFilters) -> str:
    """Counts and dollars by verdict, then the rows that pass the filters, each a link to its claim."""
    rid = rec["id"]
    rows = [_row_view(r) for r in rec["rows"] if filters.keep(r)]
    return render("denials.html", title=f"Denials: {rec['name']}", batch=None, refresh=False, rec=rec,
                  s=rec["summary"], rows=rows, filters=filters, facets=facets(rec["rows"]), verdicts=VERDICTS,
                  link=lambda sub="", **p: _url(rid, sub, **p),
                  export_link=_url(rid, "export.csv", **dict(filters.items())))


def claim_page(rec: dict[str, Any], claim_id: str) -> str | None:
    """One claim's lines: the payer's codes beside fluorologic's decision, reason and citation (None: no such)."""
    rows = [_row_view(r) for r in rec["rows"] if r["claim_id"] == claim_id]
    if not rows:
        return None
    return render("denials_claim.html", title=f"Claim {claim_id}", batch=None, refresh=False, rec=rec, rows=rows,
                  claim_id=claim_id, back=_url(rec["id"]))


def denials_router(get: Callable[[], Workbench]) -> APIRouter:
    """The Denials pages under ``/workbench/denials`` (``get`` gives the :class:`Workbench`)."""
    router = APIRouter(prefix=f"{BASE}/denials", include_in_schema=False)
    stores: list[DenialStore] = []

    def store() -> DenialStore:
        if not stores:
            stores.append(DenialStore(get().db.path))
        return stores[0]

    def kept(rid: int) -> dict[str, Any]:
        rec = store().get(rid)
        if rec is None:
            raise HTTPException(404, "no such reconciliation")
        return rec

    @router.get("")
    @router.get("/")
    def home() -> HTMLResponse:
        return HTMLResponse(home_page(store().all(), get().rules))

    @router.post("/load")
    async def load(request: Request) -> Response:
        declared = request.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > MAX_UPLOAD:
            return _error(413, f"the files are larger than {MAX_UPLOAD} bytes together")
        body = await request.body()
        try:
            fields_ = parts(body, request.headers.get("content-type", ""))
        except InputError as err:
            return _error(400, f"{err.field}: {err.message}")
        wb = get()
        rules = wb.rules

        def run() -> Reconciliation:
            with wb.solve_lock:
                return answer(fields_, wb.engine(rules))

        rec = await run_in_threadpool(run)
        name = request.query_params.get("name") or f"reconciliation of {len(rec.rows)} lines"
        rid = store().add(name, rules, summary_of(rec))
        log.info("workbench: reconciliation %d kept (%d rows)", rid, len(rec.rows))
        return RedirectResponse(_url(rid), status_code=303)

    @router.get("/{rid}")
    def page(request: Request, rid: int) -> HTMLResponse:
        return HTMLResponse(list_page(kept(rid), DenialFilters.of(request.query_params)))

    @router.get("/{rid}/export.csv")
    def export(request: Request, rid: int) -> Response:
        rec = kept(rid)
        filters = DenialFilters.of(request.query_params)
        text = rows_csv([r for r in rec["rows"] if filters.keep(r)], spreadsheet_safe=True)
        return Response(text, media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="denials-{rid}.csv"'})

    @router.get("/{rid}/claims/{claim_id:path}")
    def claim(rid: int, claim_id: str) -> HTMLResponse:
        text = claim_page(kept(rid), claim_id)
        if text is None:
            raise HTTPException(404, "no such claim in this reconciliation")
        return HTMLResponse(text)

    @router.post("/{rid}/delete")
    def delete(rid: int) -> Response:
        store().delete(rid)
        return RedirectResponse(f"{BASE}/denials/", status_code=303)

    return router


def _error(status: int, message: str) -> HTMLResponse:
    return HTMLResponse(home_page([], "", error=message), status_code=status)
