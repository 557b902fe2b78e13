"""Bar charts as inline SVG, drawn by the server (no script, no library): each bar is a link.

Examples
--------
>>> svg = bar_chart([("ptp_bundled", 3, "/l?reason=ptp_bundled"), ("<b>", 1, "/l?x")], title="reasons")
>>> svg.startswith("<svg") and "&lt;b&gt;" in svg and 'href="/l?reason=ptp_bundled"' in svg
True

"""

from __future__ import annotations

import html
from collections.abc import Sequence

__all__ = ["bar_chart"]

_BAR = 22
_LABEL = 210
_WIDTH = 640


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def bar_chart(bars: Sequence[tuple[str, float, str]], *, title: str, money: bool = False,
              colour: str = "#2563eb") -> str:
    """Horizontal bars (label, value, link) scaled to the largest value; an empty chart says so."""
    if not bars:
        return f'<svg class="chart" role="img" aria-label="{_e(title)}" width="{_WIDTH}" height="30">' \
               f'<text x="4" y="20" font-size="13" fill="#4b5563">nothing to show</text></svg>'
    top = max(v for _, v, _ in bars) or 1
    span = _WIDTH - _LABEL - 90
    height = _BAR * len(bars) + 8
    parts = [f'<svg class="chart" role="img" aria-label="{_e(title)}" width="{_WIDTH}" height="{height}" '
             f'viewBox="0 0 {_WIDTH} {height}" xmlns="http://www.w3.org/2000/svg">']
    for i, (label, value, link) in enumerate(bars):
        y = 4 + i * _BAR
        w = max(1.0, span * value / top)
        shown = f"${value:,.2f}" if money else f"{value:,.0f}"
        parts.append(f'<a href="{_e(link)}"><title>{_e(label)}: {_e(shown)}</title>'
                     f'<text x="{_LABEL - 6}" y="{y + 15}" font-size="12" text-anchor="end" fill="#1f2937">'
                     f'{_e(label[:32])}</text>'
                     f'<rect x="{_LABEL}" y="{y + 2}" width="{w:.1f}" height="{_BAR - 6}" fill="{colour}" rx="2"/>'
                     f'<text x="{_LABEL + w + 6:.1f}" y="{y + 15}" font-size="12" fill="#1f2937">{_e(shown)}</text>'
                     "</a>")
    parts.append("</svg>")
    return "".join(parts)
