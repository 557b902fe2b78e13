r"""The local rule store: imported CMS quarters in one SQLite file, indexed by code.

Every import is one row of ``import`` (kind, setting, quarter, effective date, file names and
SHA-256) plus its data rows, written in a single transaction: a file that fails to parse leaves
the store exactly as it was. Importing the same file again changes nothing; a newer quarter is
added beside the older ones, and :meth:`RuleStore.resolve` picks, for a date of service, the
newest quarter in force on that date.

Examples
--------
>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "aoc_2024q3.csv").write_text("primary_code,add_on_code,aoc_edit_type\n20610,77002,1\n")
>>> store = RuleStore(d / "rules.sqlite")
>>> store.import_files("aoc", [d / "aoc_2024q3.csv"]).status
'imported'
>>> store.import_files("aoc", [d / "aoc_2024q3.csv"]).status
'unchanged'
>>> [(i.kind, i.quarter, i.effective, i.rows) for i in store.imports()]
[('aoc', '2024Q3', 20240701, 1)]

"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fluorologic.contract.errors import DataError
from fluorologic.rules.cms import open_members, parse_aoc, parse_mue, parse_pfs, parse_ptp
from fluorologic.rules.cms.ptp import missing_tail
from fluorologic.rules.cms.quarter import (
    SETTINGS,
    normalize_quarter,
    quarter_from_name,
    quarter_start,
    setting_from_name,
)
from fluorologic.rules.cms.tables import OPEN_END, file_digest
from fluorologic.rules.messages import date_text
from fluorologic.rules.ruledata import RuleData

try:
    import fcntl
except ImportError:  # pragma: no cover (not POSIX)
    fcntl = None  # type: ignore[assignment]

__all__ = ["Import", "ImportResult", "RuleStore", "default_store_path"]

SCHEMA_VERSION = "1"
NO_SETTING = "all"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS import(
  id INTEGER PRIMARY KEY, kind TEXT NOT NULL, setting TEXT NOT NULL, quarter TEXT NOT NULL,
  effective INTEGER NOT NULL, files TEXT NOT NULL, sha256 TEXT NOT NULL, rows INTEGER NOT NULL,
  imported_at TEXT NOT NULL, UNIQUE(kind, setting, quarter));
CREATE TABLE IF NOT EXISTS rationale(id INTEGER PRIMARY KEY, text TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS ptp(
  import_id INTEGER NOT NULL, column_1 TEXT NOT NULL, column_2 TEXT NOT NULL, seq INTEGER NOT NULL,
  prior_1996 INTEGER NOT NULL, effective INTEGER, deletion INTEGER NOT NULL, indicator INTEGER NOT NULL,
  rationale INTEGER NOT NULL, PRIMARY KEY(import_id, column_1, column_2, seq)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS mue(
  import_id INTEGER NOT NULL, code TEXT NOT NULL, seq INTEGER NOT NULL, value INTEGER NOT NULL,
  mai INTEGER NOT NULL, mai_text TEXT NOT NULL, rationale TEXT NOT NULL,
  PRIMARY KEY(import_id, code, seq)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS aoc(
  import_id INTEGER NOT NULL, add_on TEXT NOT NULL, seq INTEGER NOT NULL, primary_code TEXT NOT NULL,
  edit_type INTEGER NOT NULL, effective INTEGER, deletion INTEGER NOT NULL,
  PRIMARY KEY(import_id, add_on, seq)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS pfs(
  import_id INTEGER NOT NULL, code TEXT NOT NULL, seq INTEGER NOT NULL, mod TEXT NOT NULL, status TEXT NOT NULL,
  work_rvu TEXT NOT NULL, non_na TEXT NOT NULL, fac_na TEXT NOT NULL, non_total TEXT, fac_total TEXT,
  pctc INTEGER, glob_days TEXT NOT NULL, mult_proc TEXT NOT NULL, bilat_surg TEXT NOT NULL,
  conv_factor TEXT NOT NULL, description TEXT NOT NULL, PRIMARY KEY(import_id, code, seq)) WITHOUT ROWID;
"""
_INSERT = {
    "ptp": "INSERT INTO ptp VALUES (?,?,?,?,?,?,?,?,?)",
    "mue": "INSERT INTO mue VALUES (?,?,?,?,?,?,?)",
    "aoc": "INSERT INTO aoc VALUES (?,?,?,?,?,?,?)",
    "pfs": "INSERT INTO pfs VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
}


def default_store_path() -> Path:
    """``$FLUOROLOGIC_STORE``, else ``<user data dir>/fluorologic/rules.sqlite`` (XDG, or LOCALAPPDATA on Windows)."""
    env = os.environ.get("FLUOROLOGIC_STORE")
    if env:
        return Path(env)
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "fluorologic" / "rules.sqlite"


