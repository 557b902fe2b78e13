"""Run the encodings on tiny hand-written fact sets and return the atoms of the optimal model."""

from __future__ import annotations

from collections.abc import Callable

import clingo
import pytest

from fluorologic.engine.encodings import program_text

# Rule data every tiny case shares: a spinal and a non-spinal procedure, the guidance codes, 76000.
BASE = """
dos(20240814). pos("11"). pos_setting("11",nonfacility). pos_owner("11",physician).
pos_setting("22",facility). pos_owner("22",facility).
code_kind("20610",procedure). target("20610",nonspinal).
code_kind("62273",procedure). target("62273",spinal).
code_kind("64483",procedure). target("64483",spinal). attr("64483",includes_guidance,yes).
code_kind("27506",procedure). target("27506",nonspinal). attr("27506",fluoroscopy_integral,yes).
code_kind("76000",fluoroscopy). attr("76000",general_fluoroscopy,yes). attr("76000",modality,fluoroscopy).
code_kind("77002",guidance). attr("77002",guidance_for,nonspinal). attr("77002",modality,fluoroscopy).
code_kind("77003",guidance). attr("77003",guidance_for,spinal). attr("77003",modality,fluoroscopy).
attr("77002",supersedes_general_fluoroscopy,yes). attr("77003",supersedes_general_fluoroscopy,yes).
attr("77003",once_per_session,yes).
attr(C,pctc,1) :- C = ("76000";"77002";"77003").
attr(C,pctc,0) :- C = ("20610";"62273";"64483";"27506").
addon("77002"). addon("77003"). aoc("20610","77002",1,r(1)). aoc("62273","77003",1,r(2)).
"""


def solve_program(facts: str, show: str = "", *, pos: str = "11") -> set[str]:
    """The shown atoms (plus ``show``) of the optimal model of the encodings with ``facts`` at place ``pos``."""
    messages: list[str] = []
    ctl = clingo.Control(["--opt-mode=opt"], logger=lambda _c, m: messages.append(m))
    ctl.add("base", [], program_text())
    ctl.add("base", [], BASE.replace('pos("11").', f'pos("{pos}").') + facts + show)
    ctl.ground([("base", [])])
    best: list[str] = []
    ctl.solve(on_model=lambda m: best.__setitem__(slice(None), [str(s) for s in m.symbols(shown=True)]))
    assert not messages, messages
    return set(best)


@pytest.fixture
def run() -> Callable[..., set[str]]:
    return solve_program
