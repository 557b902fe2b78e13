"""The fast path: modules that exist only for speed, each answer equal to the reference path's.

A newcomer reads :mod:`fluorologic.engine.solver` first: one Control per encounter over ``encodings/main.lp``,
its facts from :mod:`fluorologic.engine.facts`, its Result from :mod:`fluorologic.engine.decode`. Everything here
gives the same Result faster, and the tests hold it to that (``tests/test_fast_path.py``, ``test_threads.py``,
``test_memokey.py``, ``test_determinism.py``):

- :mod:`~fluorologic.engine.fastpath.factcache`: the rule rows of a code combination, period, claim type, rate
  and locality built once (a *rule part*), and handed on to a worker with the encounters that need it;
- :mod:`~fluorologic.engine.fastpath.keyed` and :mod:`~fluorologic.engine.fastpath.rawsym`: the encodings rewritten
  so that many encounters are solved in one program (every atom keyed by its encounter), facts made as raw
  clingo symbols; :mod:`~fluorologic.engine.fastpath.symorder` orders the shown atoms as the reference path does;
- :mod:`~fluorologic.engine.fastpath.multisolve`: the batch solver over those (``Engine.solve_many``, the CLI's
  workers, the service);
- :mod:`~fluorologic.engine.fastpath.staged` and :mod:`~fluorologic.engine.fastpath.pricer`: a batch solved in two
  stages, the search without the pricing files (the amount can choose a billable set only where the suppression
  graph has a cycle: those encounters are solved with the whole program) and the pricing of its answer, the
  pricing files restated in Python (held equal to the files solved by clingo, ``tests/test_pricer.py``);
- :mod:`~fluorologic.engine.fastpath.liveprogram`: for one encounter alone, the plain program without the rules
  that cannot fire for its facts (the same ground program, grounded sooner);
- :mod:`~fluorologic.engine.fastpath.memokey` and :mod:`~fluorologic.engine.fastpath.resultmemo`: the canonical key
  of an encounter (its facts up to what the rules cannot see: the day between two rule dates, the site texts) and
  the bounded memo of rendered Results under it, shared by the single call, the CLI and the service.

How they fit, with the figures: ``docs/performance.md``.
"""
