r"""Rule data backed by the rule store: the engine's ``RuleData`` interface over imported CMS quarters.

Code attributes, the code table and the imaging-inclusive rows are fluorologic's own sourced tables
and always come from the embedded data. Each CMS table (PTP, MUE, add-on codes, PFS) comes from the
store when a quarter of it is loaded for the setting, otherwise from the embedded data. For an
encounter only the rows of its codes are read, through the primary-key index, and the lookups are
cached per (quarter, code set), so the work per encounter does not grow with the table size.

Examples
--------
>>> import tempfile, pathlib
>>> from fluorologic.rules.store import RuleStore
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "ccipra_2024q3.csv").write_text(
...     "column_1,column_2,deletion_date,modifier_indicator,ptp_edit_rationale\n"
...     "20610,76000,*,1,Misuse of Column Two code with Column One code\n")
>>> _ = RuleStore(d / "s.sqlite").import_files("ptp", [d / "ccipra_2024q3.csv"])
>>> data = StoreRuleData(RuleStore(d / "s.sqlite", readonly=True))
>>> [(p.column_1, p.column_2, p.quarter) for p in data.select({"20610", "76000"}, 20240801).ptp]
[('20610', '76000', '2024Q3')]

"""

from __future__ import annotations

import functools
from decimal import Decimal
from typing import Any

from fluorologic.rules.ruledata import AocRow, FeeRow, MueRow, PtpRow, RuleData, Selection, quarter_end
from fluorologic.rules.store import NO_SETTING, Import, RuleStore

__all__ = ["StoreRuleData"]


def _source(entry: Import) -> str:
    return f"{entry.files} (sha256 {entry.sha256[:12]})|{entry.quarter} (eff {entry.to_dict()['effective']})"


