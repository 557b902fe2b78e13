"""Which rule data a batch was solved under: the NCCI quarter, the MPFS release and a hash of the data itself.

"rules: store" says nothing an auditor can check: two imports of the same quarter (a corrected file) decide
differently and would look the same. A batch records instead the newest NCCI PTP quarter in force (or the
quarter it was solved *as of*), the newest MPFS RVU release, and a SHA-256 over the data: the embedded tables
shipped in the package (every file of ``fluorologic/data``, by name and bytes) and, for the rule store, each
import's kind, setting, quarter and file hash, plus the ``as of`` quarter. The same data gives the same hash on
any machine; any changed row gives another. Every review action records the identity of its batch's data.

Examples
--------
>>> from fluorologic.engine.solver import Engine
>>> ident = rule_identity(Engine(), "embedded")
>>> ident["quarter"], ident["release"], len(ident["sha256"])
('2024Q3', 'RVU25D', 64)
>>> rule_identity(Engine(), "embedded") == ident
True
>>> label(ident).startswith("embedded: NCCI 2024Q3, MPFS RVU25D, data sha256 ")
True

"""

from __future__ import annotations

import functools
import hashlib
import json
from importlib import resources
from typing import Any

from fluorologic.engine.solver import Engine

__all__ = ["embedded_digest", "label", "rule_identity"]


@functools.cache
def embedded_digest() -> str:
    """SHA-256 over the embedded rule tables (each file of ``fluorologic/data`` by name, then its bytes)."""
    h = hashlib.sha256()
    folder = resources.files("fluorologic").joinpath("data")
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if entry.is_file():
            h.update(entry.name.encode() + b"\0")
            h.update(entry.read_bytes())
            h.update(b"\0")
    return h.hexdigest()


def rule_identity(engine: Engine, rules: str) -> dict[str, Any]:
    """The identity of the rule data ``engine`` decides with (``rules`` is the workbench's name for it)."""
    data = engine.data
    d = data.describe()
    as_of = getattr(data, "as_of", None)
    quarters = d.get("ptp_quarters") or []
    releases = d.get("pfs_releases") or []
    imports = sorted((i["kind"], i["setting"], i["quarter"], i["sha256"]) for i in d.get("imports") or ())
    digest = hashlib.sha256(json.dumps({"embedded": embedded_digest(), "imports": imports, "as_of": as_of},
                                       sort_keys=True).encode()).hexdigest()
    return {"rules": rules, "quarter": as_of or (max(quarters) if quarters else None),
            "release": max(releases) if releases else None, "sha256": digest,
            "imports": [{"kind": k, "setting": s, "quarter": q, "sha256": h} for k, s, q, h in imports]}


def label(ident: dict[str, Any] | None) -> str:
    """The identity in one line a person reads (the hash shortened to 12 characters)."""
    if not ident:
        return "-"
    return (f"{ident.get('rules')}: NCCI {ident.get('quarter') or '-'}, MPFS {ident.get('release') or '-'}, "
            f"data sha256 {str(ident.get('sha256') or '')[:12]}")
