"""What the class database (core.classroom) keeps, on both of its databases (tests/core/conftest.py): results
written at once, filtered, withdrawn, cleared and exported; hostile and over-long text; questions and answers;
the teacher's view and lesson; each browser's number. The database itself (where, schema, versions, addresses):
tests/core/test_class_database.py."""

import csv
import io
import math
import threading
from datetime import datetime, timedelta, timezone

import numpy as np
import pytest
from classrows import result

from core.classroom import limits, open_class_db
from core.classroom.results import CSV_COLUMNS
from core.errors import InvalidSpecError

UTC = timezone.utc
HOSTILE = ("<script>alert(1)</script>", "[link](javascript:x)", "\u202eevil\u202c", "**bold** $x$ :red[r]")


def test_eight_threads_writing_at_once_lose_nothing(db):
    start = threading.Barrier(8)
    errors = []

    def student(k: int) -> None:
        try:
            start.wait()
            for i in range(25):
                db.add_result(result(owner=f"token-{k}", name=f"student {k}", epochs=i))
        except Exception as exc:  # reported below, with the thread's number
            errors.append((k, exc))

    threads = [threading.Thread(target=student, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    rows = db.results()
    assert len(rows) == 200 and len({r.id for r in rows}) == 200
    for k in range(8):
        assert sorted(r.epochs for r in rows if r.owner == f"token-{k}") == list(range(25))


def test_filters_by_time_dataset_and_lesson(db):
    t0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
    for hours, dataset, lesson in [(0, "digits", "a"), (1, "iris", "a"), (2, "digits", "b"), (3, "iris", "")]:
        db.add_result(result(created=t0 + timedelta(hours=hours), dataset=dataset, lesson=lesson))
    paris = timezone(timedelta(hours=1))
    assert [r.created for r in db.results(since=t0 + timedelta(hours=2))] == [t0 + timedelta(hours=h) for h in (2, 3)]
    assert len(db.results(since=datetime(2025, 3, 1, 11, 0, tzinfo=paris))) == 3  # 10:00 UTC
    assert [r.lesson for r in db.results(dataset="digits")] == ["a", "b"]
    assert [r.dataset for r in db.results(lesson="a")] == ["digits", "iris"]
    assert [r.dataset for r in db.results(lesson="")] == ["iris"]
    assert len(db.results(dataset="iris", lesson="a", since=t0 + timedelta(minutes=30))) == 1
    with pytest.raises(InvalidSpecError, match="time zone"):
        db.results(since=datetime(2025, 3, 1))


def test_a_student_withdraws_their_own_rows_only(db):
    mine = db.add_result(result(owner="token-ada"))
    theirs = db.add_result(result(owner="token-bob", name="Bob"))
    assert db.withdraw(theirs, "token-ada") is False
    assert db.withdraw(mine, "token-bob") is False
    assert db.withdraw(10_000, "token-ada") is False
    assert db.withdraw("1", "token-ada") is False and db.withdraw(mine, "") is False
    assert [r.name for r in db.results()] == ["Ada", "Bob"]
    assert db.withdraw(mine, "token-ada") is True
    assert [r.name for r in db.results()] == ["Bob"]
    assert [r.withdrawn for r in db.results(include_withdrawn=True)] == [True, False]


def test_the_teacher_clears_a_lesson_or_everything(db):
    for lesson in ("a", "a", "b", ""):
        db.add_result(result(lesson=lesson))
    assert db.clear("a") == 2
    assert sorted(r.lesson for r in db.results()) == ["", "b"]
    assert db.clear("missing") == 0
    assert db.clear() == 2 and db.results() == []
    new = db.add_result(result())
    assert db.results()[0].id == new  # ids go on after a clear (a stale Withdraw never meets a new row)


def test_the_csv_has_a_header_the_names_and_never_a_token(db):
    tricky = 'Ada, "the" Count\ness'
    db.add_result(result(name=tricky, lesson="x"))
    db.add_result(result(owner="token-bob", name="=HYPERLINK(1)", metric="r2", test_score=-0.5))
    db.add_result(result(owner="token-eve", name="Eve", test_score=float("nan"), lesson="x"))
    text = db.results_csv()
    assert "token-" not in text
    rows = list(csv.reader(io.StringIO(text)))
    assert tuple(rows[0]) == CSV_COLUMNS
    table = [dict(zip(rows[0], r)) for r in rows[1:]]
    assert [r["name"] for r in table] == [tricky, "'=HYPERLINK(1)", "Eve"]  # a formula stays text
    assert [r["test_score"] for r in table] == ["0.95", "-0.5", ""]  # a number is not a formula
    assert table[0]["settings"].startswith("{") and datetime.fromisoformat(table[0]["created"]).tzinfo
    assert [r["name"] for r in csv.DictReader(io.StringIO(db.results_csv(lesson="x")))] == [tricky, "Eve"]


def test_hostile_text_is_kept_verbatim_and_long_text_is_refused_or_cut(db):
    for i, text in enumerate(HOSTILE):
        db.add_result(result(name=text, lesson=text, layers=text, link=f"/training?x={text}"))
        qid = db.ask(f"/p{i}", text, (text, "other"), lesson=text)
        db.answer(qid, "token-ada", text, text)
        [answer] = db.answers(qid)
        assert (answer.name, answer.value, db.question(qid).text, db.question(qid).choices[0]) == (text,) * 4
    assert [(r.name, r.lesson, r.layers) for r in db.results()] == [(t, t, t) for t in HOSTILE]

    huge = "x" * 10_000
    db.add_result(result(name="  " + huge))  # a name arrives with a run: cut, never refused
    assert db.results()[-1].name == "x" * limits.MAX_NAME
    db.add_result(result(name="A\x00da\ud800"))
    assert db.results()[-1].name == "Ada"
    refused = [
        (lambda: db.ask("/p", huge, None), "500 characters"),
        (lambda: db.ask("/p", "q?", (huge, "b")), "80 characters"),
        (lambda: db.ask("/p", "q?", tuple("abcdefghi")), "2 to 8 choices"),
        (lambda: db.ask("/p", "q?", ("a",)), "2 to 8 choices"),
        (lambda: db.ask("/p", "q?", ("a", "a")), "differ"),
        (lambda: db.ask("/p", "", None), "empty"),
        (lambda: db.ask("/" + huge, "q?", None), "2,000 characters"),
        (lambda: db.ask("/p", "a\x00b", None), "NUL"),
        (lambda: db.ask("/p", "q?", None, lesson=huge), "80 characters"),
        (lambda: db.send_view("/" + huge), "2,000 characters"),
        (lambda: db.add_result(result(link="/" + huge)), "2,000 characters"),
        (lambda: db.add_result(result(settings={"notes": huge})), "4,096 bytes"),
        (lambda: db.add_result(result(settings={"f": object()})), "setting"),
        (lambda: db.add_result(result(page="maths")), "page"),
        (lambda: db.add_result(result(metric="loss")), "metric"),
        (lambda: db.add_result(result(seconds=-1.0)), "training time"),
        (lambda: db.add_result(result(created=datetime(2025, 1, 1))), "time zone"),
    ]
    for call, words in refused:
        with pytest.raises(InvalidSpecError, match=words):
            call()
    assert len(db.questions(open_only=False)) == len(HOSTILE) and db.teacher_view() is None


def test_numpy_values_and_a_diverged_run_are_stored(db):
    db.add_result(result(params=np.int64(10), epochs=np.int32(3), test_score=np.float32(0.5), seconds=np.float64(2)))
    db.add_result(result(test_score=float("nan"), settings={"learning_rate": np.float64(10.0), "sizes": np.arange(2)}))
    first, diverged = db.results()
    assert (first.params, first.epochs, first.test_score, first.seconds) == (10, 3, 0.5, 2.0)
    assert math.isnan(diverged.test_score) and diverged.settings == {"learning_rate": 10.0, "sizes": [0, 1]}


def test_a_choice_question_keeps_one_answer_per_student(db):
    qid = db.ask("/training?dataset=digits", "Which learning rate trains fastest?", ("0.001", "0.1", "10"), "lr")
    other = db.ask("/cnn", "Which?", ("a", "b"), "lr")
    [q] = db.questions("/training?dataset=digits")
    assert (q.id, q.choices, q.lesson, q.is_open) == (qid, ("0.001", "0.1", "10"), "lr", True)
    assert [x.id for x in db.questions()] == [qid, other]
    db.answer(qid, "token-ada", "Ada", "0.001")
    db.answer(qid, "token-bob", "Bob", "10")
    db.answer(qid, "token-ada", "Ada L.", "0.1")  # a second answer replaces the first
    assert [(a.owner, a.name, a.value) for a in db.answers(qid)] == [
        ("token-bob", "Bob", "10"),
        ("token-ada", "Ada L.", "0.1"),
    ]
    with pytest.raises(InvalidSpecError, match="one of its 3 choices"):
        db.answer(qid, "token-eve", "Eve", "1")
    with pytest.raises(InvalidSpecError, match="one of its 3 choices"):
        db.answer(qid, "token-eve", "Eve", 0.1)
    db.close_question(qid)
    db.close_question(qid)  # twice: nothing more
    assert [x.id for x in db.questions()] == [other]
    assert not db.questions("/training?dataset=digits", open_only=False)[0].is_open
    with pytest.raises(InvalidSpecError, match="closed"):
        db.answer(qid, "token-eve", "Eve", "10")
    assert len(db.answers(qid)) == 2  # kept after closing
    with pytest.raises(InvalidSpecError, match="no question"):
        db.answer(10_000, "token-eve", "Eve", "a")
    assert db.clear_questions("lr") == 2 and db.answers(qid) == [] and db.question(qid) is None


def test_a_number_question_takes_numbers(db):
    qid = db.ask("/training", "What test accuracy will 8 hidden units reach (%)?", None)
    assert db.question(qid).choices is None
    db.answer(qid, "token-ada", "Ada", 80)
    db.answer(qid, "token-bob", "Bob", " 92.5 ")
    db.answer(qid, "token-ada", "Ada", 85.25)
    assert sorted((a.name, a.value) for a in db.answers(qid)) == [("Ada", 85.25), ("Bob", 92.5)]
    for bad, words in [("abc", "takes a number"), (float("nan"), "finite"), ("inf", "finite"), (1e300, "at most")]:
        with pytest.raises(InvalidSpecError, match=words):
            db.answer(qid, "token-eve", "Eve", bad)
    with pytest.raises(InvalidSpecError, match="session token"):
        db.answer(qid, "", "Eve", 1)


def test_the_teachers_view_is_sent_with_its_time(db):
    assert db.teacher_view() is None
    before = datetime.now(UTC)
    db.send_view("/training?dataset=digits&hidden=8")
    link, sent = db.teacher_view()
    assert link == "/training?dataset=digits&hidden=8" and before <= sent <= datetime.now(UTC)
    db.send_view("/cnn")
    assert db.teacher_view()[0] == "/cnn" and db.teacher_view()[1] >= sent
    db.clear_view()
    assert db.teacher_view() is None


def test_each_browser_gets_one_number_in_order_the_same_after_a_restart_and_on_every_server(db_url):
    """ "Student 7": the browser's number in the class, from the database, so two web servers never give two
    students one name; many asking at once (two servers' sessions) get distinct numbers, each browser one."""
    with open_class_db(db_url) as db:
        assert [db.student_number(t) for t in ("ada", "bob", "ada", "cy")] == [1, 2, 1, 3]
    with open_class_db(db_url) as one, open_class_db(db_url) as other:  # a restart; two servers on one database
        assert (one.student_number("bob"), other.student_number("bob"), other.student_number("dee")) == (2, 2, 4)
        got: dict[str, list[int]] = {}

        def ask(db, token):
            got.setdefault(token, []).append(db.student_number(token))

        threads = [threading.Thread(target=ask, args=(d, f"t{i % 8}")) for i in range(32) for d in (one, other)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert all(len(set(numbers)) == 1 for numbers in got.values()) and len(got) == 8
        assert sorted(n[0] for n in got.values()) == sorted(set(n[0] for n in got.values()))  # no two browsers one
        assert min(n[0] for n in got.values()) > 4
        with pytest.raises(InvalidSpecError, match="at most 100 characters"):
            one.student_number("x" * (limits.MAX_OWNER + 1))


def test_the_current_lesson_files_results_and_questions_and_names_every_lesson(db):
    assert db.current_lesson() == ""
    db.start_lesson("  Spiral  ")
    assert db.current_lesson() == "Spiral"
    db.add_result(result(lesson="Spiral"))
    db.ask("/training?dataset=spiral", "Deeper is better?", ("yes", "no"), lesson="Spiral")
    db.start_lesson("Digits")
    db.add_result(result(lesson="Digits"))
    db.add_result(result(lesson=""))
    assert db.current_lesson() == "Digits"
    assert db.lessons() == ["Spiral", "Digits"]
    with pytest.raises(InvalidSpecError, match="at most 80"):
        db.start_lesson("x" * 81)


def test_a_run_that_goes_on_replaces_its_owners_row_only(db):
    first = db.add_result(result(epochs=10, question=None))
    other = db.add_result(result(owner="token-bob", name="Bob"))
    second = db.add_result(result(epochs=25, question=7), replaces=first)
    assert [(r.id, r.epochs) for r in db.results()] == [(other, 20), (second, 25)]
    assert db.results()[-1].question == 7
    db.add_result(result(epochs=30), replaces=other)  # Bob's row is not Ada's to replace
    assert other in [r.id for r in db.results()]
