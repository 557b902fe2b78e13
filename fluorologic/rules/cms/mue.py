r"""NCCI medically unlikely edit (MUE) files: the CMS workbook/CSV layout and the reference CSV layout.

CMS layout (``MCR_MUE_PractitionerServices_Eff_07-01-2024.xlsx`` or its CSV): rows above the header
(a multi-line quoted copyright cell in the CSV), then the header ``HCPCS/\nCPT Code`` (the cell holds
a newline), ``Practitioner Services MUE Values``, ``MUE Adjudication Indicator``, ``MUE Rationale``.
The indicator cell reads like ``3 Date of Service Edit: Clinical``. The reference CSV layout
(``hcpcs_code, setting, mue_value, mai, mai_cms_text, mue_rationale``) holds several settings; only
the rows of the requested setting are read.

Examples
--------
>>> import tempfile, pathlib
>>> from fluorologic.rules.cms.tables import open_members
>>> p = pathlib.Path(tempfile.mkdtemp()) / "mue.csv"
>>> _ = p.write_text('"CPT codes, descriptions\nCopyright AMA",,,\n"HCPCS/\nCPT Code",Practitioner Services'
...                  ' MUE Values,MUE Adjudication Indicator,MUE Rationale\n20610,2,"3 Date of Service Edit:'
...                  ' Clinical",Anatomic Consideration\n')
>>> rows, setting = parse_mue(open_members([p]), None)
>>> setting, list(rows)
('practitioner', [('20610', 2, 3, '3 Date of Service Edit: Clinical', 'Anatomic Consideration')])

"""

from __future__ import annotations

import re
from collections.abc import Iterator

from fluorologic.rules.cms.quarter import setting_from_name
from fluorologic.rules.cms.tables import ImportFormatError, Member, code_cell, int_cell, norm_header

__all__ = ["MAI_TEXT", "MueTuple", "parse_mue"]

MueTuple = tuple[str, int, int, str, str]
"""code, MUE value, adjudication indicator (1-3), indicator text, rationale."""

MAI_TEXT = {1: "1 Line Edit", 2: "2 Date of Service Edit: Policy", 3: "3 Date of Service Edit: Clinical"}


def _layout(cells: list[str]) -> dict[str, int] | None:
    norm = [norm_header(c) for c in cells]

    def find(pred: object) -> int | None:
        return next((i for i, h in enumerate(norm) if pred(h)), None)  # type: ignore[operator]

    code = find(lambda h: h.startswith("hcpcs"))
    value = find(lambda h: "mue_value" in h or h == "mue")
    mai = find(lambda h: "adjudication" in h or h == "mai")
    if code is None or value is None or mai is None:
        return None
    out = {"code": code, "value": value, "mai": mai}
    for key, pred in (("mai_text", lambda h: h in ("mai_cms_text", "mai_text")),
                      ("rationale", lambda h: "rationale" in h), ("setting", lambda h: h == "setting")):
        i = find(pred)
        if i is not None:
            out[key] = i
    return out


def _header_setting(cells: list[str], layout: dict[str, int]) -> str | None:
    return setting_from_name(norm_header(cells[layout["value"]]))


def _mai(where: str, n: int, text: str, explicit: str | None) -> tuple[int, str]:
    m = re.match(r"\s*([123])(?:\s+(\S.*))?$", text, re.S)
    if not m:
        raise ImportFormatError(where, n, f"MUE adjudication indicator {text!r} is not 1, 2 or 3 (with its label)")
    mai = int(m.group(1))
    label = (explicit or "").strip() or (text.strip() if m.group(2) else MAI_TEXT[mai])
    return mai, " ".join(label.split())


def parse_mue(members: list[Member], setting: str | None) -> tuple[Iterator[MueTuple], str | None]:
    """MUE rows of ``members`` for ``setting``, and the setting the file states (or ``setting`` itself).

    The header is read eagerly so the setting is known before the rows are; the rows are a lazy iterator.

    Raises
    ------
    ImportFormatError
        No MUE header, a bad row (naming file and line), or several settings and none requested.

    """
    prepared = []
    stated = setting
    data_members = [m for m in members if "change" not in m.name.lower().rsplit("!", 1)[-1]]
    for member in data_members or members:  # a CMS MUE zip also holds a "Changes" workbook: not the table
        rows = member.rows()
        for n, cells in rows:
            layout = _layout(cells)
            if layout is not None:
                break
            if n > 50:
                raise ImportFormatError(member.name, n, "no MUE header (HCPCS/CPT Code, MUE Values, Adjudication"
                                                        " Indicator) in the first 50 lines")
        else:
            raise ImportFormatError(member.name, None, "no MUE header found (empty or truncated file?)")
        found = _header_setting(cells, layout) or setting_from_name(member.name)
        if "setting" not in layout:
            if setting and found and found != setting:
                raise ImportFormatError(member.name, n, f"the file holds {found} MUEs, not {setting}")
            stated = stated or found
        prepared.append((member, rows, layout))
    if any("setting" in lay for _, _, lay in prepared) and stated is None:
        raise ImportFormatError(prepared[0][0].name, None, "the file holds several settings: pass --setting")
    return _rows(prepared, stated), stated


def _rows(prepared: list[tuple[Member, Iterator[tuple[int, list[str]]], dict[str, int]]],
          setting: str | None) -> Iterator[MueTuple]:
    for member, rows, layout in prepared:
        count = 0
        width = max(layout.values())
        for n, cells in rows:
            if not any(c.strip() for c in cells):
                continue
            if len(cells) <= width:
                raise ImportFormatError(member.name, n, f"{len(cells)} fields, expected {width + 1} (truncated line?)")
            if "setting" in layout and cells[layout["setting"]].strip() != setting:
                continue
            code = code_cell(cells[layout["code"]])
            if code is None:
                raise ImportFormatError(member.name, n, f"code {cells[layout['code']]!r} is not a 5-character"
                                                        " CPT/HCPCS code")
            try:
                value = int_cell(cells[layout["value"]], "MUE value")
            except ValueError as exc:
                raise ImportFormatError(member.name, n, str(exc)) from None
            explicit = cells[layout["mai_text"]] if "mai_text" in layout else None
            mai, label = _mai(member.name, n, cells[layout["mai"]], explicit)
            rationale = cells[layout["rationale"]].strip() if "rationale" in layout else ""
            count += 1
            yield (code, value, mai, label, rationale)
        if count == 0:
            raise ImportFormatError(member.name, None, f"no MUE rows{' for ' + setting if setting else ''} found")
