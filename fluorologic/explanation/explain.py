"""Explain every decision of one encounter: the conflict graph and "why" answers, from the solved atoms.

:func:`explain` solves an encounter once and returns an :class:`Explanation` that holds the contract Result,
the conflict graph (:mod:`fluorologic.explanation.conflict_graph`) and answers per code. The account of what
happened reads the reason atoms only; "what would change it" re-solves modified encounters
(:mod:`fluorologic.explanation.whatif`).

Examples
--------
>>> ex = explain({"encounter_id": "fn", "date_of_service": "2024-08-14", "place_of_service": "21",
...               "lines": [{"code": "27506"}, {"code": "76000", "modifiers": ["26"]}]})
>>> ans = ex.explain("76000", what_if=False)
>>> ans["status"], ans["nodes"][0]["reasons"][0]["rule"]
('excluded', 'guidance.integral')
>>> sorted(ex.graph().nodes)
['L1', 'L2']

"""

from __future__ import annotations

import copy
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import networkx as nx

from fluorologic.contract.claim_lines import canonical_positions, line_numbers
from fluorologic.contract.encounter import CODE_RE, Encounter, parse_encounter
from fluorologic.contract.errors import InputError
from fluorologic.engine.decode import decode
from fluorologic.engine.solver import Engine
from fluorologic.explanation.conflict_graph import build_graph, graph_json
from fluorologic.explanation.whatif import what_would_change

if TYPE_CHECKING:
    from fluorologic.engine.solution import Solution

__all__ = ["Explanation", "explain"]

_CAUSES = {"suppresses", "blocks", "replaces", "trims", "requires"}
_SUPPORT = {"supports", "bypasses", "lapsed", "indicates", "implies"}
_MAX_CHAIN = 12


