"""Bar charts as inline SVG, drawn by the server (no script, no library): each bar is a link.

The geometry is computed here; the template ``chart.svg`` draws it (autoescaped like every page).

Examples
--------
>>> svg = bar_chart([("ptp_bundled", 3, "/l?reason=ptp_bundled"), ("<b>", 1, "/l?x")], title="reasons")
>>> svg.startswith("<svg") and "&lt;b&gt;" in svg and 'href="/l?reason=ptp_bundled"' in svg
True

"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup

from fluorologic.service.workbench.templates import render

__all__ = ["bar_chart"]

_BAR = 22
_LABEL = 210
_WIDTH = 640


def bar_chart(bars: Sequence[tuple[str, float, str]], *, title: str, money: bool = False,
              colour: str = "#2563eb") -> Markup:
    """Horizontal bars (label, value, link) scaled to the largest value; an empty chart says so."""
    top = max((v for _, v, _ in bars), default=0) or 1
    span = _WIDTH - _LABEL - 90
    drawn = [{"label": str(label), "link": link, "y": 4 + i * _BAR, "w": max(1.0, span * value / top),
              "shown": f"${value:,.2f}" if money else f"{value:,.0f}"} for i, (label, value, link) in enumerate(bars)]
    return Markup(render("chart.svg", bars=drawn, title=title, colour=colour, width=_WIDTH,  # noqa: S704
                         height=_BAR * len(bars) + 8, label_w=_LABEL, bar=_BAR).strip())
