"""Put a "why" answer (:meth:`fluorologic.explanation.explain.Explanation.explain`) into short plain text for a coder.

Examples
--------
>>> from fluorologic.explanation.explain import explain
>>> ex = explain({"encounter_id": "n", "date_of_service": "2024-08-14", "place_of_service": "21",
...               "lines": [{"code": "27506"}, {"code": "76000"}]})
>>> print(why_text(ex.explain("76000", what_if=False)).splitlines()[0])
76000 in encounter n: EXCLUDED

"""

from __future__ import annotations

import textwrap
from typing import Any

__all__ = ["why_text"]

_WIDTH = 100


def _wrap(text: str, indent: str) -> list[str]:
    return textwrap.wrap(text, width=_WIDTH, initial_indent=indent, subsequent_indent=indent + "  ") or [indent]


def _node_lines(n: dict[str, Any]) -> list[str]:
    out: list[str] = []
    where = f"line {n['line']}" if n["line"] else "candidate code"
    mods = ", ".join(f"{m} ({o})" for m, o in n["modifier_origin"].items()) or "none"
    amount = f", expected ${n['amount']:.2f}" if n["amount"] is not None else ""
    if n["amount"] is None and n["status"] in ("billed", "added"):
        amount = ", no fee known (amount null)"
    out.append(f"- {n['code']} ({where}): {n['status']}, {n['final_units']} unit(s) billable, modifiers: {mods}"
               f"{amount}")
    for sentence in n.get("pricing", []):
        out += _wrap(f"* {sentence}", "  ")
    if n["reasons"]:
        out.append("  Reasons (every one that applies, the decisive one first):")
        for i, r in enumerate(n["reasons"], start=1):
            out += _wrap(f"{i}. {r['reason']} by {r['by_label']} [rule {r['rule']}]", "    ")
            out += _wrap(r["detail"], "       ")
            bare = (r["row"] or "").split(" ", 2)[-1]
            if r["row"] and bare not in r["detail"]:
                out += _wrap(f"source: {r['row']}", "       ")
    for r in n["modifier_reasons"]:
        out += _wrap(f"* modifier {r['modifier']} [rule {r['rule']}]: {r['detail']}", "  ")
    for r in n.get("modifier_reviews", []):
        out += _wrap(f"* review modifier {r['modifier']} [rule {r['rule']}]: {r['detail']}", "  ")
    seen: set[str] = set()
    for r in n["support"]:
        if r["detail"] in seen:
            continue
        seen.add(r["detail"])
        out += _wrap(f"* {r['kind']} [rule {r['rule']}]: {r['detail']}", "  ")
        if r["row"] and r["kind"] == "supports":
            out += _wrap(f"source: {r['row']}", "      ")
    if n["chain"]:
        out.append("  Chain back to the facts:")
        for step in n["chain"]:
            out += _wrap(step, "    ")
    return out


def _what_if_lines(w: dict[str, Any] | None) -> list[str]:
    if not w:
        return []
    out = ["What would change it:"]
    if w["options"]:
        for o in w["options"]:
            out += _wrap(f"- {o['change']}: then it is billed ({o['units']} unit(s)), with nothing else lost "
                         "(checked by re-solving the encounter).", "  ")
    else:
        out += _wrap(w.get("nothing", "Nothing documented would change it."), "  ")
        for t in w["tried"]:
            out += _wrap("tried: " + " + ".join(t), "    ")
    return out


def why_text(ans: dict[str, Any]) -> str:
    """The plain-text answer: the outcome, every reason with its rule and source, the chain, what would change it."""
    out = [f"{ans['code']} in encounter {ans['encounter_id']}: {ans['status'].upper().replace('_', ' ')}"]
    out += _wrap(ans["summary"], "")
    out.append("")
    for n in ans["nodes"]:
        out += _node_lines(n)
    hyp = ans.get("hypothetical")
    if hyp:
        out.append("Had it been billed (the encounter re-solved with one more line):")
        for n in hyp.get("nodes", []):
            out += ["  " + s for s in _node_lines(n)]
    out += _what_if_lines(ans.get("what_would_change"))
    return "\n".join(out).rstrip() + "\n"
