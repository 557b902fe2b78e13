r"""Draw a conflict graph: Graphviz DOT text, SVG (Graphviz ``dot`` when installed, else a built-in layout).

Graphviz is optional: ``apt-get install graphviz`` (Debian/Ubuntu) or ``brew install graphviz`` puts ``dot`` on
the PATH. Without it, :func:`to_svg` lays the graph out in columns itself, so an SVG is always produced.

Examples
--------
>>> import networkx as nx
>>> g = nx.DiGraph()
>>> g.add_node("L1", kind="line", status="billed", label="64483\\nbilled x1")
>>> g.add_node("L2", kind="line", status="excluded", label="77003\\nexcluded")
>>> g.add_edge("L1", "L2", kind="suppresses", rule="guidance.included", reason="guidance_included")
>>> print(to_dot(g).splitlines()[0])
digraph conflict {
>>> to_svg(g, engine="python").startswith("<svg")
True

"""

from __future__ import annotations

import html
import shutil
import subprocess
from typing import Any

import networkx as nx

__all__ = ["COLOURS", "EDGE_STYLE", "graphviz_available", "to_dot", "to_svg"]

#: Fill and border colour per node status (also used by the HTML legend).
COLOURS = {"billed": ("#d8f3dc", "#2d6a4f"), "excluded": ("#ffd6d6", "#a4161a"), "added": ("#dbe9ff", "#1d4ed8"),
           "considered": ("#eeeeee", "#6b7280"), "fact": ("#fff3c4", "#a16207")}
#: Colour and dash per edge kind.
EDGE_STYLE = {"suppresses": ("#a4161a", ""), "blocks": ("#a4161a", ""), "replaces": ("#1d4ed8", ""),
              "trims": ("#c2410c", ""), "requires": ("#a4161a", "4,3"), "indicates": ("#1d4ed8", "4,3"),
              "supports": ("#2d6a4f", "4,3"), "bypasses": ("#6b7280", "2,3"), "modifies": ("#7c3aed", "4,3"),
              "lapsed": ("#6b7280", "2,3"), "implies": ("#a16207", "4,3")}
_TIMEOUT = 20


def _edge_label(d: dict[str, Any]) -> str:
    rels = d.get("relations") or [d]
    words = []
    for r in rels:
        w = r.get("reason") or r["kind"]
        if r.get("modifier"):
            w = f"{w} {r['modifier']}" if r.get("reason") else f"adds {r['modifier']}"
        if w not in words:
            words.append(w)
    return "\n".join(words)


def _q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def to_dot(g: nx.DiGraph) -> str:
    """The graph as Graphviz DOT text (nodes and edges in sorted order, so the text is deterministic)."""
    out = ["digraph conflict {", '  rankdir=LR; node [shape=box, style="rounded,filled", fontname="Helvetica", '
           'fontsize=11]; edge [fontname="Helvetica", fontsize=9];']
    for nid in sorted(g.nodes):
        d = g.nodes[nid]
        fill, line = COLOURS.get(d.get("status", "fact"), COLOURS["fact"])
        shape = ', shape=note' if d.get("kind") == "fact" else ""
        out.append(f"  {_q(nid)} [label={_q(d.get('label', nid))}, fillcolor={_q(fill)}, color={_q(line)}{shape}];")
    for src, dst in sorted(g.edges):
        d = g.edges[src, dst]
        colour, dash = EDGE_STYLE.get(d.get("kind", ""), ("#333333", ""))
        style = (', style=dotted' if dash == "2,3" else ', style=dashed') if dash else ""
        out.append(f"  {_q(src)} -> {_q(dst)} [label={_q(_edge_label(d))}, color={_q(colour)}, "
                   f"fontcolor={_q(colour)}{style}];")
    out.append("}")
    return "\n".join(out) + "\n"


def graphviz_available() -> bool:
    """True when the Graphviz ``dot`` program is on the PATH."""
    return shutil.which("dot") is not None


def to_svg(g: nx.DiGraph, *, engine: str = "auto") -> str:
    """The graph as SVG text: Graphviz ``dot`` when ``engine`` is ``auto`` and it is installed, else built in.

    Parameters
    ----------
    g
        A conflict graph.
    engine
        ``auto``, ``graphviz`` (fails with RuntimeError when ``dot`` is missing) or ``python``.

    """
    if engine in ("auto", "graphviz") and graphviz_available():
        try:
            proc = subprocess.run(["dot", "-Tsvg"], input=to_dot(g), capture_output=True, text=True,
                                  timeout=_TIMEOUT, check=True)
            svg = proc.stdout
            return svg[svg.index("<svg"):] if "<svg" in svg else svg
        except (OSError, subprocess.SubprocessError, ValueError):
            if engine == "graphviz":
                raise RuntimeError("Graphviz 'dot' failed to draw the graph") from None
    elif engine == "graphviz":
        raise RuntimeError("Graphviz 'dot' is not installed (apt-get install graphviz)")
    return _python_svg(g)


