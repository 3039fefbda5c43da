"""The same settings give the same numbers on any worker, first job or not: the Keras case a class saw differ
1 run in 8 (digits even vs odd, 16 relu units, adam, 20 epochs), on two fresh local clusters, two jobs each,
against the same training in this process. Every score must agree to the last digit."""

import time

import pytest

from core.classserver.cluster import Cluster
from core.classserver.job import DONE
from core.classserver.jobs import JobBoard
from core.datasets import load_dataset
from core.experiment import Experiment, prepare_data
from core.runs import start_run, train
from core.spec import MLPSpec, TrainConfig

pytestmark = pytest.mark.keras

EXP = Experiment(
    "digits",
    {"binary": "even"},
    backend="keras",
    spec=MLPSpec((16,), "relu"),
    config=TrainConfig(epochs=20, batch_size=32, learning_rate=1e-3, optimizer="adam", validation_fraction=0.1),
)


def _scores_on_a_fresh_cluster(data, jobs: int = 2) -> list[float]:
    cluster = Cluster(workers=1)
    cluster.client(timeout=120)
    board = JobBoard(cluster)
    try:
        scores = []
        for k in range(jobs):
            job = board.submit(f"student-{k}", EXP, data)
            deadline = time.monotonic() + 300
            while not job.finished:
                assert time.monotonic() < deadline, f"job still {job.state}"
                board.seen(job)
                time.sleep(0.05)
            assert job.state == DONE, job.error
            scores.append(board.collect(job).test_score)
        return scores
    finally:
        board.close()
        cluster.close()


def test_a_keras_run_gives_the_same_score_on_fresh_workers_and_in_process():
    data = prepare_data(load_dataset("digits", binary="even"), EXP.test_fraction, EXP.split_seed)
    here = train(start_run(EXP, data), data).test_score
    scores = _scores_on_a_fresh_cluster(data) + _scores_on_a_fresh_cluster(data)
    assert scores == [here] * 4