@dataclass(frozen=True)
class Import:
    """One loaded file set: a kind (ptp, mue, aoc, pfs), setting and quarter, in force from ``effective``."""

    id: int
    kind: str
    setting: str
    quarter: str
    effective: int
    files: str
    sha256: str
    rows: int
    imported_at: str

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready view."""
        return {"kind": self.kind, "setting": self.setting, "quarter": self.quarter,
                "effective": _iso(self.effective), "files": self.files, "sha256": self.sha256, "rows": self.rows,
                "imported_at": self.imported_at}


@dataclass(frozen=True)
class ImportResult:
    """What an import did: ``imported``, ``replaced`` or ``unchanged`` (the same file was already loaded)."""

    status: str
    entry: Import


def _iso(n: int | None) -> str | None:
    return None if n is None else date_text(min(n, OPEN_END))


class RuleStore:
    """A SQLite rule store at ``path``; opened read-only with ``readonly=True`` (the file must exist then).

    Parameters
    ----------
    path
        The store file; created (with its folder) on the first import.
    readonly
        Open without creating or writing anything (used to answer encounters).

    """

    def __init__(self, path: str | Path, *, readonly: bool = False) -> None:
        self.path = Path(path)
        try:
            if readonly:
                self.conn = sqlite3.connect(self.path.resolve().as_uri() + "?mode=ro", uri=True, timeout=30,
                                            isolation_level=None, check_same_thread=False)
            else:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self.conn = sqlite3.connect(self.path, isolation_level=None, timeout=30)
                tables = {r[0] for r in self.conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
                if tables and "meta" not in tables:
                    raise DataError(f"{self.path} is an SQLite file of another program, not a fluorologic rule store")
                self.conn.execute("PRAGMA page_size=65536")  # only takes effect on a new file: faster bulk import
                self.conn.executescript(_SCHEMA)
                self.conn.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (SCHEMA_VERSION,))
            version = self.conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        except (sqlite3.Error, OSError) as exc:
            raise DataError(f"cannot open the rule store {self.path}: {exc}") from exc
        if version is None or version[0] != SCHEMA_VERSION:
            raise DataError(f"{self.path} is not a fluorologic rule store of schema version {SCHEMA_VERSION}")

    @classmethod
    def open_existing(cls, path: str | Path) -> RuleStore | None:
        """The store at ``path`` opened read-only, or None when there is no file or nothing was imported."""
        if not Path(path).is_file():
            return None
        store = cls(path, readonly=True)
        return store if store.imports() else None

    def close(self) -> None:
        """Close the database connection."""
        self.conn.close()

    # -- what is loaded -------------------------------------------------------------------------------------------

    def imports(self, kind: str | None = None, setting: str | None = None) -> list[Import]:
        """Loaded imports, oldest effective date first (filtered by kind and setting when given)."""
        sql = "SELECT * FROM import WHERE (?1 IS NULL OR kind=?1) AND (?2 IS NULL OR setting=?2) " \
              "ORDER BY kind, setting, effective, quarter"
        return [Import(*r) for r in self.conn.execute(sql, (kind, setting))]

    def resolve(self, kind: str, setting: str, dos: int, as_of: str | None = None) -> Import | None:
        """The import that decides ``dos``: the newest one in force on that date.

        With ``as_of``, the newest one at or before that quarter, whatever the date. When none is in
        force yet, the oldest one (PTP tables are cumulative, with deletion dates).
        """
        loaded = self.imports(kind, setting)
        if not loaded:
            return None
        if as_of is not None:
            chosen = [i for i in loaded if i.quarter <= as_of]
        else:
            chosen = [i for i in loaded if i.effective <= dos]
        return chosen[-1] if chosen else loaded[0]

    def next_effective(self, entry: Import) -> int:
        """The day before the next import of the same kind and setting takes effect (else open end)."""
        later = [i.effective for i in self.imports(entry.kind, entry.setting) if i.effective > entry.effective]
        if not later:
            return OPEN_END
        d = dt.date(later[0] // 10000, later[0] // 100 % 100, later[0] % 100) - dt.timedelta(days=1)
        return d.year * 10000 + d.month * 100 + d.day

    # -- import ---------------------------------------------------------------------------------------------------

    def import_files(self, kind: str, paths: Sequence[str | Path], *, quarter: str | None = None,
                     effective: int | None = None, setting: str | None = None,
                     replace: bool = False) -> ImportResult:
        """Parse ``paths`` as one ``kind`` file set and load it in one transaction.

        Raises
        ------
        fluorologic.rules.cms.ImportFormatError
            The file is malformed (names the file, line and reason); nothing was written.
        DataError
            Quarter or setting cannot be told, or another file is already loaded for that quarter.

        """
        if kind not in _INSERT:
            raise DataError(f"unknown kind {kind!r}; expected one of {', '.join(_INSERT)}")
        with self._import_lock():
            return self._import(kind, paths, quarter=quarter, effective=effective, setting=setting, replace=replace)

    @contextmanager
    def _import_lock(self) -> Iterator[None]:
        """Hold the store's import lock: a second import waits (up to :attr:`LOCK_WAIT` seconds) for the first.

        The check (is this quarter loaded?) and the write are then one step, so two imports at once
        never both load the same quarter; the lock is the ``.lock`` file beside the store (fcntl).
        """
        if fcntl is None:  # pragma: no cover (not POSIX: SQLite's own write lock is the only guard)
            yield
            return
        lock = self.path.with_name(self.path.name + ".lock")
        try:
            fh = open(lock, "a")  # noqa: SIM115 (held for the import, closed below)
        except OSError as exc:
            raise DataError(f"cannot lock the rule store {self.path}: {exc}") from exc
        try:
            deadline = time.monotonic() + self.LOCK_WAIT
            while True:
                try:
                    fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise DataError(f"another import into {self.path} has run for over {self.LOCK_WAIT:g} s; "
                                        "try again when it has finished") from None
                    time.sleep(0.05)
            try:
                yield
            finally:
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
        finally:
            fh.close()

    #: Seconds an import waits for another one into the same store before it gives up.
    LOCK_WAIT = 600.0

    def _import(self, kind: str, paths: Sequence[str | Path], *, quarter: str | None, effective: int | None,
                setting: str | None, replace: bool) -> ImportResult:
        names = [Path(p).name for p in paths]
        members = open_members(paths)
        quarter = _quarter(quarter, names + [m.name for m in members])
        if setting is not None and setting not in SETTINGS:
            raise DataError(f"unknown setting {setting!r}; expected one of {', '.join(SETTINGS)}")
        if kind in ("ptp", "mue"):
            setting = setting or next((s for n in names + [m.name for m in members]
                                       if (s := setting_from_name(n))), None)
        if kind == "mue":
            rows, setting = parse_mue(members, setting)
        elif kind == "ptp":
            rows = parse_ptp(members)
        elif kind == "aoc":
            rows, setting = parse_aoc(members), NO_SETTING
        else:
            rows, setting = parse_pfs(members, quarter), NO_SETTING
        if setting is None:
            raise DataError(f"cannot tell the setting of {', '.join(names)} from its name or header: "
                            "pass --setting practitioner or --setting outpatient_hospital")
        digest = file_digest(paths)
        old = self.conn.execute("SELECT * FROM import WHERE kind=? AND setting=? AND quarter=?",
                                (kind, setting, quarter)).fetchone()
        if old is not None:
            existing = Import(*old)
            if existing.sha256 == digest:
                return ImportResult("unchanged", existing)
            if not replace:
                raise DataError(f"{kind} {setting} {quarter} is already loaded from {existing.files}; "
                                "pass --replace to load this file in its place")
        eff = effective if effective is not None else quarter_start(quarter)
        try:
            entry = self._write(kind, setting, quarter, eff, ", ".join(names), digest, rows, old)
            self._note_partial(entry, old)
        except sqlite3.Error as exc:  # busy (another import), disk full, read-only folder: nothing was written
            raise DataError(f"cannot write the rule store {self.path}: {exc}") from exc
        return ImportResult("replaced" if old is not None else "imported", entry)

    def partial(self, entry: Import) -> str | None:
        """Why an import looks incomplete (a PTP table missing its last parts), or None: ``data info`` says it."""
        row = self.conn.execute("SELECT value FROM meta WHERE key=?", (f"partial:{entry.id}",)).fetchone()
        return row[0] if row else None

    def _note_partial(self, entry: Import, old: tuple[Any, ...] | None) -> None:
        """Keep in ``meta`` why a practitioner PTP table looks cut short (checked against the embedded table)."""
        if old is not None:
            self.conn.execute("DELETE FROM meta WHERE key=?", (f"partial:{old[0]}",))
        if entry.kind != "ptp" or entry.setting != "practitioner":
            return  # the embedded PTP table (the reference) is the practitioner one
        last = self.conn.execute("SELECT max(column_1) FROM ptp WHERE import_id=?", (entry.id,)).fetchone()[0]
        note = missing_tail(last or "", quarter_start(entry.quarter), RuleData.embedded().ptp_by_col1,
                            entry.quarter)
        if note is not None:
            self.conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (f"partial:{entry.id}", note))

    def _write(self, kind: str, setting: str, quarter: str, eff: int, files: str, digest: str,
               rows: Iterable[tuple[Any, ...]], old: tuple[Any, ...] | None) -> Import:
        cur = self.conn.cursor()
        cur.execute("PRAGMA cache_size=-131072")
        cur.execute("BEGIN IMMEDIATE")
        try:
            if old is not None:
                for table in ("import", kind):
                    cur.execute(f"DELETE FROM {table} WHERE {'id' if table == 'import' else 'import_id'}=?",  # noqa: S608
                                (old[0],))
            stamp = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
            cur.execute("INSERT INTO import(kind, setting, quarter, effective, files, sha256, rows, imported_at) "
                        "VALUES (?,?,?,?,?,?,0,?)", (kind, setting, quarter, eff, files, digest, stamp))
            import_id = cur.lastrowid
            counter = [0]
            if kind == "ptp":
                texts = dict(self.conn.execute("SELECT text, id FROM rationale"))
                new_texts: dict[str, int] = {}
                cur.executemany(_INSERT[kind], _ptp_values(import_id, rows, texts, new_texts, counter))
                cur.executemany("INSERT INTO rationale VALUES (?,?)", ((i, t) for t, i in new_texts.items()))
            else:
                cur.executemany(_INSERT[kind], _values(kind, import_id, rows, counter))
            cur.execute("UPDATE import SET rows=? WHERE id=?", (counter[0], import_id))
            cur.execute("COMMIT")
        except BaseException:
            if self.conn.in_transaction:
                cur.execute("ROLLBACK")
            raise
        finally:
            cur.execute("PRAGMA cache_size=-2000")
        return Import(*self.conn.execute("SELECT * FROM import WHERE id=?", (import_id,)).fetchone())

    # -- lookups (only rows of the given codes, through the primary-key index) ------------------------------------

    def ptp_rows(self, import_id: int, codes: Sequence[str]) -> list[tuple[Any, ...]]:
        """PTP rows with both codes in ``codes``: (column_1, column_2, effective, deletion, indicator, rationale)."""
        marks = ",".join("?" * len(codes))
        sql = ("SELECT p.column_1, p.column_2, p.effective, p.deletion, p.indicator, r.text FROM ptp p "  # noqa: S608
               f"JOIN rationale r ON r.id = p.rationale WHERE p.import_id=? AND p.column_1 IN ({marks}) "
               f"AND p.column_2 IN ({marks}) ORDER BY p.column_1, p.column_2, p.seq")
        return self.conn.execute(sql, (import_id, *codes, *codes)).fetchall()

    def rows_by_code(self, table: str, import_id: int, codes: Sequence[str]) -> list[tuple[Any, ...]]:
        """All columns after the key of ``table`` (mue, aoc by add-on code, pfs) for ``codes``, in file order."""
        key = {"mue": "code", "aoc": "add_on", "pfs": "code"}[table]
        marks = ",".join("?" * len(codes))
        sql = f"SELECT * FROM {table} WHERE import_id=? AND {key} IN ({marks}) ORDER BY {key}, seq"  # noqa: S608
        return self.conn.execute(sql, (import_id, *codes)).fetchall()

    def size_bytes(self) -> int:
        """The size of the store file."""
        return self.path.stat().st_size


def _ptp_values(import_id: int, rows: Iterable[tuple[Any, ...]], texts: dict[str, int],
                new_texts: dict[str, int], counter: list[int]) -> Iterator[tuple[Any, ...]]:
    next_id = max(texts.values(), default=0) + 1
    seq = 0
    for seq, (c1, c2, prior, eff, dele, ind, rat) in enumerate(rows, start=1):  # noqa: B007 - seq is the count
        rid = texts.get(rat)
        if rid is None:
            rid = texts[rat] = new_texts[rat] = next_id
            next_id += 1
        yield (import_id, c1, c2, seq, prior, eff, dele, ind, rid)
    counter[0] = seq


def _values(kind: str, import_id: int, rows: Iterable[tuple[Any, ...]], counter: list[int]
            ) -> Iterator[tuple[Any, ...]]:
    for seq, row in enumerate(rows, start=1):
        counter[0] = seq
        if kind == "aoc":
            primary, add_on, etype, eff, dele = row
            yield (import_id, add_on, seq, primary, etype, eff, dele)
        else:
            yield (import_id, row[0], seq, *row[1:])


def _quarter(given: str | None, names: list[str]) -> str:
    if given is not None:
        try:
            return normalize_quarter(given)
        except ValueError as exc:
            raise DataError(f"--quarter: {exc}") from None
    for name in names:
        q = quarter_from_name(name)
        if q:
            return q
    raise DataError(f"cannot tell the quarter of {', '.join(names[:1])} from its name: pass --quarter, e.g. 2024Q3")

