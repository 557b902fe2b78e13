"""The workbench's own SQLite database: batches, one row per encounter (input and record), and facets to filter.

A *facet* is one searchable fact of an encounter's record (an excluded line's reason and code, an added line's,
an alert's kind, a claimed code), so that every dashboard count is one indexed query and every count's link
is the same query as a list. The database lives beside the rule store (``workbench.sqlite``) unless
``FLUOROLOGIC_WORKBENCH_DB`` names another file. Deleting a batch deletes its encounters and facets.

Examples
--------
>>> import tempfile, pathlib
>>> db = WorkbenchDB(pathlib.Path(tempfile.mkdtemp()) / "wb.sqlite")
>>> bid = db.create_batch("demo.json", rules="embedded", total=1)
>>> rec = {"encounter_id": "e1", "billable": [], "excluded": [{"code": "77002", "units": 1,
...        "reason": "ptp_bundled"}], "added": [], "alerts": [], "totals": {"billed": 10.0, "expected": 0.0}}
>>> db.add_encounters(bid, 0, [({"encounter_id": "e1", "date_of_service": "2024-08-01",
...                              "place_of_service": "11", "lines": [{"code": "77002"}]}, rec)])
>>> db.finish(bid)
>>> [e["encounter_id"] for e in db.encounters(bid, Filters(reason="ptp_bundled"))[0]]
['e1']
>>> db.delete_batch(bid); db.batch(bid) is None
True

"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any, Self

from fluorologic.contract.claim_lines import line_charges
from fluorologic.run.flat import encounter_changed

__all__ = ["PAGE", "SORTS", "Filters", "QueryFilters", "WorkbenchDB", "default_db_path"]

PAGE = 100
#: The list's sort keys and their SQL expressions.
SORTS = {"seq": "e.seq", "encounter": "e.encounter_id", "date": "e.dos", "charges": "e.charges", "billed": "e.billed",
         "expected": "e.expected", "difference": "(e.expected - e.billed)"}
_SCHEMA = """
CREATE TABLE IF NOT EXISTS batch(
  id INTEGER PRIMARY KEY, name TEXT NOT NULL, created TEXT NOT NULL, rules TEXT NOT NULL,
  status TEXT NOT NULL, total INTEGER, done INTEGER NOT NULL DEFAULT 0, message TEXT, kind TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS encounter(
  batch_id INTEGER NOT NULL REFERENCES batch(id) ON DELETE CASCADE, seq INTEGER NOT NULL,
  encounter_id TEXT, claim_id TEXT, dos TEXT, pos TEXT, changed INTEGER NOT NULL, error INTEGER NOT NULL,
  billed REAL NOT NULL, expected REAL NOT NULL, raw TEXT, record TEXT NOT NULL, PRIMARY KEY(batch_id, seq));
CREATE TABLE IF NOT EXISTS facet(
  batch_id INTEGER NOT NULL REFERENCES batch(id) ON DELETE CASCADE, seq INTEGER NOT NULL,
  kind TEXT NOT NULL, value TEXT NOT NULL, n INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS facet_by_value ON facet(batch_id, kind, value, seq);
CREATE INDEX IF NOT EXISTS facet_by_seq ON facet(batch_id, seq);
CREATE TABLE IF NOT EXISTS impact(
  id INTEGER PRIMARY KEY, batch_id INTEGER NOT NULL REFERENCES batch(id) ON DELETE CASCADE,
  first TEXT NOT NULL, second TEXT NOT NULL, created TEXT NOT NULL, status TEXT NOT NULL,
  done INTEGER NOT NULL DEFAULT 0, total INTEGER NOT NULL, message TEXT, result TEXT);
CREATE TABLE IF NOT EXISTS review_action(
  id INTEGER PRIMARY KEY, batch_id INTEGER NOT NULL, batch TEXT NOT NULL, seq INTEGER NOT NULL, at TEXT NOT NULL,
  who TEXT NOT NULL, action TEXT NOT NULL, reason TEXT, note TEXT, state_before TEXT NOT NULL,
  state_after TEXT NOT NULL, assignee TEXT, encounter_id TEXT, claim_id TEXT, rules TEXT, rule_quarter TEXT,
  rule_release TEXT, rule_sha256 TEXT);
CREATE INDEX IF NOT EXISTS review_by_claim ON review_action(batch_id, seq, id);
"""
#: Columns added to ``batch`` since the first schema (a database made before them gains them when opened).
_BATCH_ADDED = {"rule_quarter": "TEXT", "rule_release": "TEXT", "rule_sha256": "TEXT", "rule_data": "TEXT"}
#: Columns added to ``encounter`` since then: the claim's submitted charges (SV102 / ``claim.charges``), or NULL.
_ENCOUNTER_ADDED = {"charges": "REAL"}
_ENCOUNTER_COLUMNS = ("batch_id", "seq", "encounter_id", "claim_id", "dos", "pos", "changed", "error", "billed",
                      "expected", "raw", "record", "charges")
#: Facet kinds: what a dashboard counts and a list filters by.
FACETS = ("reason", "excluded_code", "added_reason", "added_code", "alert", "code")


def _charges(raw: Any) -> float | None:
    """The encounter's submitted charges (the sum of its lines' SV102 or ``claim.charges``), None when none given."""
    known = [c for c in line_charges(raw) if c is not None]
    return round(sum(known), 2) if known else None


def default_db_path(store_file: Path) -> Path:
    """``$FLUOROLOGIC_WORKBENCH_DB``, else ``workbench.sqlite`` in the rule store's folder."""
    env = os.environ.get("FLUOROLOGIC_WORKBENCH_DB")
    return Path(env) if env else store_file.parent / "workbench.sqlite"


class QueryFilters:
    """A page's filters as a frozen dataclass of strings, read from query parameters (mixed into the dataclass)."""

    #: The longest value kept of one parameter.
    MAX_VALUE = 200

    @classmethod
    def of(cls, params: Any) -> Self:
        """Filters from a mapping of query parameters (unknown keys ignored, values stripped and cut)."""
        return cls(**{f.name: str(params.get(f.name) or "").strip()[:cls.MAX_VALUE]  # type: ignore[arg-type]
                      for f in fields(cls)})  # type: ignore[arg-type]

    def items(self) -> list[tuple[str, str]]:
        """The filters that are set, as (name, value) pairs."""
        return [(k, v) for k, v in asdict(self).items() if v]  # type: ignore[call-overload]


@dataclass(frozen=True)
class Filters(QueryFilters):
    """The list's filters (all optional): each maps to one query parameter of the same name."""

    reason: str = ""
    excluded_code: str = ""
    added_reason: str = ""
    added_code: str = ""
    alert: str = ""
    code: str = ""
    pos: str = ""
    date_from: str = ""
    date_to: str = ""
    changed: str = ""
    error: str = ""
    q: str = ""

    def where(self, bid: int) -> tuple[str, list[Any]]:
        """The SQL condition on ``encounter e`` and its parameters."""
        conds, args = ["e.batch_id = ?"], [bid]
        for kind in FACETS:
            value = getattr(self, kind)
            if value:
                conds.append("EXISTS (SELECT 1 FROM facet f WHERE f.batch_id = e.batch_id AND f.seq = e.seq "
                             "AND f.kind = ? AND f.value = ?)")
                args += [kind, value]
        if self.pos:
            conds.append("e.pos = ?")
            args.append(self.pos)
        if self.date_from:
            conds.append("e.dos >= ?")
            args.append(self.date_from)
        if self.date_to:
            conds.append("e.dos <= ?")
            args.append(self.date_to)
        if self.changed in ("yes", "no"):
            conds.append("e.changed = ?")
            args.append(int(self.changed == "yes"))
        if self.error in ("yes", "no"):
            conds.append("e.error = ?")
            args.append(int(self.error == "yes"))
        if self.q:
            conds.append("(e.encounter_id LIKE ? ESCAPE '\\' OR e.claim_id LIKE ? ESCAPE '\\')")
            like = "%" + self.q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            args += [like, like]
        return " AND ".join(conds), args


def _facets(raw: Any, rec: dict[str, Any]) -> Iterator[tuple[str, str]]:
    if "error" in rec:
        return
    for e in rec.get("excluded", ()):
        yield "reason", e["reason"]
        yield "excluded_code", e["code"]
    for a in rec.get("added", ()):
        yield "added_reason", a["reason"]
        yield "added_code", a["code"]
    for a in rec.get("alerts", ()):
        yield "alert", a["kind"]
    claimed = [ln.get("code") for ln in raw.get("lines", ()) if isinstance(ln, dict)] if isinstance(raw, dict) else []
    for code in {c for c in claimed if isinstance(c, str)} | {b["code"] for b in rec.get("billable", ())}:
        yield "code", code


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


class WorkbenchDB:
    """The workbench database (one connection per call: safe from any thread)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._conn() as c:
            c.executescript(_SCHEMA)
            have = {r["name"] for r in c.execute("PRAGMA table_info(batch)")}
            for name, kind in _BATCH_ADDED.items():
                if name not in have:
                    c.execute(f"ALTER TABLE batch ADD COLUMN {name} {kind}")
            have = {r["name"] for r in c.execute("PRAGMA table_info(encounter)")}
            for name, kind in _ENCOUNTER_ADDED.items():
                if name not in have:
                    c.execute(f"ALTER TABLE encounter ADD COLUMN {name} {kind}")

    def connect(self) -> Any:
        """A connection in a transaction (committed on leaving the ``with`` block), for the review log."""
        return self._conn()

    @contextmanager
    def _conn(self) -> Iterator[sqlite3.Connection]:
        conn = sqlite3.connect(self.path, timeout=30)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA journal_mode = WAL")
        try:
            with conn:
                yield conn
        finally:
            conn.close()

    def create_batch(self, name: str, *, rules: str, total: int | None, kind: str = "solve",
                     rule_data: dict[str, Any] | None = None) -> int:
        """A new batch in state ``solving``; its id.

        ``rule_data`` is the identity of its rule data (quarter, release, sha256:
        :mod:`fluorologic.service.workbench.provenance`).
        """
        now = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        ident = rule_data or {}
        with self._conn() as c:
            cur = c.execute("INSERT INTO batch(name, created, rules, status, total, kind, rule_quarter, rule_release, "
                            "rule_sha256, rule_data) VALUES (?,?,?,?,?,?,?,?,?,?)",
                            (name[:200], now, rules, "solving", total, kind, ident.get("quarter"),
                             ident.get("release"), ident.get("sha256"),
                             json.dumps(ident) if rule_data is not None else None))
            return int(cur.lastrowid or 0)

    def add_encounters(self, bid: int, start: int, pairs: Iterable[tuple[Any, dict[str, Any]]]) -> None:
        """Store (input, record) pairs from position ``start`` on, and count them as done."""
        rows, facets = [], []
        seq = start
        for raw, rec in pairs:
            totals = rec.get("totals") or {}
            claim = rec.get("claim") or (raw.get("claim") if isinstance(raw, dict) else None) or {}
            get = raw.get if isinstance(raw, dict) else (lambda _k: None)
            rows.append((bid, seq, _text(rec.get("encounter_id")) or _text(get("encounter_id")),
                         _text(claim.get("claim_id")) if isinstance(claim, dict) else None,
                         _text(get("date_of_service")), _text(get("place_of_service")),
                         int(encounter_changed(rec)), int("error" in rec), float(totals.get("billed") or 0),
                         float(totals.get("expected") or 0),
                         None if raw is None else json.dumps(raw, ensure_ascii=False), json.dumps(rec),
                         _charges(raw)))
            counts: dict[tuple[str, str], int] = {}
            for key in _facets(raw, rec):
                counts[key] = counts.get(key, 0) + 1
            facets += [(bid, seq, k, v, n) for (k, v), n in counts.items()]
            seq += 1
        with self._conn() as c:
            c.executemany(f"INSERT INTO encounter({', '.join(_ENCOUNTER_COLUMNS)}) "  # noqa: S608 (constant names)
                          f"VALUES ({', '.join('?' * len(_ENCOUNTER_COLUMNS))})", rows)
            c.executemany("INSERT INTO facet VALUES (?,?,?,?,?)", facets)
            c.execute("UPDATE batch SET done = done + ? WHERE id = ?", (len(rows), bid))

    def finish(self, bid: int, status: str = "done", message: str | None = None) -> None:
        """Mark the batch solved (or ``failed`` with a message)."""
        with self._conn() as c:
            c.execute("UPDATE batch SET status = ?, message = ?, total = COALESCE(total, done) WHERE id = ?",
                      (status, message, bid))

    def batches(self) -> list[dict[str, Any]]:
        """Every batch, newest first."""
        with self._conn() as c:
            return [dict(r) for r in c.execute("SELECT * FROM batch ORDER BY id DESC")]

    def batch(self, bid: int) -> dict[str, Any] | None:
        """One batch, or None."""
        with self._conn() as c:
            row = c.execute("SELECT * FROM batch WHERE id = ?", (bid,)).fetchone()
            return dict(row) if row else None

    def create_impact(self, bid: int, first: str, second: str, total: int) -> int:
        """A new quarter comparison of batch ``bid`` in state ``solving``; its id."""
        now = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        with self._conn() as c:
            cur = c.execute("INSERT INTO impact(batch_id, first, second, created, status, total) VALUES (?,?,?,?,?,?)",
                            (bid, first, second, now, "solving", total))
            return int(cur.lastrowid or 0)

    def impact_progress(self, iid: int, done: int) -> None:
        """Record how many encounters (both sides counted) the comparison has solved."""
        with self._conn() as c:
            c.execute("UPDATE impact SET done = ? WHERE id = ?", (done, iid))

    def finish_impact(self, iid: int, result: dict[str, Any] | None, message: str | None = None) -> None:
        """Store the comparison's result (or fail it with a message)."""
        with self._conn() as c:
            c.execute("UPDATE impact SET status = ?, message = ?, result = ?, done = total WHERE id = ?",
                      ("done" if result is not None else "failed", message,
                       None if result is None else json.dumps(result), iid))

    def impact(self, iid: int) -> dict[str, Any] | None:
        """One comparison (``result`` decoded), or None."""
        with self._conn() as c:
            row = c.execute("SELECT * FROM impact WHERE id = ?", (iid,)).fetchone()
        if row is None:
            return None
        out = dict(row)
        out["result"] = None if out["result"] is None else json.loads(out["result"])
        return out

    def impacts(self, bid: int) -> list[dict[str, Any]]:
        """The comparisons run on batch ``bid``, newest first (without their results)."""
        with self._conn() as c:
            return [dict(r) for r in c.execute("SELECT id, batch_id, first, second, created, status, done, total "
                                               "FROM impact WHERE batch_id = ? ORDER BY id DESC", (bid,))]

    def delete_batch(self, bid: int) -> None:
        """Delete the batch, its encounters, facets and comparisons."""
        with self._conn() as c:
            c.execute("DELETE FROM impact WHERE batch_id = ?", (bid,))
            c.execute("DELETE FROM facet WHERE batch_id = ?", (bid,))
            c.execute("DELETE FROM encounter WHERE batch_id = ?", (bid,))
            c.execute("DELETE FROM batch WHERE id = ?", (bid,))

    def summary(self, bid: int) -> dict[str, Any]:
        """The dashboard's counts: encounters, changed, errors, totals, and lines / encounters per facet value."""
        with self._conn() as c:
            head = dict(c.execute("SELECT COUNT(*) AS encounters, COALESCE(SUM(changed), 0) AS changed, "
                                  "COALESCE(SUM(error), 0) AS errors, COALESCE(SUM(billed), 0) AS billed, "
                                  "COALESCE(SUM(expected), 0) AS expected, SUM(charges) AS charges, "
                                  "COUNT(charges) AS with_charges FROM encounter WHERE batch_id = ?",
                                  (bid,)).fetchone())
            facets: dict[str, list[dict[str, Any]]] = {k: [] for k in FACETS}
            for r in c.execute("SELECT kind, value, SUM(n) AS lines, COUNT(*) AS encounters FROM facet "
                               "WHERE batch_id = ? GROUP BY kind, value ORDER BY kind, lines DESC, value", (bid,)):
                facets[r["kind"]].append({"value": r["value"], "lines": r["lines"], "encounters": r["encounters"]})
            places = [dict(r) for r in c.execute("SELECT pos AS value, COUNT(*) AS encounters FROM encounter "
                                                 "WHERE batch_id = ? AND pos IS NOT NULL GROUP BY pos ORDER BY pos",
                                                 (bid,))]
        return {**head, "facets": facets, "places": places}

    def encounters(self, bid: int, filters: Filters, *, sort: str = "seq", descending: bool = False,
                   page: int = 0, limit: int | None = PAGE) -> tuple[list[dict[str, Any]], int]:
        """The filtered encounters (a page of them; ``limit=None`` for all) and how many match."""
        where, args = filters.where(bid)
        order = f"{SORTS.get(sort, 'e.seq')} {'DESC' if descending else 'ASC'}, e.seq"
        with self._conn() as c:
            total = c.execute(f"SELECT COUNT(*) FROM encounter e WHERE {where}", args).fetchone()[0]  # noqa: S608
            sql = f"SELECT e.* FROM encounter e WHERE {where} ORDER BY {order}"  # noqa: S608
            if limit is not None:
                sql += f" LIMIT {int(limit)} OFFSET {int(page) * int(limit)}"
            rows = [dict(r) for r in c.execute(sql, args)]
        for r in rows:
            r["record"] = json.loads(r["record"])
        return rows, total

    def encounter(self, bid: int, seq: int) -> dict[str, Any] | None:
        """One stored encounter (``raw`` and ``record`` decoded), or None."""
        with self._conn() as c:
            row = c.execute("SELECT * FROM encounter WHERE batch_id = ? AND seq = ?", (bid, seq)).fetchone()
        if row is None:
            return None
        out = dict(row)
        out["raw"] = None if out["raw"] is None else json.loads(out["raw"])
        out["record"] = json.loads(out["record"])
        return out

    def raws(self, bid: int) -> list[Any]:
        """The batch's inputs in order (None where only a result was loaded)."""
        with self._conn() as c:
            return [None if r[0] is None else json.loads(r[0])
                    for r in c.execute("SELECT raw FROM encounter WHERE batch_id = ? ORDER BY seq", (bid,))]
