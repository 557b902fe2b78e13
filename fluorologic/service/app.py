"""The HTTP service: ``POST /v1/solve``, ``/v1/why``, ``/v1/scan``, ``/v1/reconcile`` and ``GET /healthz`` (FastAPI).

Requests are validated by the same :func:`~fluorologic.contract.encounter.parse_encounter` as the command line
and answered in the contract's shapes (contract.md); errors are error records
``{"encounter_id": ..., "error": {"field": ..., "message": ...}}`` with status 400 (not JSON), 413 (too
large), 422 (invalid encounter) or 501 (a feature not in this build).

An encounter like an earlier one (the canonical Result memo, :mod:`fluorologic.engine.fastpath.resultmemo`) is
answered by the HTTP process itself, before its note is read and without a trip to the solver. The others
are solved together: a :class:`MicroBatcher` collects the encounters that arrive while the solver is busy
and solves them as one keyed program (:mod:`fluorologic.engine.fastpath.multisolve`), so the fixed cost of grounding
is shared; their Results are remembered. A solve that takes longer than ``solve_timeout`` seconds is
cancelled and answered with ``needs_review``. Logs carry counts, timings and status codes, never note text.

Examples
--------
>>> from fastapi.testclient import TestClient
>>> with TestClient(create_app(Settings())) as client:
...     r = client.post("/v1/solve", json={"encounter_id": "k", "date_of_service": "2024-08-01",
...                                         "place_of_service": "11", "lines": [{"code": "20610"}]})
>>> r.status_code, r.json()["billable"][0]["code"]
(200, '20610')

"""

from __future__ import annotations

import asyncio
import json
import logging
import multiprocessing
import os
import time
from concurrent.futures import BrokenExecutor, Executor, ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from fluorologic.claims.errors import ClaimError
from fluorologic.claims.formats import MEDIA_TYPES, read_claims
from fluorologic.contract.encounter import MAX_NOTE, Encounter, parse_encounter
from fluorologic.contract.errors import FluorologicError, InputError
from fluorologic.contract.render import to_json
from fluorologic.contract.schema import EncounterIn, ErrorRecord, ResultOut, ScanIn, WhyIn, json_schema
from fluorologic.engine.facts import Facts
from fluorologic.engine.fastpath.factcache import FactCache
from fluorologic.engine.fastpath.multisolve import SolveTimeout, result_memo_size
from fluorologic.engine.fastpath.resultmemo import ResultMemo
from fluorologic.engine.records import echo_id, failure_record
from fluorologic.engine.solver import Engine
from fluorologic.reconcile.render import rows_csv
from fluorologic.rules.source import rule_source
from fluorologic.run.jsonin import BoundError, array_items, loads_item
from fluorologic.run.lifeline import die_with_parent
from fluorologic.run.parallel import _engine, worker_behind_memo
from fluorologic.service.reconcile_api import OPENAPI as RECONCILE_BODY
from fluorologic.service.reconcile_api import RESPONSES as RECONCILE_RESPONSES
from fluorologic.service.reconcile_api import answer as reconcile_answer
from fluorologic.service.reconcile_api import parts as reconcile_parts
from fluorologic.service.workbench import mount_workbench

__all__ = ["MicroBatcher", "Settings", "create_app", "solve_records"]

log = logging.getLogger("fluorologic.service.app")


@dataclass(frozen=True)
class Settings:
    """Limits of the service; :meth:`from_env` reads ``FLUOROLOGIC_*`` variables (set by ``fluorologic serve``)."""

    max_body_bytes: int = 1_048_576
    max_encounters: int = 1000
    max_lines: int = 50
    solve_timeout: float = 5.0
    max_batch: int = 64
    #: Seconds to wait for more requests before a batch that is not full is solved (0: never wait).
    batch_linger: float = 0.005
    solver_process: bool = False
    recycle_batches: int = 5000
    store: str | None = None
    as_of_quarter: str | None = None

    @classmethod
    def from_env(cls) -> Settings:
        """Settings from the environment, defaults where unset."""
        env = os.environ
        return cls(max_body_bytes=int(env.get("FLUOROLOGIC_MAX_BODY_BYTES", cls.max_body_bytes)),
                   max_encounters=int(env.get("FLUOROLOGIC_MAX_ENCOUNTERS", cls.max_encounters)),
                   max_lines=int(env.get("FLUOROLOGIC_MAX_LINES", cls.max_lines)),
                   solve_timeout=float(env.get("FLUOROLOGIC_SOLVE_TIMEOUT", cls.solve_timeout)),
                   max_batch=int(env.get("FLUOROLOGIC_MAX_BATCH", cls.max_batch)),
                   batch_linger=float(env.get("FLUOROLOGIC_BATCH_LINGER", cls.batch_linger)),
                   solver_process=env.get("FLUOROLOGIC_SOLVER_PROCESS", "1") == "1",
                   recycle_batches=int(env.get("FLUOROLOGIC_RECYCLE_BATCHES", cls.recycle_batches)),
                   store=env.get("FLUOROLOGIC_SERVE_STORE") or None,
                   as_of_quarter=env.get("FLUOROLOGIC_AS_OF_QUARTER") or None)


