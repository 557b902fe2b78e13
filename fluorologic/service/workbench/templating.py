"""The workbench's Jinja2 environment: templates shipped in the package, every value escaped unless marked safe.

Autoescape is on for every template (HTML and SVG alike), so a value from a batch (an id, a code, a site, a
note's evidence, a file name) reaches a page as text whatever it holds; only SVG drawn from escaped parts (the
bar charts, the conflict graph) is passed in as :class:`markupsafe.Markup`. The claim page includes the
explanation's own template (``sections.html`` of :mod:`fluorologic.explanation.report_html`).

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

from jinja2 import ChoiceLoader, Environment, PackageLoader

from fluorologic.explanation.report_html import money, total_text, without_fee
from fluorologic.service.workbench.provenance import label

__all__ = ["BASE", "batch_url", "env", "money", "render", "rules_of", "url"]

BASE = "/workbench"


def url(path: str, **params: Any) -> str:
    """``path`` with the query parameters that are set (None and empty strings left out)."""
    query = urlencode([(k, v) for k, v in params.items() if v not in (None, "")])
    return f"{path}?{query}" if query else path


def batch_url(bid: int, sub: str = "", /, **params: Any) -> str:
    """The address of a batch's page ``sub`` (the dashboard when empty)."""
    return url(f"{BASE}/batches/{bid}/{sub}".rstrip("/"), **params)


def rules_of(batch: dict[str, Any]) -> str:
    """The rule data a batch was solved under, in one line (quarter, release, data hash when recorded)."""
    if not batch.get("rule_sha256"):
        return str(batch.get("rules") or "-")
    return label({"rules": batch.get("rules"), "quarter": batch.get("rule_quarter"),
                  "release": batch.get("rule_release"), "sha256": batch.get("rule_sha256")})


#: The workbench's templates, and the explanation's (``sections.html``, which the claim page includes).
env = Environment(loader=ChoiceLoader([PackageLoader("fluorologic.service.workbench", "templates"),
                                       PackageLoader("fluorologic.explanation", "templates")]), autoescape=True,
                  trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
env.globals.update(BASE=BASE, batch_url=batch_url, url=url, rules_of=rules_of, rule_label=label)
env.filters["money"] = money
env.filters["total"] = total_text
env.tests["fee_unknown"] = without_fee


def render(name: str, /, **context: Any) -> str:
    """The template ``name`` rendered with ``context``."""
    return env.get_template(name).render(**context)