def _layers(g: nx.DiGraph) -> list[list[str]]:
    """Columns left to right: facts first, then each node one column right of its latest predecessor."""
    depth: dict[str, int] = {}
    order = list(nx.topological_sort(g)) if nx.is_directed_acyclic_graph(g) else sorted(g.nodes)
    for nid in order:
        preds = [depth[p] for p in g.predecessors(nid) if p in depth]
        depth[nid] = max(preds) + 1 if preds else 0
    cols: dict[int, list[str]] = {}
    for nid in sorted(g.nodes):
        cols.setdefault(depth[nid], []).append(nid)
    layers = [cols[k] for k in sorted(cols)]
    # Order each column by the mean row of its predecessors (fewer crossings), ties by id.
    row: dict[str, float] = {n: i for i, n in enumerate(layers[0])} if layers else {}
    for col in layers[1:]:
        def key(n: str) -> tuple[float, str]:
            preds = [row[p] for p in g.predecessors(n) if p in row]
            return (sum(preds) / len(preds) if preds else 0.0, n)

        col.sort(key=key)
        row.update({n: i for i, n in enumerate(col)})
    return layers


def _python_svg(g: nx.DiGraph) -> str:
    """A simple layered drawing: boxes in columns, straight arrows with their labels at the midpoint."""
    box_w, box_h, gap_x, gap_y, pad = 190, 46, 120, 28, 20
    pos: dict[str, tuple[int, int]] = {}
    cols = _layers(g)
    for ci, col in enumerate(cols):
        for ri, nid in enumerate(col):
            pos[nid] = (pad + ci * (box_w + gap_x), pad + ri * (box_h + gap_y))
    width = pad * 2 + max(1, len(cols)) * (box_w + gap_x) - gap_x
    height = pad * 2 + max([len(c) for c in cols] or [1]) * (box_h + gap_y) - gap_y
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" font-family="Helvetica, Arial, sans-serif" font-size="11">',
             '<defs>' + "".join(
                 f'<marker id="arrow-{k}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
                 f'orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="{c}"/></marker>' for k, (c, _) in
                 EDGE_STYLE.items()) + '</defs>']
    for src, dst in sorted(g.edges):
        d = g.edges[src, dst]
        kind = d.get("kind", "suppresses")
        colour, dash = EDGE_STYLE.get(kind, ("#333333", ""))
        (x1, y1), (x2, y2) = pos[src], pos[dst]
        sx, sy = x1 + box_w, y1 + box_h / 2
        tx, ty = (x2, y2 + box_h / 2) if x2 > x1 else (x2 + box_w / 2, y2 if y2 > y1 else y2 + box_h)
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(f'<g class="edge"><title>{html.escape(src)} -> {html.escape(dst)}</title>'
                     f'<line x1="{sx}" y1="{sy}" x2="{tx}" y2="{ty}" stroke="{colour}" stroke-width="1.4"'
                     f'{dash_attr} marker-end="url(#arrow-{kind})"/>')
        lx, ly = sx + (tx - sx) * 0.6, sy + (ty - sy) * 0.6
        for i, text in enumerate(_edge_label(d).split("\n")):
            parts.append(f'<text x="{lx:.1f}" y="{ly - 4 + 11 * i:.1f}" text-anchor="middle" fill="{colour}" '
                         f'font-size="9" stroke="#ffffff" stroke-width="3" paint-order="stroke">'
                         f'{html.escape(text)}</text>')
        parts.append("</g>")
    for nid in sorted(g.nodes):
        d = g.nodes[nid]
        fill, line = COLOURS.get(d.get("status", "fact"), COLOURS["fact"])
        x, y = pos[nid]
        parts.append(f'<g class="node"><title>{html.escape(nid)}</title><rect x="{x}" y="{y}" width="{box_w}" '
                     f'height="{box_h}" rx="8" fill="{fill}" stroke="{line}"/>')
        for i, text in enumerate(str(d.get("label", nid)).split("\n")[:2]):
            weight = ' font-weight="bold"' if i == 0 else ""
            parts.append(f'<text x="{x + box_w / 2}" y="{y + 18 + 15 * i}" text-anchor="middle"{weight}>'
                         f'{html.escape(text[:34])}</text>')
        parts.append("</g>")
    parts.append("</svg>")
    return "\n".join(parts) + "\n"