class _Refused(Exception):  # noqa: N818 (an HTTP answer, not a failure)
    def __init__(self, status: int, field: str | None, message: str, eid: str | None = None) -> None:
        super().__init__(message)
        self.status, self.field, self.message, self.eid = status, field, message, eid

    def response(self) -> JSONResponse:
        return JSONResponse({"encounter_id": self.eid, "error": {"field": self.field, "message": self.message}},
                            status_code=self.status)


def _needs_review(enc: Encounter, timeout: float) -> dict[str, Any]:
    return {"encounter_id": enc.encounter_id, "needs_review": True,
            "error": {"field": "$", "message": f"no proven answer within {timeout:g} s; the encounter needs review "
                                               "by a coder"}}


def solve_records(encs: list[Encounter], timeout: float, engine: Engine | None = None) -> list[str]:
    """The records of ``encs`` as JSON text: Results, or ``needs_review`` for those not answered within ``timeout``.

    Each encounter's note is read first and counts against its time: one whose note alone takes longer
    than ``timeout`` is answered ``needs_review`` and left out of the batch. Whatever one encounter does
    (a timeout, an exception of any kind), the others keep the answers they would get alone. Results come
    rendered from the batch solver's canonical memo (:mod:`fluorologic.engine.fastpath.resultmemo`) when an earlier
    encounter was like them; text is also what crosses back from the solver process cheaply.
    """
    engine = engine or _engine()  # the solver process's engine, made by init_worker
    records: list[str | None] = [None] * len(encs)
    ready: list[int] = []
    owns: list[Facts] = []
    for i, enc in enumerate(encs):
        started = time.monotonic()
        try:
            own = engine.batch.cache.own_facts(enc)  # reads the note, if any
        except Exception as exc:  # noqa: BLE001 (this encounter's record says so; the others go on)
            records[i] = to_json(failure_record(enc.encounter_id, exc))
            continue
        if time.monotonic() - started > timeout:
            records[i] = to_json(_needs_review(enc, timeout))
            continue
        ready.append(i)
        owns.append(own)
    try:
        rendered = engine.batch.rendered([encs[i] for i in ready], timeout=timeout, prepared=owns)
        for i, (text, _) in zip(ready, rendered, strict=True):
            records[i] = text
    except Exception:  # noqa: BLE001 (find the encounter that fails or takes too long; the others get answers)
        for i, own in zip(ready, owns, strict=True):
            records[i] = _solve_one(engine, encs[i], own, timeout)
    return [r for r in records if r is not None]


def _solve_one(engine: Engine, enc: Encounter, own: Facts, timeout: float) -> str:
    try:
        return engine.batch.rendered([enc], timeout=timeout, prepared=[own])[0][0]
    except (SolveTimeout, FluorologicError):
        return to_json(_needs_review(enc, timeout))
    except Exception as exc:  # noqa: BLE001 (named by its kind only: its text may hold input)
        return to_json(failure_record(enc.encounter_id, exc))