class StoreRuleData(RuleData):
    """CMS tables from ``store`` (per table, when loaded), fluorologic's own tables from ``base``.

    Parameters
    ----------
    store
        An open rule store.
    setting
        The NCCI setting of the PTP and MUE tables (``practitioner`` for professional claims).
    as_of
        Decide every encounter under this quarter (the newest loaded quarter at or before it), whatever
        its date of service; by default each encounter gets the newest quarter in force on its date.
    base
        The embedded data (code table, attributes, imaging-inclusive rows, and any CMS table not loaded).

    """

    def __init__(self, store: RuleStore, *, setting: str = "practitioner", as_of: str | None = None,
                 base: RuleData | None = None) -> None:
        self.base = base or RuleData.embedded()
        self.store = store
        self.setting = setting
        self.as_of = as_of
        self.label = f"store {store.path.name}" + (f" as of {as_of}" if as_of else "")
        # fluorologic's own tables, shared with the base
        self.codes = self.base.codes
        self.attrs = self.base.attrs
        self.inclusive = self.base.inclusive
        self.guidance_codes = self.base.guidance_codes
        # the embedded CMS tables: used for any table with nothing loaded, and by code that reads them directly
        self.ptp_by_col1 = self.base.ptp_by_col1
        self.mue = self.base.mue
        self.aoc_by_addon = self.base.aoc_by_addon
        self.fees = self.base.fees
        self.first_day = self.base.first_day
        # the MPFS releases (which are loaded, which priced from an earlier one) and the GPCIs: the base's
        self.releases = self.base.releases
        self.gpci = self.base.gpci
        self.loaded = {kind for kind in ("ptp", "mue", "aoc", "pfs")
                       if store.imports(kind, self._setting(kind))}
        self._imports = functools.lru_cache(maxsize=4096)(self._resolve)
        self._ptp = functools.lru_cache(maxsize=8192)(self._ptp_rows)
        self._by_code = functools.lru_cache(maxsize=8192)(self._rows_by_code)

    def _setting(self, kind: str) -> str:
        return self.setting if kind in ("ptp", "mue") else NO_SETTING

    def _resolve(self, kind: str, dos: int) -> tuple[Import, int] | None:
        entry = self.store.resolve(kind, self._setting(kind), dos, self.as_of)
        return None if entry is None else (entry, self.store.next_effective(entry))

    def _ptp_rows(self, entry: Import, codes: tuple[str, ...]) -> tuple[PtpRow, ...]:
        src = _source(entry)
        return tuple(PtpRow(c1, c2, eff, dele, ind, rat, entry.quarter, src)
                     for c1, c2, eff, dele, ind, rat in self.store.ptp_rows(entry.id, codes))

    def _rows_by_code(self, table: str, entry: Import, codes: tuple[str, ...]) -> tuple[Any, ...]:
        return tuple(self.store.rows_by_code(table, entry.id, codes))

    def select(self, codes: Any, dos: int) -> Selection:
        """Rows involving ``codes`` (plus candidates), CMS rows from the quarter that decides ``dos``."""
        sel = self.base.select(codes, dos)
        if not self.loaded:
            return sel
        wanted = tuple(sorted(self.candidate_codes(codes)))
        if "ptp" in self.loaded and (hit := self._imports("ptp", dos)):
            sel.ptp = [p for p in self._ptp(hit[0], wanted) if p.effective is None or p.effective <= dos]
        if "mue" in self.loaded and (hit := self._imports("mue", dos)):
            entry, src = hit[0], _source(hit[0])
            # decided as of a quarter, its MUE table applies on every date of service, as its PTP rows do
            eff = 0 if self.as_of is not None else entry.effective
            sel.mue = [MueRow(code, value, mai, text, rat, eff, entry.quarter, src)
                       for _, code, _, value, mai, text, rat in self._by_code("mue", entry, wanted)]
        if "aoc" in self.loaded and (hit := self._imports("aoc", dos)):
            entry, src = hit[0], _source(hit[0])
            in_force = [r for r in self._by_code("aoc", entry, wanted)
                        if (r[5] is None or r[5] <= dos) and dos <= r[6]]
            sel.addons = {r[1] for r in in_force}
            sel.aoc = [AocRow(r[3], r[1], r[4], entry.quarter, src) for r in in_force
                       if r[3] in wanted or r[3] == "CCCCC"]
        if "pfs" in self.loaded and (hit := self._imports("pfs", dos)):
            # fees, unlike the cumulative PTP table, are not carried back before the first loaded release, and
            # forward only as contract.md's fee_from_prior_release says: within the year of the release in force
            entry, sel.fee_prior = hit[0], None
            in_force = self.as_of is not None or entry.effective <= dos
            current = next((r for r in reversed(self.releases) if r.start <= dos <= r.end), None)
            if in_force and self.as_of is None and current is not None and entry.effective < current.start:
                if entry.effective // 10000 == dos // 10000:
                    sel.fee_prior = (current.name, self._release(entry))
                else:
                    in_force = False
            sel.fees = [self._fee(r, entry, hit[1]) for r in self._by_code("pfs", entry, wanted)] if in_force else []
        return sel

    def _release(self, entry: Import) -> str:
        """The MPFS release name (``RVU24C``) of an imported PFS quarter, as ``pricing.release`` names it.

        The release whose days hold the import's first day in the embedded list of releases; the
        import's quarter where that list does not reach.
        """
        return next((r.name for r in reversed(self.releases) if r.start <= entry.effective <= r.end),
                    entry.quarter)

    def _fee(self, r: tuple[Any, ...], entry: Import, end: int) -> FeeRow:
        (_, code, _, mod, status, _, _, _, non_total, fac_total, pctc, glob, _, _, cf, _) = r
        return FeeRow(code=code, mod=mod, status=status,
                      nonfacility_total=None if non_total is None else Decimal(non_total),
                      facility_total=None if fac_total is None else Decimal(fac_total),
                      pctc=pctc, glob_days=glob, conv_factor=Decimal(cf), release=self._release(entry),
                      start=entry.effective, end=end, source=_source(entry))

    def fee_bounds(self) -> list[int]:
        """The embedded fee periods' bounds and the first day of every PFS quarter in the store."""
        bounds = set(self.base.fee_bounds())
        if "pfs" in self.loaded:
            bounds.update(i.effective for i in self.store.imports("pfs", NO_SETTING))
        return sorted(bounds)

    def pctc(self, code: str, dos: int) -> int | None:
        """The PC/TC indicator of the global PFS row of ``code`` in the quarter that decides ``dos``."""
        if "pfs" not in self.loaded or not (hit := self._imports("pfs", dos)):
            return self.base.pctc(code, dos)
        rows = [r for r in self._by_code("pfs", hit[0], (code,)) if r[3] == ""]
        if rows:
            return rows[0][10]
        # no row in the loaded release: the embedded answer (its latest release's row, else the code table's)
        return self.base.pctc(code, dos)

    def coverage(self) -> tuple[int, int]:
        """The first day of the embedded code history or of the oldest import, and the newest quarter's last day."""
        first, last = self.base.coverage()
        imports = self.store.imports()
        if imports:
            first = min(first, min(i.effective for i in imports))
            last = max(last, quarter_end(max(i.effective for i in imports)))
        return first, last

    def quarters(self) -> list[str]:
        """The quarters of the loaded PTP tables (the embedded one when none is loaded)."""
        if "ptp" not in self.loaded:
            return self.base.quarters()
        return sorted({i.quarter for i in self.store.imports("ptp", self.setting)})

    def describe(self) -> dict[str, Any]:
        """What is loaded: the store's imports and, per CMS table, whether it comes from the store."""
        out = self.base.describe()
        out["store"] = str(self.store.path)
        out["as_of_quarter"] = self.as_of
        out["from_store"] = sorted(self.loaded)
        out["imports"] = [i.to_dict() for i in self.store.imports()]
        for kind in ("ptp", "mue", "aoc", "pfs"):
            if kind in self.loaded:
                out[f"{kind}_rows_in_store"] = sum(i.rows for i in self.store.imports(kind, self._setting(kind)))
        return out

