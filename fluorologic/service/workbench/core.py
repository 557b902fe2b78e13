"""The workbench's state and jobs: the database, the engines per rule set, and solving in the background.

A loaded batch is solved on a background thread, 64 encounters at a time, each chunk stored as soon as it is
solved (so the page can show progress and an analyst can leave and come back). A file of results written by
``fluorologic solve`` is stored as it is, without solving. A quarter comparison is a job of the same kind.

Examples
--------
>>> import tempfile, pathlib, time
>>> wb = Workbench(pathlib.Path(tempfile.mkdtemp()) / "wb.sqlite", store=str(pathlib.Path(tempfile.mkdtemp()) / "s"))
>>> bid = wb.load("one.json", '{"encounter_id": "k", "date_of_service": "2024-08-01", "place_of_service": "11", '
...               '"lines": [{"code": "20610"}, {"code": "77002"}]}')
>>> wb.wait(bid)["status"], wb.db.summary(bid)["encounters"]
('done', 1)

"""

from __future__ import annotations

import io
import logging
import threading
import time
from pathlib import Path
from typing import Any

from fluorologic.contract.errors import DataError, FluorologicError, InputError
from fluorologic.engine.records import solve_chunk
from fluorologic.engine.solver import Engine
from fluorologic.rules.source import rule_source, store_path
from fluorologic.rules.store import RuleStore
from fluorologic.run.compare import EMBEDDED, compare_records, engine_for, side_name
from fluorologic.run.inputs import input_kind, read_inputs
from fluorologic.run.streaming import open_input
from fluorologic.service.workbench.db import WorkbenchDB
from fluorologic.service.workbench.provenance import rule_identity
from fluorologic.service.workbench.review import ReviewLog

__all__ = ["CHUNK", "Workbench", "parse_upload"]

log = logging.getLogger("fluorologic.service.workbench")
CHUNK = 64


def parse_upload(name: str, text: str) -> tuple[str, list[Any]]:
    """The kind (``solve`` for encounters, ``results`` for records written by ``solve``) and the items.

    Encounters come in any input ``solve`` reads (:mod:`fluorologic.run.inputs`): JSON, JSON Lines, a
    claim-line CSV, an X12 837P interchange (``.837``, ``.edi``, ``.x12`` or any name) or FHIR R4 Claims.

    Raises
    ------
    InputError
        The file is empty or not JSON, JSON Lines, a claim-line CSV, X12 837P or FHIR R4 Claims.

    Examples
    --------
    >>> parse_upload("r.jsonl", '{"schema_version": "1", "encounter_id": "a", "billable": []}')[0]
    'results'

    """
    kind = input_kind(text, name)
    if kind in ("x12", "fhir"):  # one encounter per claim and date of service
        return "solve", read_inputs(text, name=name, from_format=kind)
    _shape, items = open_input(io.StringIO(text.lstrip("\ufeff")), csv_input=kind == "csv")
    items = list(items)
    first = next((i for i in items if isinstance(i, dict)), None)
    if first is not None and "schema_version" in first and "date_of_service" not in first:
        return "results", items
    return "solve", items


