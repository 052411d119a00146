"""Worker processes run steps with the run's garbage-collection thresholds, and the thresholds
are the caller's again after the run."""

import gc

import pytest

import dslint.engine
from dslint.config import ConfigResolver
from dslint.engine import lint_paths
from dslint.workers import GC_THRESHOLDS, Workers, fewer_garbage_collections


def test_thresholds_hold_within_the_block_and_are_restored_after_it_even_on_errors():
    before = gc.get_threshold()
    assert before != GC_THRESHOLDS
    with pytest.raises(ValueError):
        with fewer_garbage_collections():
            assert gc.get_threshold() == GC_THRESHOLDS
            raise ValueError
    assert gc.get_threshold() == before


def test_worker_processes_get_the_thresholds_of_the_run():
    with fewer_garbage_collections():
        inside = Workers(2).map(gc.get_threshold, [(), ()], heavy=True)
    outside = Workers(2).map(gc.get_threshold, [(), ()], heavy=True)
    assert inside == [GC_THRESHOLDS, GC_THRESHOLDS]
    assert outside == [gc.get_threshold()] * 2


def test_a_lint_run_steps_at_the_runs_thresholds(tmp_path, monkeypatch):
    seen = []
    original = dslint.engine.screen_file
    monkeypatch.setattr(dslint.engine, "screen_file",
                        lambda job, force: seen.append(gc.get_threshold()) or original(job, force))
    (tmp_path / "a.py").write_text("x = 1\n")
    before = gc.get_threshold()
    lint_paths([tmp_path / "a.py"], ConfigResolver(tmp_path))
    assert seen == [GC_THRESHOLDS]
    assert gc.get_threshold() == before
