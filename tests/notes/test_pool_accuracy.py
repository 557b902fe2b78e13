"""Generalisation on notes the reader was never built on: the 160-note MTSamples pool (issue 19).

``labels_pool.csv`` was written by an independent coder who read every note of ``../shared/corpus/mtsamples_pool``
by hand, without running or seeing the reader (see ``README_pool.md``). The pool was kept out of the tuning
loop: the reader's rules were written against the issue, the unit tests and the 94-note development set, and
scored on the pool once, at the end. The thresholds are the issue's (F1 >= 0.97, code agreement >= 0.93).
The corpus sits beside the repository clone; the test is skipped with a message when it is absent.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from fluorologic.notes import scan_note
from fluorologic.notes.scoring import confusion, load_labels, score

ROOT = Path(__file__).resolve().parents[2]
POOL = ROOT.parent / "shared" / "corpus" / "mtsamples_pool"


@pytest.fixture(scope="module")
def pool():
    if not POOL.is_dir():
        pytest.skip(f"MTSamples pool not found at {POOL} (it sits beside the repository clone in CI)")
    labels = load_labels(Path(__file__).with_name("labels_pool.csv"))
    predicted = {lab.note_id: scan_note((POOL / f"{lab.note_id}.txt").read_text(encoding="utf-8")).to_dict()
                 for lab in labels}
    return score(labels, predicted), confusion(labels, predicted), labels


def test_labels_cover_the_whole_pool(pool):
    _, _, labels = pool
    assert sorted(lab.note_id for lab in labels) == sorted(p.stem for p in POOL.glob("pool-*.txt"))


def test_pool_fluoroscopy_used_f1(pool):
    s, _, _ = pool
    assert s["fluoroscopy_used"]["f1"] >= 0.97, (s["fluoroscopy_used"], s["misses"]["fluoroscopy_used"])


def test_pool_recommended_code_agreement(pool):
    s, table, _ = pool
    assert s["recommended_fluoro_code"]["accuracy"] >= 0.93, (table, s["misses"]["recommended_fluoro_code"])


@pytest.mark.xfail(strict=True, reason="scored once: pool-087 (a tunneled venous catheter the procedure table does "
                   "not name) gets 76000 from 'fluoroscopic examination of'; left as found, not tuned to the pool")
def test_pool_never_recommends_a_billable_code_the_coder_bundled(pool):
    _, table, _ = pool
    assert sum(table["bundled"][c] for c in ("77003", "77002", "76000")) == 0, table["bundled"]