class Workbench:
    """The database, the rule sets and the background jobs of one server process."""

    def __init__(self, db_path: str | Path, *, store: str | None = None, as_of_quarter: str | None = None) -> None:
        self.db = WorkbenchDB(db_path)
        self.reviews = ReviewLog(self.db)
        self.store = store
        self.as_of_quarter = as_of_quarter
        self._engines: dict[str, Engine] = {}
        self._lock = threading.Lock()
        self.solve_lock = threading.Lock()  # one job solves at a time (the machine's cores are the API's too)
        self._threads: list[threading.Thread] = []

    @property
    def rules(self) -> str:
        """The rule set new batches are solved under: ``embedded``, ``store`` or ``store as of QUARTER``."""
        if self.as_of_quarter:
            return f"store as of {side_name(self.as_of_quarter)}"
        opened = RuleStore.open_existing(store_path(self.store))
        if opened is None:
            return EMBEDDED
        opened.close()
        return "store"

    def engine(self, rules: str) -> Engine:
        """The engine of a rule set named as :attr:`rules` names it (made once, then shared)."""
        with self._lock:
            if rules not in self._engines:
                if rules == EMBEDDED:
                    self._engines[rules] = Engine()
                elif rules.startswith("store as of "):
                    self._engines[rules] = Engine(data=rule_source(self.store, rules.removeprefix("store as of ")))
                else:
                    self._engines[rules] = Engine(data=rule_source(self.store))
            return self._engines[rules]

    def quarters(self) -> list[str]:
        """The sides a comparison may use: ``embedded`` and every quarter loaded in the rule store."""
        opened = RuleStore.open_existing(store_path(self.store))
        loaded = sorted({i.quarter for i in opened.imports()}) if opened else []
        if opened:
            opened.close()
        return [EMBEDDED, *loaded]

    def _start(self, target: Any, *args: Any) -> None:
        t = threading.Thread(target=target, args=args, daemon=True, name="fluorologic-workbench")
        self._threads = [x for x in self._threads if x.is_alive()] + [t]
        t.start()

    def load(self, name: str, text: str) -> int:
        """Store a batch (encounters or results) and start solving it; the batch id.

        Raises
        ------
        InputError
            The file is empty or unreadable as JSON, JSON Lines or CSV.

        """
        kind, items = parse_upload(name, text)
        rules = "results of fluorologic solve" if kind == "results" else self.rules
        ident = None if kind == "results" else rule_identity(self.engine(rules), rules)
        bid = self.db.create_batch(name or "batch", rules=rules, total=len(items), kind=kind, rule_data=ident)
        self._start(self._run_load, bid, kind, rules, items)
        return bid

    def _run_load(self, bid: int, kind: str, rules: str, items: list[Any]) -> None:
        started = time.perf_counter()
        try:
            if kind == "results":
                recs = [i if isinstance(i, dict) else {"encounter_id": None, "error": {
                    "field": "$", "message": i.message if isinstance(i, InputError) else "not a record"}}
                    for i in items]
                for at in range(0, len(recs), 512):
                    self.db.add_encounters(bid, at, [(None, r) for r in recs[at:at + 512]])
            else:
                engine = self.engine(rules)
                for at in range(0, len(items), CHUNK):
                    chunk = items[at:at + CHUNK]
                    with self.solve_lock:
                        recs = solve_chunk(engine, chunk)
                    self.db.add_encounters(bid, at, [(raw if isinstance(raw, dict) else None, rec)
                                                     for raw, rec in zip(chunk, recs, strict=True)])
            self.db.finish(bid)
            log.info("workbench batch %d: %d items in %.1f s", bid, len(items), time.perf_counter() - started)
        except (FluorologicError, OSError, ValueError) as exc:
            log.error("workbench batch %d failed: %s", bid, type(exc).__name__)
            self.db.finish(bid, "failed", f"{type(exc).__name__}: the batch could not be solved")

    def impact(self, bid: int, first: str, second: str) -> int:
        """Start comparing batch ``bid`` under two sides; the comparison's id.

        Raises
        ------
        DataError
            A side is malformed or not loaded.

        """
        sides = (side_name(first), side_name(second))
        engines = [engine_for(s, self.store) for s in sides]
        raws = self.db.raws(bid)
        iid = self.db.create_impact(bid, sides[0], sides[1], 2 * len(raws))
        self._start(self._run_impact, iid, sides, engines, raws)
        return iid

    def _run_impact(self, iid: int, sides: tuple[str, str], engines: list[Engine], raws: list[Any]) -> None:
        try:
            items = [r if r is not None else InputError("$", "only a result was loaded for this encounter")
                     for r in raws]
            records: list[list[dict[str, Any]]] = [[], []]
            done = 0
            for k, engine in enumerate(engines):
                for at in range(0, len(items), CHUNK):
                    with self.solve_lock:
                        records[k].extend(solve_chunk(engine, items[at:at + CHUNK]))
                    done += len(items[at:at + CHUNK])
                    self.db.impact_progress(iid, done)
            out = compare_records(records[0], records[1], sides)
            # which data each side was: two imports of one quarter that differ show as different hashes
            out["rule_data"] = {side: rule_identity(engine, side) for side, engine in zip(sides, engines, strict=True)}
            self.db.finish_impact(iid, out)
        except (FluorologicError, DataError, OSError, ValueError) as exc:
            log.error("workbench comparison %d failed: %s", iid, type(exc).__name__)
            self.db.finish_impact(iid, None, f"{type(exc).__name__}: the comparison could not be solved")

    def wait(self, bid: int, timeout: float = 120.0) -> dict[str, Any]:
        """Wait until batch ``bid`` is no longer solving (for tests and the command line); the batch."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            batch = self.db.batch(bid)
            if batch is None or batch["status"] != "solving":
                return batch or {}
            time.sleep(0.05)
        raise TimeoutError(f"batch {bid} still solving after {timeout} s")