@dataclass
class Explanation:
    """A solved encounter with its Result, its conflict graph and per-code answers."""

    engine: Engine
    raw: dict[str, Any]
    solution: Solution
    result: dict[str, Any]
    _graph: nx.DiGraph | None = field(default=None, repr=False)

    @property
    def encounter(self) -> Encounter:
        """The validated encounter."""
        return self.solution.encounter

    @property
    def line_numbers(self) -> list[int]:
        """The claim's number of each line in the engine's canonical order (837P ``LX01``, else input order).

        See :mod:`fluorologic.contract.claim_lines`; the conflict graph, ``why`` and the pages number lines so.
        """
        nums = line_numbers(self.raw)
        positions = canonical_positions(self.raw)
        if len(positions) != len(self.encounter.lines) or len(nums) != len(positions):
            return list(range(1, len(self.encounter.lines) + 1))
        return [nums[p] for p in positions]

    def graph(self) -> nx.DiGraph:
        """The conflict graph (built once, from the atoms of the solved answer set), lines named in claim order."""
        if self._graph is None:
            self._graph = build_graph(self.solution, self.line_numbers)
        return self._graph

    def graph_json(self) -> dict[str, Any]:
        """The conflict graph as sorted networkx node-link data."""
        return graph_json(self.graph())

    def _node_answer(self, nid: str) -> dict[str, Any]:
        g = self.graph()
        d = g.nodes[nid]
        reasons, support, mods = [], [], []
        for src, _dst, e in sorted(g.in_edges(nid, data=True), key=lambda x: x[0]):
            for rel in e["relations"]:
                item = {**rel, "by": src, "by_label": _name(g, src),
                        "by_status": g.nodes[src]["status"]}
                if rel["kind"] in _CAUSES:
                    reasons.append(item)
                elif rel["kind"] == "modifies":
                    mods.append(item)
                else:
                    support.append(item)
        order = {r: i for i, r in enumerate(g.graph["reason_order"])}
        reasons.sort(key=lambda r: (order.get(r["reason"], 99), r["rule"], r["by"]))
        answer = {"node": nid, "line": d.get("line"), "status": d["status"], "code": d["code"],
                  "units": d.get("units", d.get("final_units")), "final_units": d["final_units"],
                  "modifiers": d["modifiers"], "amount": d["amount"], "pricing": d.get("pricing", []),
                  "shown_reason": d.get("reason"),
                  "reasons": reasons, "modifier_reasons": mods, "support": support, "chain": self._chain(nid)}
        claimed = set(d.get("claimed_modifiers", []))
        answer["modifier_origin"] = {m: ("as billed" if m in claimed else "appended by rule") for m in d["modifiers"]}
        answer["modifier_reviews"] = d.get("reviews", [])
        return answer

    def _chain(self, nid: str) -> list[str]:
        """The steps from ``nid`` back to the facts, breadth first over incoming edges."""
        g = self.graph()
        steps: list[str] = []
        seen = {nid}
        queue = deque([nid])
        while queue and len(steps) < _MAX_CHAIN:
            cur = queue.popleft()
            preds = sorted(g.predecessors(cur))
            if not preds and cur != nid and g.nodes[cur]["kind"] != "fact":
                steps.append(f"{_name(g, cur)} is billed: no billed code or encounter fact excludes it.")
            for src in preds:
                e = g.edges[src, cur]
                steps.append(f"{_name(g, cur)} <- {e['kind']} by {_name(g, src)} [{e['rule']}]")
                if src not in seen:
                    seen.add(src)
                    queue.append(src)
        return steps

    def explain(self, code: str, *, what_if: bool = True) -> dict[str, Any]:
        """What happened to ``code``, every reason back to the facts, and what would change it.

        Parameters
        ----------
        code
            A 5-character CPT/HCPCS code, claimed, added, considered or absent.
        what_if
            Re-solve modified encounters to find the smallest documented change that bills the code.

        Raises
        ------
        InputError
            When ``code`` is not a valid code.

        """
        if not isinstance(code, str) or not CODE_RE.match(code):
            raise InputError("code", "must be a 5-character CPT/HCPCS code such as 77002")
        g = self.graph()
        nids = sorted(n for n, d in g.nodes(data=True) if d.get("code") == code)
        out: dict[str, Any] = {"encounter_id": self.encounter.encounter_id, "code": code,
                               "nodes": [self._node_answer(n) for n in nids]}
        statuses = {n["status"] for n in out["nodes"]}
        trimmed = any(r["kind"] == "trims" for n in out["nodes"] for r in n["reasons"])
        if not nids:
            out["status"] = "not_considered"
            out["hypothetical"] = self._hypothetical(code, what_if=what_if)
        elif statuses & {"billed", "added"}:
            out["status"] = "billed" if "billed" in statuses else "added"
            if statuses & {"excluded", "considered"} or trimmed:
                out["status"] = "partly_billed"
        else:
            out["status"] = "excluded" if "excluded" in statuses else "considered"
        out["summary"] = _summary(out)
        if what_if and out["status"] in ("excluded", "considered", "partly_billed"):
            out["what_would_change"] = self._what_if(code, [r for n in out["nodes"] for r in n["reasons"]],
                                                     partly=out["status"] == "partly_billed")
        elif what_if and out["status"] == "not_considered" and out["hypothetical"].get("status") == "excluded":
            out["what_would_change"] = out["hypothetical"].get("what_would_change")
        return out

    def _kinds(self, code: str) -> dict[str, str]:
        kinds = {a.value for a in self.engine.data.attrs.get(code, ()) if a.attribute == "guidance_for"}
        return {code: next(iter(kinds))} if len(kinds) == 1 else {}

    def _what_if(self, code: str, items: list[dict[str, Any]], raw: dict[str, Any] | None = None, *,
                 partly: bool = False) -> dict[str, Any]:
        reasons = {r["reason"] for r in items if r["reason"]}
        found = what_would_change(self.engine, self.raw if raw is None else raw, code, reasons, self._kinds(code))
        if not found["options"]:
            found["nothing"] = _nothing_sentence(code, items, found, partly=partly)
        return found

    def _hypothetical(self, code: str, *, what_if: bool) -> dict[str, Any]:
        """Had ``code`` been billed as one more line: the solver's answer for that encounter."""
        raw = copy.deepcopy(self.raw)
        raw["lines"] = [*(raw.get("lines") or []), {"code": code}]
        try:
            other = explain(raw, self.engine)
        except InputError as err:
            return {"status": "unknown", "summary": f"the encounter cannot take one more line ({err})", "nodes": []}
        ans = other.explain(code, what_if=False)
        hyp = {"status": ans["status"], "summary": ans["summary"], "nodes": ans["nodes"]}
        if what_if and ans["status"] in ("excluded", "considered"):
            hyp["what_would_change"] = self._what_if(code, [r for n in ans["nodes"] for r in n["reasons"]], raw)
        return hyp


