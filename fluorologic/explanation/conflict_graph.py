"""The conflict graph of a solved encounter, built only from the shown atoms of its answer set.

Nodes are the candidate lines (billed, excluded, added, or considered and not added) and the facts of the
encounter that mattered (place of service, equipment owner, date of service, documented target, distinct
service, note findings, unit limits). Edges say who suppressed, replaced, trimmed, modified or supported whom,
each with the rule id, the reason (contract vocabulary) and the data row it cites. Python decides nothing
here: every edge restates one atom (``why/5``, ``conflict/3``, ``trimmed/4`` or an atom of ``explain.lp``).

Examples
--------
>>> from fluorologic.engine.solver import Engine
>>> from fluorologic.contract.encounter import parse_encounter
>>> sol = Engine().solve_encounter(parse_encounter({"encounter_id": "t", "date_of_service": "2024-08-14",
...     "place_of_service": "11", "lines": [{"code": "64483", "site": "L5-S1"}, {"code": "77003"}]}))
>>> g = build_graph(sol)
>>> g.nodes["L2"]["status"], sorted(r["rule"] for r in g.edges["L1", "L2"]["relations"])
('excluded', ['guidance.included', 'ptp.bundled'])

Line nodes are named by the claim's own line numbers when they are given (the engine's canonical line 1 is the
claim's line 2 here, :mod:`fluorologic.contract.claim_lines`):

>>> g = build_graph(sol, [2, 1])
>>> g.nodes["L1"]["code"], g.nodes["L1"]["line"], g.nodes["L1"]["label"].splitlines()[0]
('77003', 1, 'line 1: 77003')

"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import networkx as nx
from clingo import Symbol

from fluorologic.engine.decode import py, row_citation
from fluorologic.engine.pricing import adjustment_detail
from fluorologic.rules.messages import alert_detail, bypass_text, date_text, excluded_detail, mue_scope, validity_words
from fluorologic.rules.ruledata import MueRow, PtpRow

if TYPE_CHECKING:
    from fluorologic.engine.solution import Solution

__all__ = ["EDGE_KINDS", "STATUSES", "build_graph", "graph_json", "node_id"]

#: Node statuses, in the order a legend lists them.
STATUSES = ("billed", "excluded", "added", "considered", "fact")
#: Edge kinds, most decisive first; an edge that carries several relations shows the first kind.
EDGE_KINDS = ("suppresses", "blocks", "replaces", "trims", "requires", "indicates", "supports", "bypasses",
              "modifies", "lapsed", "implies")

_KIND_WORD = {"spinal": "spinal", "nonspinal": "non-spinal"}
#: Node ids that name an engine line: a line, its documented target or distinct service; an inclusive pair.
_LINE_ID = re.compile(r"(F:(?:distinct|target):)?L(\d+)")
_PAIR_ID = re.compile(r"F:inclusive:(\d+)-(\d+)")


def node_id(node: Any) -> str:
    """The graph id of a candidate term: ``l(3)`` -> ``L3``, ``a("77003")`` -> ``A77003``.

    Examples
    --------
    >>> node_id({"l": 3}), node_id({"a": "77003"})
    ('L3', 'A77003')

    """
    if isinstance(node, dict) and "l" in node:
        return f"L{node['l']}"
    if isinstance(node, dict) and "a" in node:
        return f"A{node['a']}"
    if isinstance(node, dict) and "b" in node:  # the one bilateral line (modifier 50) of a code
        return f"B{node['b']}"
    raise ValueError(f"not a candidate term: {node!r}")


_USED = frozenset({"billed", "node_code", "final_units", "final_mod", "amount", "excluded", "owner", "owner_from",
                   "target_from", "conflict", "why", "inclusive_pair", "trimmed", "primary_of", "missed_from",
                   "replaces", "bypass_of", "lapsed_edit", "mod_from", "reason_rank", "review", "em", "adjusted",
                   "mp_tie"})


def _atoms(atoms: tuple[Symbol, ...]) -> dict[str, list[list[Any]]]:
    grouped: dict[str, list[list[Any]]] = defaultdict(list)
    for sym in atoms:
        name = sym.name
        if name in _USED:
            grouped[name].append([py(a) for a in sym.arguments])
    return grouped


class _Builder:
    """Accumulate nodes and edge relations, then freeze them into a sorted DiGraph."""

    def __init__(self, sol: Solution, numbers: Sequence[int] | None = None) -> None:
        self.sol = sol
        #: the claim's number of each canonical line (the engine's L1, L2, ... are named by them in the graph)
        self.numbers = list(numbers) if numbers is not None else list(range(1, len(sol.encounter.lines) + 1))
        self.enc = sol.encounter
        self.at = _atoms(sol.atoms)
        self.nodes: dict[str, dict[str, Any]] = {}
        self.relations: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
        self.code_of = {node_id(n): c for n, c in self.at["node_code"]}
        self.dos = self.enc.date_of_service.isoformat()

    def number(self, k: int) -> int:
        """The claim's number of the engine's line ``k``."""
        return self.numbers[k - 1]

    # -- data rows --------------------------------------------------------------------------------------------
    def row(self, rid: Any) -> Any:
        return self.sol.facts.rows.get(tuple(rid)) if isinstance(rid, list) and len(rid) == 2 else None

    def cite(self, rid: Any) -> dict[str, Any]:
        """The citation of a row id: ``{"row": "NCCI PTP practitioner 64483/77003, ..., 2024Q3", ...}``."""
        r = self.row(rid)
        if r is None:
            return {"row": None, "source": None, "quarter": None, "bare": None}
        c = row_citation(r)
        table = (c["table"] or "").replace(" practitioner", "")
        text = f"{table} {c['row']}" + (f", {c['quarter']}" if c["quarter"] else "")
        return {"row": text, "source": c["source"], "quarter": c["quarter"], "bare": text[len(table) + 1:]}

    # -- nodes ------------------------------------------------------------------------------------------------
    def fact(self, fid: str, label: str, category: str, **attrs: Any) -> str:
        if category == "note":
            attrs.setdefault("evidence", self.note_evidence(attrs.get("value")))
        self.nodes.setdefault(fid, {"kind": "fact", "status": "fact", "category": category, "label": label,
                                    "code": None, **attrs})
        return fid

    def note_evidence(self, finding: Any) -> list[dict[str, Any]]:
        """The note's text spans behind a finding (``spinal``/``nonspinal`` for a target read from the note)."""
        note = self.sol.facts.note
        if note is None:
            return []
        fact = "spinal" if finding in ("spinal", "nonspinal") else finding
        return [e.to_dict() for e in note.evidence if e.fact == fact]

    def relate(self, src: str, dst: str, kind: str, rule: str, reason: str | None, detail: str,
               rid: Any = None, **extra: Any) -> None:
        cite = self.cite(rid)
        del cite["bare"]
        rel = {"kind": kind, "rule": rule, "reason": reason, "detail": detail, **cite, **extra}
        if rel not in self.relations[(src, dst)]:
            self.relations[(src, dst)].append(rel)

    def candidates(self) -> None:
        billed = {node_id(n) for (n,) in self.at["billed"]}
        units = {node_id(n): u for n, u in self.at["final_units"]}
        amount = {node_id(n): round(c / 100, 2) for n, c, _ in self.at["amount"]}
        mods: dict[str, list[str]] = defaultdict(list)
        for n, m in self.at["final_mod"]:
            mods[node_id(n)].append(m)
        shown = {f"L{ln}": r for ln, r, *_ in self.at["excluded"]}
        ties = {node_id(n): self.code_of.get(node_id(m)) for side, n, m in self.at["mp_tie"] if side == "final"}
        paid: dict[str, list[str]] = defaultdict(list)
        for n, _order, rule, _num, den, data in sorted(self.at["adjusted"], key=lambda a: a[1]):
            nid = node_id(n)
            paid[nid].append(adjustment_detail(rule, den // 2, data, ties.get(nid) if rule == "multiple_procedure"
                                               else None))
        reviews: dict[str, list[dict[str, str]]] = defaultdict(list)
        for ln, mod, rule in sorted(self.at["review"]):
            nid = f"L{ln}"
            reviews[nid].append({"modifier": mod, "rule": rule, "detail": alert_detail(
                "modifier_review", rule, code=self.code_of[nid], data=mod)})
        for nid, code in sorted(self.code_of.items()):
            is_line = nid.startswith("L")
            on = nid in billed and units.get(nid, 0) > 0
            status = ("billed" if on else "excluded") if is_line else ("added" if on else "considered")
            attrs: dict[str, Any] = {"kind": "line" if is_line else "candidate", "status": status, "code": code,
                                     "final_units": units.get(nid, 0) if nid in billed else 0,
                                     "modifiers": sorted(mods[nid]), "amount": amount.get(nid),
                                     "reason": shown.get(nid), "reviews": reviews.get(nid, []),
                                     "pricing": paid.get(nid, [])}
            if is_line:
                line = self.enc.lines[int(nid[1:]) - 1]
                attrs.update(line=self.number(int(nid[1:])), units=line.units, claimed_modifiers=list(line.modifiers),
                             site=line.site, distinct=line.distinct)
            attrs["label"] = self._label(code, status, attrs)
            if is_line:
                attrs["label"] = f"line {attrs['line']}: {attrs['label']}"
            self.nodes[nid] = attrs

    @staticmethod
    def _label(code: str, status: str, a: dict[str, Any]) -> str:
        mods = "-".join(a["modifiers"])
        head = f"{code}-{mods}" if mods else code
        if status == "billed":
            tail = f"billed x{a['final_units']}" + (f", ${a['amount']:.2f}" if a["amount"] is not None else "")
        elif status == "excluded":
            tail = f"excluded: {a['reason'] or 'unit_limit'}"
        elif status == "added":
            tail = f"added x{a['final_units']}" + (f", ${a['amount']:.2f}" if a["amount"] is not None else "")
        else:
            tail = "considered, not added"
        return f"{head}\n{tail}"

    # -- fact nodes -------------------------------------------------------------------------------------------
    def owner_node(self) -> str:
        owner = next((o for (o,) in self.at["owner"]), self.enc.owner)
        fid = self.fact("F:owner", f"equipment owner:\n{owner}", "equipment_owner", value=owner)
        for _o, rule, frm in self.at["owner_from"]:
            if isinstance(frm, dict) and "pos" in frm:
                pos = self.fact("F:pos", f"place of service\n{frm['pos']}", "place_of_service", value=frm["pos"])
                self.relate(pos, fid, "implies", rule, None,
                            f"Place of service {frm['pos']} defaults the equipment owner to {owner}.")
        return fid

    def pos_node(self, pos: str) -> str:
        return self.fact("F:pos", f"place of service\n{pos}", "place_of_service", value=pos)

    def dos_node(self) -> str:
        return self.fact("F:dos", f"date of service\n{self.dos}", "date_of_service", value=self.dos)

    def target_node(self, line: int) -> str | None:
        for ln, kind, frm in self.at["target_from"]:
            if ln != line:
                continue
            if isinstance(frm, dict) and "site" in frm:
                where, cat = f"site '{frm['site']}'", "site"
            elif isinstance(frm, dict) and "code" in frm:
                where, cat = f"procedure {frm['code']}", "procedure_target"
            else:
                where, cat = "the note", "note"
            return self.fact(f"F:target:L{line}", f"line {self.number(line)} target:\n{_KIND_WORD[kind]} ({where})",
                             cat, value=kind, source_text=where)
        return None

    def distinct_node(self, nid: str) -> str:
        return self.fact(f"F:distinct:{nid}", f"distinct service\ndocumented ({self.code_of[nid]})",
                         "distinct_service", value=True)

    # -- edges ------------------------------------------------------------------------------------------------
    def reasons(self) -> None:
        conflicts = {(node_id(a), node_id(b), r) for a, b, r in self.at["conflict"]}
        by_code: dict[str, list[str]] = defaultdict(list)
        for nid, code in self.code_of.items():
            by_code[code].append(nid)
        for target, reason, rule, by, rid in self.at["why"]:
            dst = node_id(target)
            code = self.code_of[dst]
            if isinstance(by, dict) and "code" in by:
                srcs = [n for n in by_code[by["code"]] if (n, dst, rule) in conflicts] or by_code[by["code"]]
                for src in srcs:
                    self.relate(src, dst, "suppresses", rule, reason,
                                excluded_detail(reason, **self._slots(code, by["code"], rid)), rid)
            elif isinstance(by, dict) and "out_of_force" in by:
                when, day = by["out_of_force"]
                self.relate(self.dos_node(), dst, "blocks", rule, reason, excluded_detail(
                    reason, **self._slots(code, None, None, when=validity_words(when),
                                          date=date_text(day))))
            elif isinstance(by, dict) and "right" in by:
                right, kind = by["right"]
                src = self.target_node(int(dst[1:])) if dst.startswith("L") else None
                detail = excluded_detail(reason, **self._slots(code, right, None, kind=_KIND_WORD[kind]))
                if self.nodes.get(f"A{right}", {}).get("status") == "considered":
                    detail += f" {right} is not added either: see why it was not."
                if src:
                    self.relate(src, dst, "blocks", rule, reason, detail)
                if f"A{right}" in self.nodes and self.nodes[f"A{right}"]["status"] == "added":
                    self.relate(f"A{right}", dst, "replaces", rule, reason, detail)
            elif isinstance(by, dict) and ("owner" in by or "global" in by):
                self.relate(self.owner_node(), dst, "blocks", rule, reason,
                            excluded_detail(reason, rule, **self._slots(code, None, None)))
            elif isinstance(by, dict) and "pos" in by:
                self.relate(self.pos_node(by["pos"]), dst, "blocks", rule, reason,
                            excluded_detail(reason, rule, **self._slots(code, None, None)))
            elif isinstance(by, dict) and "note" in by:
                finding = by["note"]
                src = self.fact(f"F:note:{finding}", f"note:\n{finding.replace('_', ' ')}", "note", value=finding)
                self.relate(src, dst, "blocks", rule, reason,
                            excluded_detail(reason, rule, **self._slots(code, None, None)))
            elif reason == "add_on_without_primary":
                src = self.fact(f"F:aoc:{code}", f"{code} is an add-on:\nno billed eligible primary",
                                "add_on_rule", value=code)
                self.relate(src, dst, "requires", rule, reason,
                            excluded_detail(reason, **self._slots(code, None, None)))
            elif reason == "imaging_inclusive_code" and isinstance(by, str):
                self._inclusive(dst, by, rule, reason)
            elif reason == "bilateral_one_line" and isinstance(by, str):
                detail = excluded_detail(reason, **self._slots(code, by, None))
                src = f"B{by}" if self.nodes.get(f"B{by}", {}).get("status") == "added" else self.fact(
                    f"F:bilateral:{by}", f"{by}: MPFS bilateral\nindicator 1", "bilateral_indicator", value=by)
                self.relate(src, dst, "replaces" if src.startswith("B") else "blocks", rule, reason, detail)

    def _inclusive(self, dst: str, with_code: str, rule: str, reason: str) -> None:
        code = self.code_of[dst]
        detail = excluded_detail(reason, **self._slots(code, with_code, None))
        for w, g, i, rid in self.at["inclusive_pair"]:
            if i != with_code or int(dst[1:]) not in (w, g):
                continue
            pair = self.fact(f"F:inclusive:{w}-{g}", f"CPT: {self.code_of[f'L{w}']} + {self.code_of[f'L{g}']}\n"
                             f"is reported as {i}", "imaging_inclusive_pair", value=i)
            self.relate(pair, dst, "blocks", rule, reason, detail, rid)
            if f"A{i}" in self.nodes:
                self.relate(f"A{i}", dst, "replaces", rule, reason, detail, rid)
                self.relate(pair, f"A{i}", "indicates", rule, reason,
                            f"The pair is reported as the single code {i}, which includes the imaging guidance.", rid)

    def _slots(self, code: str, by: str | None, rid: Any, **extra: str) -> dict[str, Any]:
        slots: dict[str, Any] = {"code": code, "by": by, "dos": self.dos, "row": "", "bypass": "", "kind": "",
                                 "when": "", "date": ""}
        r = self.row(rid)
        if isinstance(r, PtpRow):
            slots["row"] = self.cite(rid)["bare"]
            slots["bypass"] = bypass_text(r.indicator, em=[code] in self.at["em"])
        slots.update(extra)
        return slots

    def trims(self) -> None:
        for n, t, rule, rid in self.at["trimmed"]:
            dst = node_id(n)
            code = self.code_of[dst]
            r = self.row(rid)
            if isinstance(r, MueRow):
                label, limit = f"MUE {code}:\n{r.value} unit(s), MAI {r.mai}", r.value
                per = mue_scope(r.mai)
            else:
                label, limit, per = f"{code}: once\nper session", 1, mue_scope(None)
            src = self.fact(f"F:limit:{code}", label, "unit_limit", value=limit)
            where = self.cite(rid)["row"] or "once-per-session rule"
            self.relate(src, dst, "trims", rule, "unit_limit", excluded_detail(
                "unit_limit", code=code, limit=limit, per=per, row=where, units=t), rid, units=t)

    def supports(self) -> None:
        for n, p, rule, rid in self.at["primary_of"]:
            dst, src = node_id(n), node_id(p)
            self.relate(src, dst, "supports", rule, None, f"{self.code_of[src]} is an eligible primary procedure of "
                        f"the add-on code {self.code_of[dst]} (NCCI add-on code edits).", rid)
        for n, p, rid in self.at["missed_from"]:
            dst, src = node_id(n), node_id(p)
            self.relate(src, dst, "supports", "addon.primary", "missed_billable",
                        f"{self.code_of[src]} is an eligible primary of {self.code_of[dst]}, and the note documents "
                        "fluoroscopic guidance with no guidance code billed.", rid)
            note = self.fact("F:note:fluoroscopy_used", "note:\nfluoroscopy used", "note", value="fluoroscopy_used")
            self.relate(note, dst, "indicates", "addon.primary", "missed_billable",
                        "The note documents that fluoroscopy was used.")
        for n, ln, why in self.at["replaces"]:
            dst = node_id(n)
            if why == "wrong_guidance_code":
                src = self.target_node(ln)
                if src:
                    kind = self.nodes[src]["value"]
                    self.relate(src, dst, "indicates", "guidance.wrong_code", why,
                                f"The target of line {self.number(ln)} is {_KIND_WORD[kind]}, so {self.code_of[dst]} "
                                f"is the guidance code that applies in place of {self.code_of[f'L{ln}']}.")

    def bypasses(self) -> None:
        for n2, n1, rule, rid in self.at["bypass_of"]:
            dst, src = node_id(n2), node_id(n1)
            code, by = self.code_of[dst], self.code_of[src]
            what = self.cite(rid)["row"] if isinstance(rid, list) else f"policy rule {rid}"
            if rule.startswith("em."):
                self._em_bypass(dst, src, rule, what, rid)
                continue
            self.relate(self.distinct_node(dst), dst, "bypasses", rule, None,
                        f"The record documents {code} as a distinct procedural service, which bypasses the edit of "
                        f"{by} ({what}).", rid if isinstance(rid, list) else None)
            self.relate(src, dst, "bypasses", rule, None,
                        f"{by} would suppress {code} ({what}), but a documented distinct service bypasses it.",
                        rid if isinstance(rid, list) else None)

    def _em_bypass(self, dst: str, src: str, rule: str, what: str, rid: Any) -> None:
        """An E/M that 25 (a significant, separately identifiable E/M) or 57 (the decision for surgery) lets through."""
        code, by = self.code_of[dst], self.code_of[src]
        mod = "57" if rule == "em.modifier_57" else "25"
        if mod == "57":
            fid = self.fact(f"F:em57:{dst}", f"57: decision for\nsurgery ({code})", "decision_for_surgery", value=True)
            why = f"Modifier 57 on {code}: the E/M was the decision for surgery for {by}, a 90-day-global procedure"
        else:
            fid = self.fact(f"F:em25:{dst}", f"25: significant, separately\nidentifiable E/M ({code})",
                            "significant_em", value=True)
            why = f"Modifier 25 on {code}: the record documents a significant, separately identifiable E/M service"
        self.relate(fid, dst, "bypasses", rule, None, f"{why}, which bypasses the edit of {by} ({what}).", rid)
        self.relate(src, dst, "bypasses", rule, None, f"{by} would suppress {code} ({what}), but {mod} on the E/M "
                    "bypasses it.", rid)

    def lapsed(self) -> None:
        for n1, n2, day, rid in self.at["lapsed_edit"]:
            src, dst = node_id(n1), node_id(n2)
            detail = (f"NCCI PTP edit {self.cite(rid)['bare']} was deleted on {date_text(day)}, before the date of "
                      f"service {self.dos}: it no longer bundles {self.code_of[dst]} into {self.code_of[src]}.")
            self.relate(src, dst, "lapsed", "ptp.lapsed", None, detail, rid)
            self.relate(self.dos_node(), dst, "lapsed", "ptp.lapsed", None, detail, rid)

    def modifiers(self) -> None:
        for n, mod, rule, by in self.at["mod_from"]:
            dst = node_id(n)
            code = self.code_of[dst]
            if by == "given":
                continue
            if isinstance(by, dict) and "pos" in by:
                agree = mod in self.nodes[dst].get("claimed_modifiers", [])
                place = (f"place of service {by['pos']} is a facility: Medicare pays the technical component to the "
                         "facility (42 CFR 410.42, 411.15(m)), so only the professional component is billed, whoever "
                         "owns the unit")
                detail = (f"Modifier 26 on {code} as billed agrees: {place}." if agree else
                          f"Modifier 26 appended to {code}: {place}.")
                self.relate(self.pos_node(by["pos"]), dst, "modifies", rule, None, detail, modifier=mod)
            elif mod == "25":
                fid = self.fact(f"F:em25:{dst}", f"25: significant, separately\nidentifiable E/M ({code})",
                                "significant_em", value=True)
                self.relate(fid, dst, "modifies", rule, None,
                            f"Modifier 25 appended to {code}: the record documents a significant, separately "
                            "identifiable E/M service, which bypasses an edit with modifier indicator 1 (59 and "
                            "X{EPSU} are never used on an E/M).", modifier=mod)
            elif isinstance(by, dict) and "owner" in by:
                agree = mod in self.nodes[dst].get("claimed_modifiers", [])
                detail = (f"Modifier 26 on {code} as billed agrees with the facility owning the fluoroscopy unit: only "
                          "the professional component belongs on this claim." if agree else
                          f"Modifier 26 appended to {code}: the facility owns the fluoroscopy unit, so only the "
                          "professional component is billed.")
                self.relate(self.owner_node(), dst, "modifies", rule, None, detail, modifier=mod)
            else:
                where = "at a separate site" if mod == "XS" else "(separate site, lesion or session)"
                self.relate(self.distinct_node(dst), dst, "modifies", rule, None,
                            f"Modifier {mod} appended to {code}: the record documents a distinct procedural service "
                            f"{where}, which bypasses an edit with modifier indicator 1.", modifier=mod)

    def claim_name(self, nid: str) -> str:
        """A node's id with the engine's line numbers replaced by the claim's (``L2``, ``F:distinct:L2``, ...)."""
        m = _LINE_ID.fullmatch(nid)
        if m:
            return f"{m.group(1) or ''}L{self.number(int(m.group(2)))}"
        m = _PAIR_ID.fullmatch(nid)
        if m:
            return f"F:inclusive:{self.number(int(m.group(1)))}-{self.number(int(m.group(2)))}"
        return nid

    def build(self) -> nx.DiGraph:
        self.candidates()
        self.reasons()
        self.trims()
        self.supports()
        self.bypasses()
        self.lapsed()
        self.modifiers()
        rank = dict(self.at["reason_rank"])
        g = nx.DiGraph(encounter_id=self.enc.encounter_id, date_of_service=self.dos,
                       place_of_service=self.enc.place_of_service,
                       reason_order=[r for _q, r in sorted((q, r) for r, q in rank.items())] + ["unit_limit"])
        name = {nid: self.claim_name(nid) for nid in self.nodes}
        for nid in sorted(self.nodes, key=name.__getitem__):
            g.add_node(name[nid], **self.nodes[nid])
        for (src, dst) in sorted(self.relations, key=lambda e: (name[e[0]], name[e[1]])):
            rels = sorted(self.relations[(src, dst)], key=lambda r: (
                EDGE_KINDS.index(r["kind"]), rank.get(r["reason"], 99), r["rule"], r["row"] or ""))
            top = rels[0]
            g.add_edge(name[src], name[dst], kind=top["kind"], rule=top["rule"], reason=top["reason"], row=top["row"],
                       detail=top["detail"], relations=rels)
        return g


def build_graph(sol: Solution, numbers: Sequence[int] | None = None) -> nx.DiGraph:
    """The conflict graph of a solved encounter (see the module docstring).

    ``numbers`` gives the claim's number of each line in the engine's canonical order (default: 1, 2, ...); line
    nodes are named ``L{number}`` and carry it as ``line``.
    """
    return _Builder(sol, numbers).build()


def graph_json(g: nx.DiGraph) -> dict[str, Any]:
    """The node-link data of ``g`` (``networkx.node_link_data``), nodes and edges sorted for determinism.

    Examples
    --------
    >>> g = nx.DiGraph()
    >>> g.add_edge("b", "a", rule="r")
    >>> [n["id"] for n in graph_json(g)["nodes"]]
    ['a', 'b']

    """
    try:
        data = nx.node_link_data(g, edges="edges")
    except TypeError:  # networkx < 3.4 names the keyword ``link``
        data = nx.node_link_data(g, link="edges")
    data["nodes"] = sorted(data["nodes"], key=lambda n: str(n["id"]))
    data["edges"] = sorted(data["edges"], key=lambda e: (str(e["source"]), str(e["target"])))
    return data
