"""The batch program in two stages: the search decides the billable set, a choice-free program prices it.

The payment files (:data:`PRICING_FILES`: the bilateral share, the multiple-procedure and imaging-family
reductions, the amounts) read the billable set and write amounts. Grounded inside the search, every one of their
rules depends on the choice of ``billed/1``, so clingo keeps each instance as a rule for the solver: they were a
third of a cold batch's grounding and solving. Yet the amount (level 7 of ``optimize.lp``) can choose between
billable sets only where the graph of attacks and add-on dependencies has a cycle (``choice_open``): elsewhere
there is one stable set, found without it. So a batch of professional claims is solved in two programs:

1. the *search*: every encoding but the pricing files, which also shows the atoms the pricing files read
   (:attr:`Stages.interface`, e.g. ``node/1``, ``both_sides/2``) and ``choice_open``;
2. the *pricing*: the pricing files alone, with the search's answer and the input facts they read
   (:attr:`Stages.facts`) as facts: no choice, so grounding computes the amounts outright.

An encounter whose search shows ``choice_open`` (a cycle: rare), and a hospital's claim (its OPPS payment is in
the search), is solved again with the whole program. The shown atoms of the two stages together are those of
the whole program: the pricing files' rules see the same atoms in both, and :func:`stages` checks, from the
parsed encodings, that the search reads nothing the pricing files derive but the objective's ``amount/3``
(whose atoms the search needs only where ``choice_open``). ``tests/test_fast_path.py`` holds the batch path
equal to the one-encounter path.

Examples
--------
>>> st = stages()
>>> sorted(st.interface)
[('added_both_sides', 1), ('billed', 1), ('both_sides', 2), ('final_mod', 2), ('final_units', 2), ('node', 1), \
('node_code', 2), ('setting', 1)]
>>> ("fee", 5) in st.facts and ("line", 3) in st.facts and ("fee", 5) not in st.search_facts
True
>>> sorted(st.hidden)
['added_both_sides', 'both_sides', 'choice_open', 'node']

"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from clingo import ast
from clingo.ast import ASTType

from fluorologic.contract.errors import EncodingError
from fluorologic.engine.encodings import file_text, program_text, statements
from fluorologic.engine.fastpath.keyed import _head_signatures, _Signatures

__all__ = ["OPEN", "PRICING_FILES", "Stages", "split", "stages"]

#: The files that price the billable set (and read it only): the pricing stage.
PRICING_FILES = ("bilateral_share.lp", "multiple_procedure.lp", "imaging_family.lp", "amounts.lp")
#: Shown by the search where the amount can choose between billable sets (``optimize.lp``).
OPEN = "choice_open"
#: What the search may read of the pricing files' atoms: the objective's amounts (needed only where ``choice_open``).
_OBJECTIVE = frozenset({("amount", 3)})

Signature = tuple[str, int]


@dataclass(frozen=True)
class Stages:
    """The two programs of a batch of professional claims, as text, and what passes between them."""

    #: Every encoding but the pricing files and ``explain.lp``, also showing :attr:`interface` and ``choice_open``.
    search: str
    #: The pricing files, with ``#defined`` for what they read and ``#show`` for the Result's atoms they derive.
    pricing: str
    #: The atoms the search derives and the pricing files read (passed on from the search's answer).
    interface: frozenset[Signature]
    #: The input facts (encounter atoms and rule rows) the pricing files read.
    facts: frozenset[Signature]
    #: The input facts the search reads (the others, e.g. ``fee/5``, only the pricing stage reads).
    search_facts: frozenset[Signature]
    #: Predicate names the search shows for the pricing stage only (not in the Result).
    hidden: frozenset[str]


def _body_signatures(stm: ast.AST) -> set[Signature]:
    finder = _Signatures()
    for lit in stm.body:
        finder(lit)
    return finder.found


def _reads_and_writes(text: str) -> tuple[set[Signature], set[Signature], set[Signature], set[Signature]]:
    """The predicates the rules of ``text`` read, derive, declare as input (``#defined``) and show."""
    reads: set[Signature] = set()
    writes: set[Signature] = set()
    inputs: set[Signature] = set()
    shown: set[Signature] = set()
    for stm in statements(text):
        if stm.ast_type == ASTType.Rule:
            writes |= _head_signatures(stm.head)
            reads |= _body_signatures(stm)
            heads = _Signatures()
            heads(stm.head)  # a condition inside a head aggregate reads too
            reads |= heads.found - _head_signatures(stm.head)
        elif stm.ast_type == ASTType.Minimize:
            reads |= _body_signatures(stm)
        elif stm.ast_type == ASTType.Defined:
            inputs.add((stm.name, stm.arity))
        elif stm.ast_type == ASTType.ShowSignature and stm.name:
            shown.add((stm.name, stm.arity))
    return reads, writes, inputs, shown


@functools.cache
def stages() -> Stages:
    """The search and pricing programs of the encodings (:func:`split`; computed once per process)."""
    return split(program_text(explain=False), program_text(explain=False, leave_out=frozenset(PRICING_FILES)),
                 file_text(*PRICING_FILES))


def split(whole: str, search: str, pricing: str) -> Stages:
    """The two stages of ``whole``: ``search`` (it without the pricing files) and ``pricing`` (those files).

    Raises
    ------
    EncodingError
        When the search reads an atom the pricing files derive (other than the objective's ``amount/3``), or the
        pricing files read an atom nothing derives or declares.

    Examples
    --------
    >>> st = split("#defined q/1. {p(X)} :- q(X). r(X) :- p(X). #show r/1.", "#defined q/1. {p(X)} :- q(X).",
    ...            "r(X) :- p(X).")
    >>> sorted(st.interface), st.pricing.splitlines()[0], sorted(st.hidden)
    ([('p', 1)], '#defined p/1.', ['choice_open', 'p'])
    >>> split("#defined q/1. p(X) :- q(X). r(X) :- p(X). s(X) :- r(X).", "#defined q/1. p(X) :- q(X). s(X) :- r(X).",
    ...       "r(X) :- p(X).")
    Traceback (most recent call last):
    ...
    fluorologic.contract.errors.EncodingError: the search reads atoms the pricing files derive: [('r', 1)]

    """
    s_reads, s_writes, inputs, shown = _reads_and_writes(search)
    p_reads, p_writes, _, _ = _reads_and_writes(pricing)
    leaks = (s_reads & p_writes) - _OBJECTIVE
    if leaks:
        raise EncodingError(f"the search reads atoms the pricing files derive: {sorted(leaks)}")
    needs = p_reads - p_writes
    facts = needs & inputs
    interface = needs - inputs
    missing = interface - s_writes
    if missing:
        raise EncodingError(f"the pricing files read atoms nothing derives: {sorted(missing)}")
    _, _, _, whole_shown = _reads_and_writes(whole)
    extra = sorted((interface | {(OPEN, 0)}) - shown)
    search += "".join(f"\n#show {name}/{arity}." for name, arity in extra)
    declared = "".join(f"#defined {name}/{arity}.\n" for name, arity in sorted(needs))
    results = "".join(f"\n#show {name}/{arity}." for name, arity in sorted(p_writes & whole_shown))
    return Stages(search=search, pricing=declared + pricing + "\n#show." + results, interface=frozenset(interface),
                  facts=frozenset(facts), search_facts=frozenset(s_reads & inputs),
                  hidden=frozenset(name for name, _ in extra))
