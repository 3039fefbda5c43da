"""The class server's one memory account (core.classserver.memory.Holdings): arrays counted once, objects held
weakly (they go with the session that kept them), and one message before the budget is passed."""

import gc

import pytest

from core.classserver.memory import DATASETS, MEMORY_ENV, RUNS, UPLOADS, Holdings, MemoryFull, server_holdings
from core.datasets import load_dataset
from core.experiment import Experiment, prepare_data
from core.runs import start_run, train
from core.spec import MLPSpec, TrainConfig


def test_a_dataset_and_its_split_count_their_arrays_once_and_leave_with_their_holder():
    holdings = Holdings(budget_bytes=2**30)
    ds = load_dataset("digits")
    data = prepare_data(ds, 0.2, 0)
    holdings.hold(DATASETS, ds)
    own = holdings.used()
    assert ds.X.nbytes + ds.y.nbytes <= own < 1.1 * (ds.X.nbytes + ds.y.nbytes)
    holdings.hold(UPLOADS, data)
    usage = holdings.usage()
    assert usage[DATASETS] == (1, own) and 0.9 * own < usage[UPLOADS][1] < 1.2 * own  # (its scaled copies)
    assert holdings.used() == own + usage[UPLOADS][1]

    class Views:  # a first-N subset is a view: no bytes of its own
        def __init__(self):
            self.X, self.y = ds.X[:100], ds.y[:100]

    views = Views()
    holdings.hold(UPLOADS, views)
    holdings.hold(DATASETS, ds)  # held twice is one object
    assert holdings.usage()[DATASETS][0] == 1 and holdings.usage()[UPLOADS] == (2, usage[UPLOADS][1])
    del data, views
    gc.collect()
    assert UPLOADS not in holdings.usage() and holdings.used() == own


def test_a_run_counts_its_weights_and_snapshots():
    data = prepare_data(load_dataset("iris"), 0.2, 0)
    run = train(start_run(Experiment("iris", spec=MLPSpec((8,)), config=TrainConfig(epochs=5)), data), data)
    holdings = Holdings(budget_bytes=2**30)
    holdings.hold(RUNS, run)
    weights = sum(k.nbytes + b.nbytes for _, k, b in run.model.layer_weights())
    assert holdings.usage()[RUNS] == (1, weights + run.history.snapshots.nbytes)
    assert run.history.snapshots.nbytes > 0


def test_past_the_budget_is_one_message_that_says_what_and_what_to_do():
    holdings, ds = Holdings(budget_bytes=10 * 2**20), load_dataset("digits")
    holdings.hold(DATASETS, ds)  # ~0.5 MB
    holdings.make_room("small.csv", 2**20)
    with pytest.raises(MemoryFull) as refused:
        holdings.make_room("big.npz", 10 * 2**20)
    text = str(refused.value)
    assert "big.npz needs about 10 MB" in text and "of the 10 MB" in text and "ask the teacher" in text


def test_the_budget_is_the_teachers_to_set(monkeypatch):
    server_holdings.cache_clear()
    monkeypatch.setenv(MEMORY_ENV, "300")
    try:
        assert server_holdings().budget_bytes == 300 * 2**20
    finally:
        server_holdings.cache_clear()
