"""Worker processes run steps with the run's garbage-collection thresholds, and the thresholds
are the caller's again after the run; an analysis leaves no garbage behind and nothing frozen;
results come in order, each as soon as it is ready, and a pool that breaks leaves the rest of the
step to this process."""

import gc
import os
import time
from pathlib import Path

import pytest

import dslint.engine
from dslint.config import ConfigResolver
from dslint.engine import lint_paths, settings_of
from dslint.file_jobs import FileJob, analyse_file, screen_file
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
        inside = Workers(2).map(gc.get_threshold, [(), ()], heavy=True)  # the workers start now
    outside = Workers(2).map(gc.get_threshold, [(), ()], heavy=True)
    assert list(inside) == [GC_THRESHOLDS, GC_THRESHOLDS]
    assert list(outside) == [gc.get_threshold()] * 2


EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "chatbot" / "jobs.py"


def _analysis_of_the_example(text=None):
    """The example's screening (done), and its analysis (to do); `text` instead of its own."""
    job = FileJob(EXAMPLE, str(EXAMPLE), settings_of(ConfigResolver(EXAMPLE.parent).config_for(EXAMPLE)), text)
    screened = screen_file(job, force=True)
    return lambda: analyse_file(job, screened, {})


def test_an_analysis_leaves_no_garbage_and_nothing_frozen():
    analyse = _analysis_of_the_example()
    gc.collect()
    analysed = analyse()
    assert analysed.findings and analysed.facts.call_sites  # scopes were built: cycles to collect
    assert gc.get_freeze_count() == 0
    assert gc.collect() == 0


def test_an_analysis_leaves_what_its_caller_froze_frozen():
    analyse = _analysis_of_the_example()
    kept = [[index] for index in range(1000)]
    gc.freeze()
    try:
        analyse()
        assert gc.get_freeze_count() >= len(kept)
    finally:
        gc.unfreeze()


def test_text_that_does_not_parse_costs_no_collection(monkeypatch):
    analyse = _analysis_of_the_example("x = " + "(" * 300 + ")" * 300 + "\n")
    collections = []
    monkeypatch.setattr(gc, "collect", lambda *generation: collections.append(generation))
    analysed = analyse()
    assert [finding.code for finding in analysed.findings] == ["DS001"]
    assert collections == [] and gc.get_freeze_count() == 0


def _sees(marker: str) -> bool:
    """Whether `marker` appears within ten seconds."""
    deadline = time.monotonic() + 10
    while not os.path.exists(marker):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def test_results_come_as_they_are_ready(tmp_path):
    """The last item waits for what the caller does on receiving the first: it would wait in vain
    if the results came all at once."""
    marker = str(tmp_path / "first result received")
    results = iter(Workers(2).map(_sees, [(str(tmp_path),), (marker,)], heavy=True))
    first = next(results)
    Path(marker).touch()
    assert (first, next(results)) == (True, True)


def _exit_in_a_worker(parent: int, value: int) -> int:
    if value == 2 and os.getpid() != parent:
        os._exit(1)  # the worker dies
    return value * 10


def test_a_broken_pool_leaves_the_rest_to_this_process():
    values = list(Workers(2).map(_exit_in_a_worker, [(os.getpid(), value) for value in range(6)], heavy=True))
    assert values == [0, 10, 20, 30, 40, 50]


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
