"""Accuracy on the labelled MTSamples development set.

Two label sets, each made by reading every note: ``labels.csv`` (by the note reader's author, before the
reader existed) and ``labels_independent.csv`` (by a second coder who never saw the reader, its rules or the
first labels). The same thresholds hold against both. The corpus lives beside the repository clone
(``../shared/corpus/mtsamples``); the test is skipped with a message when it is absent. The notes are read
from there and never copied into the repository.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from fluorologic.notes import scan_note
from fluorologic.notes.scoring import load_labels, score

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "corpus" / "mtsamples"
LABEL_SETS = ["labels.csv", "labels_independent.csv"]


@pytest.fixture(scope="module", params=LABEL_SETS)
def scored(request):
    if not CORPUS.is_dir():
        pytest.skip(f"MTSamples corpus not found at {CORPUS} (it sits beside the repository clone in CI)")
    labels = load_labels(Path(__file__).with_name(request.param))
    predicted = {lab.note_id: scan_note((CORPUS / f"{lab.note_id}.txt").read_text(encoding="utf-8")).to_dict()
                 for lab in labels}
    return score(labels, predicted), labels


def test_labels_cover_the_whole_corpus(scored):
    _, labels = scored
    on_disk = sorted(p.stem for p in CORPUS.glob("mts-*.txt"))
    assert sorted(lab.note_id for lab in labels) == on_disk


def test_fluoroscopy_used_f1(scored):
    s, _ = scored
    assert s["fluoroscopy_used"]["f1"] >= 0.95, s["misses"]["fluoroscopy_used"]


def test_recommended_code_agreement(scored):
    s, _ = scored
    assert s["recommended_fluoro_code"]["accuracy"] >= 0.90, s["misses"]["recommended_fluoro_code"]


def test_negation_and_time(scored):
    s, _ = scored
    assert s["fluoroscopy_negated"]["accuracy"] >= 0.95, s["misses"]["fluoroscopy_negated"]
    assert s["fluoroscopy_time_seconds"]["accuracy"] >= 0.9, s["misses"]["time"]


def test_spinal_agreement(scored):
    s, _ = scored
    assert s["spinal"]["accuracy"] >= 0.9, s["misses"]["spinal"]
