"""The workbench's Jinja2 environment: templates shipped in the package, every value escaped unless marked safe.

Autoescape is on for every template (HTML and SVG alike), so a value from a batch (an id, a code, a site, a
note's evidence, a file name) reaches a page as text whatever it holds; only HTML the workbench itself built
from escaped parts (the explanation sections) is passed in as :class:`markupsafe.Markup`.

Examples
--------
>>> render("base.html", title="<b>title</b>", batch=None, refresh=False).count("&lt;b&gt;title&lt;/b&gt;")
2
>>> money(-12.5), money(None), money(3)
('-$12.50', '-', '$3.00')

"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, PackageLoader, StrictUndefined

__all__ = ["BASE", "batch_url", "env", "money", "render", "url"]

BASE = "/workbench"


def money(value: float | None) -> str:
    """Dollars as a coder reads them; ``-`` where no amount is known (never $0.00 for an unknown fee)."""
    if value is None:
        return "-"
    return f"-${-value:,.2f}" if value < 0 else f"${value:,.2f}"


def url(path: str, **params: Any) -> str:
    """``path`` with the query parameters that are set (None and empty strings left out)."""
    query = urlencode([(k, v) for k, v in params.items() if v not in (None, "")])
    return f"{path}?{query}" if query else path


def batch_url(bid: int, sub: str = "", /, **params: Any) -> str:
    """The address of a batch's page ``sub`` (the dashboard when empty)."""
    return url(f"{BASE}/batches/{bid}/{sub}".rstrip("/"), **params)


env = Environment(loader=PackageLoader("fluorologic.service.workbench", "templates"), autoescape=True,
                  undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
env.globals.update(BASE=BASE, batch_url=batch_url, url=url)
env.filters["money"] = money


def render(name: str, /, **context: Any) -> str:
    """The template ``name`` rendered with ``context``."""
    return env.get_template(name).render(**context)