class MicroBatcher:
    """Solve the encounters of concurrent requests together, on one solver (a child process or a thread).

    In a child process (the default of ``fluorologic serve``) solving does not compete with the event loop
    for the interpreter lock, and the child is replaced after ``Settings.recycle_batches`` batches: clingo
    keeps every symbol it ever made until its process ends, so recycling keeps memory flat.
    """

    def __init__(self, engine: Engine, settings: Settings) -> None:
        self.engine = engine
        self.settings = settings
        self.queue: asyncio.Queue[tuple[Encounter, asyncio.Future[str]]] = asyncio.Queue()
        self.executor = self._executor()
        self.task: asyncio.Task[None] | None = None
        # The canonical memo in front of the solver: a hit is answered here (the solver process keeps none).
        self.memo = ResultMemo(result_memo_size())
        self.cache = FactCache(engine.data, engine.places)

    def _executor(self) -> Executor:
        if self.settings.solver_process:
            return ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                                       max_tasks_per_child=self.settings.recycle_batches,
                                       initializer=worker_behind_memo,
                                       initargs=((self.settings.store, self.settings.as_of_quarter),))
        return ThreadPoolExecutor(max_workers=1, thread_name_prefix="fluorologic-solver")

    def start(self) -> None:
        """Start collecting requests (on the running event loop)."""
        self.task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        """Stop collecting and let the solver go."""
        if self.task:
            self.task.cancel()
        self.executor.shutdown(wait=True, cancel_futures=True)

    async def solve(self, encs: list[Encounter]) -> list[str]:
        """The records of ``encs``, in order, as JSON text: from the memo, else from the solver."""
        loop = asyncio.get_running_loop()
        records: list[str] = []
        waiting: list[tuple[int, Encounter, Any, asyncio.Future[str]]] = []
        if self.cache.numbered >= _MAX_PARTS:  # this process is never recycled: start both afresh, together
            self.cache = FactCache(self.engine.data, self.engine.places)  # (keys hold its part numbers)
            self.memo = ResultMemo(self.memo.size)
        keys = [self._key(enc) for enc in encs]
        memo = self.memo  # the memo these keys belong to (it may be started afresh while this request waits)
        for enc, key in zip(encs, keys, strict=True):
            hit = None if key is None else memo.get(key, enc)
            if hit is not None:
                records.append(hit[0])
                continue
            fut: asyncio.Future[str] = loop.create_future()
            self.queue.put_nowait((enc, fut))
            waiting.append((len(records), enc, key, fut))
            records.append("")
        for i, enc, key, fut in waiting:
            text = records[i] = await fut
            if key is not None and text.startswith('{"schema_version"'):  # a Result (not an error record)
                memo.put(key, enc, text, None)
        return records

    def _key(self, enc: Encounter) -> Any:
        """The canonical memo key of ``enc`` (None with the memo off, or where its rule rows cannot be read)."""
        if not self.memo.size:
            return None
        try:
            return self.memo.key_for(enc, self.cache)
        except Exception:  # noqa: BLE001 (the solver answers it, and says what went wrong)
            return None

    async def _run(self) -> None:
        timeout = self.settings.solve_timeout
        while True:
            batch = [await self.queue.get()]
            if self.settings.batch_linger > 0 and self.queue.qsize() + 1 < self.settings.max_batch:
                # The clients just answered send their next requests now: a moment's wait lets them join
                # this batch, whose fixed cost (about 10 ms) is then shared by more encounters.
                await asyncio.sleep(self.settings.batch_linger)
            while len(batch) < self.settings.max_batch and not self.queue.empty():
                batch.append(self.queue.get_nowait())
            encs = [enc for enc, _ in batch]
            try:
                records = await self._solve(encs, timeout)
            except Exception as exc:  # noqa: BLE001 (the waiting requests must get an answer)
                log.error("solver failure: %s; solving the %d encounters of the batch one by one",
                          type(exc).__name__, len(encs))
                records = [await self._solve_alone(enc, timeout) for enc in encs]
            for (_, fut), rec in zip(batch, records, strict=True):
                if not fut.done():
                    fut.set_result(rec)

    async def _solve(self, encs: list[Encounter], timeout: float) -> list[str]:
        loop = asyncio.get_running_loop()
        try:
            if self.settings.solver_process:
                return await loop.run_in_executor(self.executor, solve_records, encs, timeout)
            return await loop.run_in_executor(self.executor, solve_records, encs, timeout, self.engine)
        except BrokenExecutor:
            log.error("the solver process died; starting a new one")
            self.executor.shutdown(wait=False, cancel_futures=True)
            self.executor = self._executor()
            raise

    async def _solve_alone(self, enc: Encounter, timeout: float) -> str:
        try:
            return (await self._solve([enc], timeout))[0]
        except Exception as exc:  # noqa: BLE001 (only this encounter's answer is lost)
            log.error("solver failure on one encounter: %s", type(exc).__name__)
            return to_json(_internal_error(enc))


