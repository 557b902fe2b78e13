r"""NCCI add-on code (AOC) edit files: the CMS workbook/text layout and the reference CSV layout.

Columns are found by name in the first row that names both an add-on code and a primary code
column (``Add-on Code``, ``Primary Code``, ``AOC Edit Type``, and where present the effective and
deletion dates of the add-on code, the primary code and the edit). An edit is in force from the
latest of its effective dates to the earliest of its deletion dates.

Examples
--------
>>> import tempfile, pathlib
>>> from fluorologic.rules.cms.tables import open_members
>>> p = pathlib.Path(tempfile.mkdtemp()) / "aoc.csv"
>>> _ = p.write_text("primary_code,add_on_code,aoc_edit_type\n20610,77002,1\n")
>>> list(parse_aoc(open_members([p])))
[('20610', '77002', 1, None, 99991231)]

"""

from __future__ import annotations

from collections.abc import Iterator

from fluorologic.rules.cms.tables import ImportFormatError, Member, code_cell, date_cell, int_cell, norm_header

__all__ = ["AocTuple", "parse_aoc"]

AocTuple = tuple[str, str, int, int | None, int]
"""primary code (``CCCCC``: contractor-defined), add-on code, edit type 1-3, effective, deletion (open 99991231)."""


def _layout(cells: list[str]) -> dict[str, object] | None:
    norm = [norm_header(c) for c in cells]
    addon = [i for i, h in enumerate(norm) if h.startswith(("add_on_code", "addon_code")) and "date" not in h]
    primary = [i for i, h in enumerate(norm) if h.startswith("primary_code") and "date" not in h]
    etype = [i for i, h in enumerate(norm) if "edit_type" in h]
    if not addon or not primary or not etype:
        return None
    return {"add_on": addon[0], "primary": primary[0], "type": etype[0],
            "effective": [i for i, h in enumerate(norm) if "effective" in h and "date" in h],
            "deletion": [i for i, h in enumerate(norm) if "deletion" in h and "date" in h]}


def _member_rows(member: Member) -> Iterator[AocTuple]:
    layout: dict[str, object] | None = None
    count = 0
    for n, cells in member.rows():
        if layout is None:
            layout = _layout(cells)
            if layout is None and n > 50:
                raise ImportFormatError(member.name, n, "no AOC header (Add-on Code, Primary Code, AOC Edit Type)"
                                                        " in the first 50 lines")
            continue
        if not any(c.strip() for c in cells):
            continue
        yield _row(member.name, n, cells, layout)
        count += 1
    if layout is None:
        raise ImportFormatError(member.name, None, "no AOC header found (empty or truncated file?)")
    if count == 0:
        raise ImportFormatError(member.name, None, "no AOC rows found")


def _row(where: str, n: int, cells: list[str], layout: dict[str, object]) -> AocTuple:
    eff_cols: list[int] = layout["effective"]  # type: ignore[assignment]
    del_cols: list[int] = layout["deletion"]  # type: ignore[assignment]
    idx: list[int] = [layout["add_on"], layout["primary"], layout["type"], *eff_cols, *del_cols]  # type: ignore[list-item]
    if len(cells) <= max(idx):
        raise ImportFormatError(where, n, f"{len(cells)} fields, expected {max(idx) + 1} (truncated line?)")
    add_on = code_cell(cells[layout["add_on"]])  # type: ignore[index]
    primary = code_cell(cells[layout["primary"]])  # type: ignore[index]
    if add_on is None or primary is None:
        bad = cells[layout["add_on"] if add_on is None else layout["primary"]]  # type: ignore[index]
        raise ImportFormatError(where, n, f"code {bad!r} is not a 5-character CPT/HCPCS code")
    try:
        etype = int_cell(cells[layout["type"]], "AOC edit type", (1, 2, 3))  # type: ignore[index]
        effs = [d for i in eff_cols if (d := date_cell(cells[i], open_end=False)) is not None]
        dels = [d for i in del_cols if (d := date_cell(cells[i], open_end=True)) is not None]
    except ValueError as exc:
        raise ImportFormatError(where, n, str(exc)) from None
    return (primary, add_on, etype, max(effs) if effs else None, min(dels) if dels else 99991231)


def parse_aoc(members: list[Member]) -> Iterator[AocTuple]:
    """Every AOC edit row of ``members``, in file order.

    Raises
    ------
    ImportFormatError
        On the first malformed row, naming its file and line.

    """
    for member in members:
        yield from _member_rows(member)
