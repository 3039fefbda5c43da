"""What a student reads on the Training page when the class server has trouble: while the training cluster comes
back, the waiting page says the job keeps its place; when a worker died under a running job, the live page says
it started again. The board's cluster is a stand-in (its states are tested on real clusters in
tests/core/test_job_faults.py); here the page is what is checked."""

import pytest

import app.jobs as jobs
from core.classserver.job import RUNNING, WAITING
from core.classserver.job_reports import RESTARTED
from core.classserver.jobs import JobBoard


class _Returning:
    """A cluster that was up and is being restarted: jobs wait, nothing is handed to Dask."""

    ready, failure, local, workers, generation, down_for = False, "", True, 2, 1, 5.0
    returning = "The training cluster stopped and is being restarted. Your training keeps its place in line."

    def start_now(self):
        pass

    def threads(self):
        return 2


@pytest.fixture
def board(monkeypatch):
    b = JobBoard(_Returning(), abandon_after=600)
    monkeypatch.setattr(jobs, "job_board", lambda: b)
    yield b
    b.close()


def _train(app):
    app.query_params.update({"depth": "1", "w1": "8", "epochs": "3"})
    app.switch_page("../pages/training.py").run()
    return app.button(key="train_go").click().run()


def test_a_waiting_student_reads_that_the_cluster_is_coming_back_and_their_place(app, board):
    _train(app)
    assert not app.exception
    (job,) = board.jobs()
    assert job.state == WAITING
    warnings = " ".join(w.value for w in app.warning)
    assert "being restarted" in warnings and "keeps its place" in warnings
    assert any("1st in line" in i.value for i in app.info)


def test_a_running_student_reads_that_their_training_started_again(app, board):
    _train(app)
    (job,) = board.jobs()
    job.state, job.note = RUNNING, RESTARTED  # as the board sets them when Dask reruns a task whose worker died
    job.epochs = [{"epoch": 1, "loss": 1.0, "accuracy": 0.5}]
    app.run()
    assert not app.exception
    assert RESTARTED in [w.value for w in app.warning]
    assert any("Epoch 1 / 3" in str(p.proto) for p in app.get("progress"))
