"""Score note findings against labels: precision, recall and F1 of use, agreement on the other fields.

The labels file is a CSV with ``note_id``, ``fluoroscopy_used``, ``fluoroscopy_negated``,
``fluoroscopy_time_seconds``, ``recommended_fluoro_code`` and ``spinal`` (``true``/``false``/empty).

Examples
--------
>>> gold = [Label("a", True, False, None, "77002", False), Label("b", False, True, None, "none", True)]
>>> pred = {"a": {"fluoroscopy_used": True, "fluoroscopy_negated": False, "fluoroscopy_time_seconds": None,
...               "recommended_fluoro_code": "77002", "spinal": False},
...         "b": {"fluoroscopy_used": False, "fluoroscopy_negated": True, "fluoroscopy_time_seconds": None,
...               "recommended_fluoro_code": "none", "spinal": None}}
>>> s = score(gold, pred)
>>> s["fluoroscopy_used"]["f1"], s["recommended_fluoro_code"]["accuracy"], s["spinal"]["accuracy"]
(1.0, 1.0, 0.5)

"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fluorologic.contract.errors import DataError

__all__ = ["CODES", "Label", "confusion", "load_labels", "score"]

CODES = ("77003", "77002", "76000", "bundled", "none")


@dataclass(frozen=True)
class Label:
    """The reference answer for one note."""

    note_id: str
    fluoroscopy_used: bool
    fluoroscopy_negated: bool
    fluoroscopy_time_seconds: float | None
    recommended_fluoro_code: str
    spinal: bool | None


def _bool(value: str, where: str, *, optional: bool = False) -> bool | None:
    v = value.strip().lower()
    if v in ("true", "1", "yes"):
        return True
    if v in ("false", "0", "no"):
        return False
    if optional and v == "":
        return None
    raise DataError(f"{where}: expected true or false, got {value!r}")


def load_labels(path: str | Path) -> list[Label]:
    """Read a labels CSV (see the module docstring)."""
    out = []
    with open(path, encoding="utf-8", newline="") as fh:
        for i, row in enumerate(csv.DictReader(fh), start=2):
            where = f"{Path(path).name} line {i}"
            t = row["fluoroscopy_time_seconds"].strip()
            out.append(Label(
                note_id=row["note_id"],
                fluoroscopy_used=bool(_bool(row["fluoroscopy_used"], where)),
                fluoroscopy_negated=bool(_bool(row["fluoroscopy_negated"], where)),
                fluoroscopy_time_seconds=float(t) if t else None,
                recommended_fluoro_code=row["recommended_fluoro_code"].strip(),
                spinal=_bool(row["spinal"], where, optional=True),
            ))
    return out


def _ratio(num: int, den: int) -> float:
    return round(num / den, 4) if den else 1.0


def score(labels: list[Label], predicted: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Compare predicted findings (``note_id`` -> findings dict) with the labels."""
    tp = fp = fn = 0
    agree = {"fluoroscopy_negated": 0, "recommended_fluoro_code": 0, "spinal": 0, "time": 0}
    timed = 0
    misses: dict[str, list[str]] = {k: [] for k in ("fluoroscopy_used", *agree)}
    for lab in labels:
        p = predicted[lab.note_id]
        used = bool(p["fluoroscopy_used"])
        tp += used and lab.fluoroscopy_used
        fp += used and not lab.fluoroscopy_used
        fn += (not used) and lab.fluoroscopy_used
        if used != lab.fluoroscopy_used:
            misses["fluoroscopy_used"].append(lab.note_id)
        for key in ("fluoroscopy_negated", "recommended_fluoro_code", "spinal"):
            if p[key] == getattr(lab, key):
                agree[key] += 1
            else:
                misses[key].append(lab.note_id)
        t = p["fluoroscopy_time_seconds"]
        if lab.fluoroscopy_time_seconds is not None or t is not None:
            timed += 1
            if t is not None and lab.fluoroscopy_time_seconds is not None \
                    and abs(float(t) - lab.fluoroscopy_time_seconds) < 0.5:
                agree["time"] += 1
            else:
                misses["time"].append(lab.note_id)
    n = len(labels)
    precision, recall = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
    f1 = round(2 * precision * recall / (precision + recall), 4) if precision + recall else 0.0
    return {
        "notes": n,
        "fluoroscopy_used": {"tp": tp, "fp": fp, "fn": fn, "precision": precision, "recall": recall, "f1": f1},
        "fluoroscopy_negated": {"accuracy": _ratio(agree["fluoroscopy_negated"], n),
                                "labelled_negated": sum(lab.fluoroscopy_negated for lab in labels)},
        "recommended_fluoro_code": {"accuracy": _ratio(agree["recommended_fluoro_code"], n)},
        "spinal": {"accuracy": _ratio(agree["spinal"], n)},
        "fluoroscopy_time_seconds": {"notes_with_time": timed, "accuracy": _ratio(agree["time"], timed)},
        "misses": misses,
    }


def confusion(labels: list[Label], predicted: dict[str, dict[str, Any]]) -> dict[str, dict[str, int]]:
    """The confusion table of ``recommended_fluoro_code``: labelled code -> predicted code -> notes.

    Examples
    --------
    >>> gold = [Label("a", True, False, None, "77002", False), Label("b", True, False, None, "bundled", False)]
    >>> got = {"a": {"recommended_fluoro_code": "77002"}, "b": {"recommended_fluoro_code": "76000"}}
    >>> confusion(gold, got)["bundled"]
    {'77003': 0, '77002': 0, '76000': 1, 'bundled': 0, 'none': 0}

    """
    table = {g: dict.fromkeys(CODES, 0) for g in CODES}
    for lab in labels:
        got = predicted[lab.note_id]["recommended_fluoro_code"]
        table.setdefault(lab.recommended_fluoro_code, dict.fromkeys(CODES, 0))
        table[lab.recommended_fluoro_code][got] = table[lab.recommended_fluoro_code].get(got, 0) + 1
    return table