def _name(g: nx.DiGraph, nid: str) -> str:
    d = g.nodes[nid]
    if d["kind"] == "fact":
        return "(" + d["label"].replace("\n", " ") + ")"
    where = f"line {d['line']}" if d.get("line") else "candidate"
    return f"{d['code']} ({where}, {d['status']})"


def _summary(ans: dict[str, Any]) -> str:
    code, status = ans["code"], ans["status"]
    if status == "not_considered":
        hyp = ans["hypothetical"]
        return (f"{code} is not on the claim and the rules gave no reason to add it. "
                f"Had it been billed: {hyp.get('summary', 'unknown')}")
    parts = []
    for n in ans["nodes"]:
        where = f"line {n['line']}" if n["line"] else "as a candidate"
        mods = f" with {', '.join(n['modifiers'])}" if n["modifiers"] else ""
        if n["status"] in ("billed", "added"):
            verb = "is billed" if n["status"] == "billed" else "is added"
            amt = f" (expected ${n['amount']:.2f})" if n["amount"] is not None else " (no fee known)"
            if n.get("pricing") and n["amount"] is not None:
                amt = f" (expected ${n['amount']:.2f}, {'; '.join(n['pricing'])})"
            trims = [r for r in n["reasons"] if r["kind"] == "trims"]
            extra = f"; {trims[0]['detail']}" if trims else ""
            parts.append(f"{code} ({where}) {verb} x{n['final_units']}{mods}{amt}{extra}")
        else:
            top = n["reasons"][0] if n["reasons"] else None
            why = f": {top['reason']}. {top['detail']}" if top else ""
            verb = "is excluded" if n["status"] == "excluded" else "was considered but not added"
            parts.append(f"{code} ({where}) {verb}{why}")
    return " ".join(p if p.endswith(".") else p + "." for p in parts)


def _phrase(code: str, r: dict[str, Any]) -> str:
    """Why one reason stands, in words a coder reads (from the reason's own rule, row and cause)."""
    by = r["by_label"].split(" ")[0].split("-")[0]
    reason = r["reason"]
    if reason == "ptp_bundled":
        pair = (r["row"] or "").split(",")[0]
        if "modifier indicator 0" in (r["row"] or ""):
            return f"{pair} has modifier indicator 0: no modifier or documentation can bypass it"
        return f"{pair} (modifier indicator 1) alone could be bypassed by a documented distinct service"
    words = {"guidance_included": f"the descriptor of {by} includes imaging guidance",
             "integral_to_surgery": f"fluoroscopy is integral to {by}",
             "more_specific_guidance": f"the specific guidance code {by} includes general fluoroscopy",
             "add_on_without_primary": f"{code} is an add-on code and no billed procedure is its eligible primary",
             "imaging_inclusive_code": "CPT reports the pair as the single code with imaging guidance",
             "wrong_guidance_code": f"{code} is not the guidance code for the documented target",
             "component_billed_by_facility": "the facility owns the fluoroscopy unit and bills the technical part"}
    return words.get(reason, _FIXED.get(reason, reason or r["kind"]))


_FIXED = {"not_effective": "the code is not valid on the date of service",
          "components_combined": "the 26 and TC lines of one code billed by the unit's owner are one global service",
          "not_documented": "the note says fluoroscopy was not used (or only planned)",
          "unit_limit": "the unit limit caps the units whatever is documented"}


def _nothing_sentence(code: str, items: list[dict[str, Any]], found: dict[str, Any], *, partly: bool = False) -> str:
    why: list[str] = []
    for r in items:
        phrase = _phrase(code, r)
        if phrase not in why:
            why.append(phrase)
    checked = (f" (Checked by re-solving the encounter with {len(found['tried'])} documented change(s); none made it "
               "billable.)" if found["tried"] else "")
    what = f"bill more units of {code}" if partly else f"make {code} billable"
    return f"Nothing documented would {what} here: {'; '.join(why) or 'see the reasons'}.{checked}"


def explain(raw: dict[str, Any] | Any, engine: Engine | None = None) -> Explanation:
    """Validate and solve one encounter; return its :class:`Explanation` (raises InputError on bad input)."""
    engine = engine or Engine()
    enc = parse_encounter(raw, engine.places)
    sol = engine.solve_encounter(enc)
    # A private copy: "what would change it" re-solves variants of the encounter as it was explained.
    return Explanation(engine=engine, raw=copy.deepcopy(raw), solution=sol, result=decode(sol))