#: Code combinations the HTTP process numbers for its memo keys before it starts its key cache and memo afresh.
_MAX_PARTS = 20_000


def _internal_error(enc: Encounter) -> dict[str, Any]:
    return {"encounter_id": enc.encounter_id, "error": {"field": "$", "message": "internal solver error; needs review"}}


async def _bytes(request: Request, settings: Settings) -> bytes:
    """The raw body, refused (413) when larger than the limit."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > settings.max_body_bytes:
        raise _Refused(413, "$", f"the request body is larger than {settings.max_body_bytes} bytes")
    chunks = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > settings.max_body_bytes:
            raise _Refused(413, "$", f"the request body is larger than {settings.max_body_bytes} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


async def _body(request: Request, settings: Settings) -> Any:
    """The decoded JSON body, refused when larger than the limit or not JSON.

    An X12 837P (``application/EDI-X12``) or FHIR (``application/fhir+json``) body is read into a list of
    encounters and claim error records instead (fluorologic.claims).
    """
    data = await _bytes(request, settings)
    kind = MEDIA_TYPES.get(request.headers.get("content-type", "").split(";")[0].strip().lower())
    if kind is not None:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise _Refused(400, "$", "the request body is not UTF-8 text") from None
        if kind == "fhir" and not text.lstrip("\ufeff \t\r\n").startswith(("{", "[")):
            raise _Refused(422, "$", "a FHIR body must be a Claim, a Bundle, or an array or NDJSON of them")
        return read_claims(text, kind)
    try:
        text = data.decode(json.detect_encoding(data))  # UTF-8 (a byte order mark skipped), -16 or -32 as JSON allows
        value = array_items(text) if text.lstrip().startswith("[") else loads_item(text)
    except (ValueError, UnicodeDecodeError) as exc:
        where = f" at line {exc.lineno} column {exc.colno}" if isinstance(exc, json.JSONDecodeError) else ""
        raise _Refused(400, "$", f"the request body is not valid JSON{where}") from None
    if isinstance(value, BoundError):  # nested too deep, a number too long: refused, naming the encounter
        raise _Refused(400, value.field, f"the request body {value.message}", value.encounter_id)
    return value


def _encounter(raw: Any, settings: Settings, engine: Engine) -> Encounter:
    if isinstance(raw, dict) and isinstance(raw.get("lines"), list) and len(raw["lines"]) > settings.max_lines:
        raise InputError("lines", f"has more than {settings.max_lines} lines (the service's encounter-size limit)")
    return parse_encounter(raw, engine.places)


def _eid(raw: Any) -> str | None:
    return echo_id(raw.get("encounter_id") if isinstance(raw, dict) else None)


def _json(body: Any) -> Response:
    """The body serialised once, as the command line does (FastAPI's generic encoder walks it again).

    A record holding text that is not valid Unicode (a lone surrogate echoed back) is answered with its
    error record instead: in a list, that record alone.
    """
    try:
        return Response(content=to_json(body).encode("utf-8"), media_type="application/json")
    except UnicodeEncodeError as exc:
        if isinstance(body, list):
            return _json([_writable(rec) for rec in body])
        raise _Refused(422, "$", _UNICODE, _eid(body)) from exc


_UNICODE = "holds text that is not valid Unicode (a lone surrogate?)"


def _writable(rec: Any) -> Any:
    try:
        to_json(rec).encode("utf-8")
    except UnicodeEncodeError as exc:
        return failure_record(rec.get("encounter_id") if isinstance(rec, dict) else None, exc)
    return rec


def _text(text: str) -> Response:
    """A record (or a list of them) already rendered by :func:`~fluorologic.contract.render.to_json`.

    Text that is not valid Unicode (a lone surrogate echoed back) is answered as :func:`_json` does.
    """
    try:
        return Response(content=text.encode("utf-8"), media_type="application/json")
    except UnicodeEncodeError:
        return _json(json.loads(text))


def _schema(model: Any, *, many: int | None = None, claims: bool = False) -> dict[str, Any]:
    """The request body: ``model``, or with ``many`` also a list of at most that many items.

    A list's items are not typed: every item gets one record in its place (contract.md), the error record
    for an item that is not a valid encounter, so the service accepts any item and the schema says so.
    With ``claims`` the body may also be an X12 837P interchange or a FHIR R4 Claim, Bundle or array
    (``docs/claims.md``), answered with one record per claim.
    """
    ref = {"$ref": f"#/components/schemas/{model.__name__}"}
    items = {"description": f"an {model.__name__}; an item that is not a valid one is answered by its error record"}
    schema = {"oneOf": [ref, {"type": "array", "items": items, "maxItems": many}]} if many else ref
    content: dict[str, Any] = {"application/json": {"schema": schema}}
    if claims:
        content["application/EDI-X12"] = {"schema": {"type": "string", "description": (
            "an X12 005010X222A1 837P interchange (ISA ... IEA); one record per claim (CLM), in order")}}
        content["application/fhir+json"] = {"schema": {"type": ["object", "array"], "description": (
            "a FHIR R4 Claim, a Bundle of Claims, or an array of them; one record per Claim, in order")}}
    return {"requestBody": {"required": True, "content": content}}


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> FastAPI:
    """The ASGI application (``uvicorn --factory fluorologic.service.app:create_app``)."""
    die_with_parent(main_thread_parent=True)  # a server process of `serve --workers N` ends with the supervisor
    settings = settings or Settings.from_env()
    if engine is None:

        engine = Engine(data=rule_source(settings.store, settings.as_of_quarter))

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> Any:
        batcher = MicroBatcher(engine, settings)
        batcher.start()
        app.state.batcher = batcher
        yield
        await batcher.stop()

    app = FastAPI(title="fluorologic", version="1", lifespan=lifespan,
                  description="Which fluoroscopy-related codes an encounter may bill, and why (contract.md).")
    # The request bodies are read raw (to enforce the size limit and answer in the contract's error shape);
    # their schemas are registered from the models so that the OpenAPI document describes them.
    models = [EncounterIn, ResultOut, ErrorRecord, WhyIn, ScanIn]
    original_openapi = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = original_openapi()
            comps = schema.setdefault("components", {}).setdefault("schemas", {})
            for model in models:
                defs = json_schema(model, "#/components/schemas/{model}")
                comps.update(defs.pop("$defs", {}))
                comps[model.__name__] = defs
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]

    @app.exception_handler(_Refused)
    async def refused(_request: Request, exc: _Refused) -> JSONResponse:
        return exc.response()

    @app.get("/healthz")
    async def healthz() -> dict[str, Any]:
        """Liveness: the engine is loaded."""
        return {"status": "ok", "schema_version": "1", "store": engine.data.label}

    @app.post("/v1/solve", openapi_extra=_schema(EncounterIn, many=settings.max_encounters, claims=True),
              responses={200: {"model": ResultOut | ErrorRecord | list[ResultOut | ErrorRecord]},
                         400: {"model": ErrorRecord}, 413: {"model": ErrorRecord}, 422: {"model": ErrorRecord}})
    async def solve(request: Request) -> Any:
        """Solve one encounter (answers a Result) or a list (answers one record per encounter, in order)."""
        started = time.perf_counter()
        raw = await _body(request, settings)
        batcher: MicroBatcher = request.app.state.batcher
        if isinstance(raw, list):
            if len(raw) > settings.max_encounters:
                raise _Refused(413, "$", f"more than {settings.max_encounters} encounters in one request")
            records: list[str | None] = []
            valid: list[tuple[int, Encounter]] = []
            for i, item in enumerate(raw):
                if isinstance(item, ClaimError):  # a claim of an 837P or FHIR body that could not be read
                    records.append(to_json(item.record()))
                    continue
                if isinstance(item, BoundError):  # an item nested too deep or with a number too long
                    records.append(to_json({"encounter_id": item.encounter_id, "error": item.to_dict()}))
                    continue
                try:
                    valid.append((i, _encounter(item, settings, engine)))
                    records.append(None)
                except InputError as err:
                    records.append(to_json({"encounter_id": _eid(item), "error": err.to_dict()}))
            for (i, _), rec in zip(valid, await batcher.solve([e for _, e in valid]), strict=True):
                records[i] = rec
            log.info("solve list: %d encounters, %.1f ms", len(raw), 1000 * (time.perf_counter() - started))
            return _text("[" + ", ".join(r for r in records if r is not None) + "]")  # to_json of the list
        try:
            enc = _encounter(raw, settings, engine)
        except InputError as err:
            status = 413 if err.field == "lines" and "limit" in err.message else 422
            raise _Refused(status, err.field, err.message, _eid(raw)) from None
        (rec,) = await batcher.solve([enc])
        log.info("solve: 1 encounter, %.1f ms", 1000 * (time.perf_counter() - started))
        return _text(rec)

    @app.post("/v1/why", openapi_extra=_schema(WhyIn),
              responses={400: {"model": ErrorRecord}, 413: {"model": ErrorRecord}, 422: {"model": ErrorRecord},
                         501: {"model": ErrorRecord}})
    async def why(request: Request) -> Any:
        """Why CODE was billed, excluded or added (needs ``fluorologic.explanation.explain``)."""
        raw = await _body(request, settings)
        try:
            from fluorologic.explanation.explain import explain  # optional in a slim build: 501 without it
        except ImportError:
            raise _Refused(501, None, "why is not available in this build (fluorologic.explanation.explain is not "
                                      "installed)") from None
        if not isinstance(raw, dict) or not isinstance(raw.get("code"), str):
            raise _Refused(422, "code", "is required: the code to explain", None)
        enc_raw = raw.get("encounter")
        try:
            _encounter(enc_raw, settings, engine)  # the service's limits, and the field named as in /v1/solve
        except InputError as err:
            raise _Refused(422, f"encounter.{err.field}", err.message, _eid(enc_raw)) from None

        def answer() -> Any:
            return explain(enc_raw, engine).explain(raw["code"])

        try:
            return _json(await asyncio.get_running_loop().run_in_executor(None, answer))
        except InputError as err:
            raise _Refused(422, err.field, err.message, _eid(enc_raw)) from None
        except UnicodeError:  # text clingo cannot take: this request's error, never a 500
            raise _Refused(422, "encounter", _UNICODE, _eid(enc_raw)) from None

    @app.post("/v1/scan", openapi_extra=_schema(ScanIn),
              responses={400: {"model": ErrorRecord}, 413: {"model": ErrorRecord}, 422: {"model": ErrorRecord},
                         501: {"model": ErrorRecord}})
    async def scan(request: Request) -> Any:
        """Read a procedure note: the findings and their evidence (needs ``fluorologic.notes``)."""
        raw = await _body(request, settings)
        try:
            from fluorologic.notes import scan_note  # optional in a slim build: 501 without it
        except ImportError:
            raise _Refused(501, None, "scan is not available in this build (fluorologic.notes is not "
                                      "installed)") from None
        if not isinstance(raw, dict) or not isinstance(raw.get("note"), str):
            raise _Refused(422, "note", "is required: the text of the procedure note")
        if len(raw["note"]) > MAX_NOTE:
            raise _Refused(422, "note", f"is longer than {MAX_NOTE} characters")

        def findings() -> dict[str, Any]:
            return scan_note(raw["note"]).to_dict()

        return _json(await asyncio.get_running_loop().run_in_executor(None, findings))

    reconciler: list[Engine] = []  # its own engine (made on first use): the batcher's solves on in its thread
    reconcile_lock = asyncio.Lock()

    @app.post("/v1/reconcile", openapi_extra=RECONCILE_BODY, responses=RECONCILE_RESPONSES)
    async def reconcile(request: Request) -> Any:
        """The payer's X12 835 beside the decisions for the claims (multipart parts ``claims`` and ``remittance``)."""
        fmt = request.query_params.get("format", "json")
        if fmt not in ("json", "csv"):
            raise _Refused(400, "format", 'must be "json" or "csv"')
        data = await _bytes(request, settings)
        try:
            fields = reconcile_parts(data, request.headers.get("content-type", ""))
        except InputError as err:
            raise _Refused(400, err.field, err.message) from None
        started = time.perf_counter()
        async with reconcile_lock:
            if not reconciler:
                reconciler.append(Engine(engine.data))
            rec = await asyncio.get_running_loop().run_in_executor(None, reconcile_answer, fields, reconciler[0])
        log.info("reconcile: %d rows, %.1f ms", len(rec.rows), 1000 * (time.perf_counter() - started))
        if fmt == "csv":
            return Response(content=rows_csv(rec.rows).encode("utf-8"), media_type="text/csv")
        return _json({"rows": rec.rows, "summary": rec.summary, "errors": rec.errors, "warnings": rec.warnings,
                      "provider_adjustments": rec.provider_adjustments, "notes": rec.notes})

    mount_workbench(app, store=settings.store, as_of_quarter=settings.as_of_quarter)
    return app
