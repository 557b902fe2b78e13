r"""Compare two loaded quarters of one CMS table: the edits added, deleted and changed.

An edit is identified by its key (PTP: column 1 and column 2; MUE: the code; AOC: add-on and primary
code; PFS: code and modifier). It is *added* when only the new quarter has rows for the key,
*deleted* when only the old one has, and *changed* when both have rows but not the same ones (for
PTP edits this is how a deletion date, a modifier indicator or a rationale change shows).

Examples
--------
>>> import tempfile, pathlib
>>> from fluorologic.rules.store import RuleStore
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> head = "column_1,column_2,deletion_date,modifier_indicator,ptp_edit_rationale\n"
>>> _ = (d / "ccipra_2024q3.csv").write_text(head + "20610,76000,*,1,Misuse\n20610,77001,*,1,Misuse\n")
>>> _ = (d / "ccipra_2024q4.csv").write_text(head + "20610,76000,20241231,1,Misuse\n20610,77012,*,1,Misuse\n")
>>> store = RuleStore(d / "s.sqlite")
>>> for f in ("ccipra_2024q3.csv", "ccipra_2024q4.csv"):
...     _ = store.import_files("ptp", [d / f])
>>> diff = diff_quarters(store, "2024Q3", "2024Q4", kind="ptp")[0]
>>> diff["counts"]
{'added': 1, 'deleted': 1, 'changed': 1}

"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from fluorologic.contract.errors import DataError
from fluorologic.rules.store import RuleStore

__all__ = ["diff_quarters", "render_diff"]

_KEYS = {"ptp": ("column_1", "column_2"), "mue": ("code",), "aoc": ("add_on", "primary_code"), "pfs": ("code", "mod")}
_VALUES = {
    "ptp": ("effective", "deletion", "indicator", "rationale"),
    "mue": ("value", "mai", "mai_text", "rationale"),
    "aoc": ("edit_type", "effective", "deletion"),
    "pfs": ("status", "work_rvu", "non_na", "fac_na", "non_total", "fac_total", "pctc", "glob_days", "mult_proc",
            "bilat_surg", "conv_factor"),
}
_NAMES = {"ptp": ("effective", "deletion", "modifier_indicator", "rationale")}


def _value_names(kind: str) -> tuple[str, ...]:
    return _NAMES.get(kind, _VALUES[kind])


def _one(store: RuleStore, kind: str, setting: str, old_id: int, new_id: int) -> dict[str, Any]:
    keys, values = _KEYS[kind], _VALUES[kind]  # PTP rationales compare by id: the texts are shared by all imports
    cols = ", ".join((*keys, *values))
    only: dict[str, dict[tuple[str, ...], list[tuple[Any, ...]]]] = {}
    for side, (a, b) in (("new", (new_id, old_id)), ("old", (old_id, new_id))):
        sql = (f"SELECT {cols} FROM {kind} t WHERE import_id=? EXCEPT "  # noqa: S608
               f"SELECT {cols} FROM {kind} t WHERE import_id=? ORDER BY 1, 2")
        grouped: dict[tuple[str, ...], list[tuple[Any, ...]]] = defaultdict(list)
        for row in store.conn.execute(sql, (a, b)):
            grouped[tuple(row[: len(keys)])].append(tuple(row[len(keys):]))
        only[side] = grouped
    where = " AND ".join(f"{k}=?" for k in keys)

    texts = dict(store.conn.execute("SELECT id, text FROM rationale")) if kind == "ptp" else {}

    def rows(import_id: int, key: tuple[str, ...]) -> list[dict[str, Any]]:
        sql = f"SELECT {', '.join(values)} FROM {kind} t WHERE import_id=? AND {where} ORDER BY seq"  # noqa: S608
        out = [dict(zip(_value_names(kind), r, strict=True)) for r in store.conn.execute(sql, (import_id, *key))]
        for r in out:
            if "rationale" in r and kind == "ptp":
                r["rationale"] = texts.get(r["rationale"], r["rationale"])
        return out

    added, deleted, changed = [], [], []
    for key in sorted(set(only["new"]) | set(only["old"])):
        ident = dict(zip(keys, key, strict=True))
        old_rows, new_rows = rows(old_id, key), rows(new_id, key)
        if not old_rows:
            added.append({**ident, "rows": new_rows})
        elif not new_rows:
            deleted.append({**ident, "rows": old_rows})
        else:
            changed.append({**ident, "old": old_rows, "new": new_rows})
    return {"kind": kind, "setting": setting, "added": added, "deleted": deleted, "changed": changed,
            "counts": {"added": len(added), "deleted": len(deleted), "changed": len(changed)}}


def diff_quarters(store: RuleStore, old: str, new: str, *, kind: str | None = None,
                  setting: str | None = None) -> list[dict[str, Any]]:
    """One diff per (kind, setting) loaded in both quarters ``old`` and ``new`` (filtered by kind/setting).

    Raises
    ------
    DataError
        When no table is loaded in both quarters.

    """
    by_key: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
    for imp in store.imports(kind, setting):
        by_key[(imp.kind, imp.setting)][imp.quarter] = imp.id
    out = []
    for (k, s), quarters in sorted(by_key.items()):
        if old in quarters and new in quarters:
            out.append({"old": old, "new": new, **_one(store, k, s, quarters[old], quarters[new])})
    if not out:
        what = " ".join(filter(None, (kind, setting))) or "table"
        raise DataError(f"no {what} is loaded for both {old} and {new}; `fluorologic data info` lists what is loaded")
    return out


def _fmt(kind: str, item: dict[str, Any]) -> str:
    return "/".join(str(item[k]) or "-" for k in _KEYS[kind])


def _fmt_rows(rows: list[dict[str, Any]]) -> str:
    return "; ".join(", ".join(f"{k} {v}" for k, v in r.items() if v is not None) for r in rows)


def render_diff(diffs: list[dict[str, Any]]) -> str:
    """The diffs as text: a count line per table, then ``+``/``-``/``~`` lines per edit."""
    lines = []
    for d in diffs:
        c = d["counts"]
        lines.append(f"{d['kind']} {d['setting']} {d['old']} -> {d['new']}: {c['added']} added, "
                     f"{c['deleted']} deleted, {c['changed']} changed")
        lines += [f"  + {_fmt(d['kind'], i)}  {_fmt_rows(i['rows'])}" for i in d["added"]]
        lines += [f"  - {_fmt(d['kind'], i)}  {_fmt_rows(i['rows'])}" for i in d["deleted"]]
        lines += [f"  ~ {_fmt(d['kind'], i)}  {_fmt_rows(i['old'])}  =>  {_fmt_rows(i['new'])}" for i in d["changed"]]
    return "\n".join(lines)
