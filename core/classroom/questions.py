"""Predict, then run: the teacher's questions on a page, the class's answers, and the view the class follows.

The teacher asks a question on a page link (students on that link see it before they train): a choice among
2 to `limits.MAX_CHOICES` texts, or a number (`choices=None`). Each student answers once per question; answering
again replaces the answer (one row per session token, written in one statement, so two quick clicks never make
two). A closed question takes no more answers and keeps the ones it has.

"Follow the teacher" is one row: the link the teacher sent last and when (UTC). Pages poll `teacher_view` and
offer to go there; `clear_view` stops it. The class's current lesson is one row too (`start_lesson`,
`current_lesson`): the name every result and question recorded while it runs is filed under.
"""

from __future__ import annotations

import json
import numbers
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from core.classroom import limits
from core.classroom.db import answers, lesson, now, questions, reading, results, teacher_view, upsert, writing
from core.errors import InvalidSpecError


@dataclass(frozen=True)
class Question:
    id: int
    link: str  # the page link it is asked on
    text: str
    choices: tuple[str, ...] | None  # None: a number answer
    lesson: str
    created: datetime  # UTC
    closed: datetime | None  # UTC; None while open

    @property
    def is_open(self) -> bool:
        return self.closed is None


@dataclass(frozen=True)
class Answer:
    question_id: int
    owner: str  # the session token: which answer is the student's own (never shown)
    name: str  # display name
    value: str | float  # the choice, or the number
    answered: datetime  # UTC, of the latest answer


def _question(r: sa.Row) -> Question:
    choices = None if r.choices is None else tuple(json.loads(r.choices))
    return Question(r.id, r.link, r.text, choices, r.lesson, r.created, r.closed)


def _answer(r: sa.Row) -> Answer:
    return Answer(r.question_id, r.owner, r.name, r.choice if r.number is None else r.number, r.answered)


def _known(question_id: object) -> bool:
    """An id the database could hold (a str or a float from a link never reaches a query)."""
    return isinstance(question_id, numbers.Integral) and not isinstance(question_id, bool)


def _missing(question_id: object) -> InvalidSpecError:
    return InvalidSpecError(
        f"There is no question {str(question_id)[:20]!r} any more: the teacher may have removed it. Reload the page."
    )


class QuestionsStore:
    """ClassDB's questions, answers and the teacher's view (see the module). Safe from any thread."""

    _engine: Engine
    where: str

    def ask(self, link: str, text: str, choices: tuple[str, ...] | None = None, lesson: str = "") -> int:
        """The teacher's: ask `text` on the page `link`; the question's id. InvalidSpecError past a bound."""
        values = {
            "link": limits.bounded(link, limits.MAX_LINK, "A question's link", required=True),
            "text": limits.bounded(text, limits.MAX_QUESTION, "A question", required=True),
            "lesson": limits.bounded(lesson, limits.MAX_LESSON, "A lesson's name"),
            "created": now(),
        }
        options = limits.choices_of(choices)
        values["choices"] = None if options is None else json.dumps(options, ensure_ascii=False)
        with writing(self._engine, self.where) as conn:
            return conn.execute(sa.insert(questions).values(**values)).inserted_primary_key[0]

    def questions(self, link: str | None = None, open_only: bool = True) -> list[Question]:
        """Questions asked on `link` (None: on every page), oldest first; only open ones unless `open_only` is
        False. The link is matched exactly, as the teacher sent it."""
        statement = sa.select(questions)
        if link is not None:
            statement = statement.where(questions.c.link == link)
        if open_only:
            statement = statement.where(questions.c.closed.is_(None))
        with reading(self._engine, self.where) as conn:
            return [_question(r) for r in conn.execute(statement.order_by(questions.c.id))]

    def question(self, question_id: int) -> Question | None:
        if not _known(question_id):
            return None
        with reading(self._engine, self.where) as conn:
            r = conn.execute(sa.select(questions).where(questions.c.id == question_id)).first()
        return None if r is None else _question(r)

    def answer(self, question_id: int, owner: str, name: str, value: str | float) -> None:
        """A student's answer (a choice's text, or a number), replacing their earlier one. InvalidSpecError for
        a closed or removed question, or a value the question does not take."""
        if not _known(question_id):
            raise _missing(question_id)
        owner = limits.bounded(owner, limits.MAX_OWNER, "A session token", required=True)
        shown = limits.display_name(name)
        with writing(self._engine, self.where) as conn:
            q = conn.execute(sa.select(questions).where(questions.c.id == question_id)).first()
            if q is None:
                raise _missing(question_id)
            if q.closed is not None:
                raise InvalidSpecError("This question is closed: the teacher has stopped taking answers.")
            choices = None if q.choices is None else tuple(json.loads(q.choices))
            if choices is None:
                choice, number = None, limits.number_answer(value)
            elif isinstance(value, str) and value in choices:
                choice, number = value, None
            else:
                raise InvalidSpecError(
                    f"This question's answer is one of its {len(choices)} choices, received "
                    f"{str(value)[: limits.MAX_CHOICE]!r}. Choose one of them."
                )
            row = {"question_id": q.id, "owner": owner, "name": shown, "choice": choice, "number": number}
            upsert(conn, answers, {**row, "answered": now()}, keys=("question_id", "owner"))

    def answers(self, question_id: int) -> list[Answer]:
        """A question's answers, one per student, in the order they were last given."""
        if not _known(question_id):
            return []
        statement = sa.select(answers).where(answers.c.question_id == question_id)
        with reading(self._engine, self.where) as conn:
            return [_answer(r) for r in conn.execute(statement.order_by(answers.c.answered, answers.c.id))]

    def close_question(self, question_id: int) -> None:
        """The teacher's: stop taking answers (its answers stay). Closing twice, or a removed one, does nothing."""
        if not _known(question_id):
            return
        with writing(self._engine, self.where) as conn:
            conn.execute(
                sa.update(questions)
                .where(questions.c.id == question_id, questions.c.closed.is_(None))
                .values(closed=now())
            )

    def clear_questions(self, lesson: str | None = None) -> int:
        """The teacher's: remove a lesson's questions and their answers (None: all); how many questions went."""
        chosen = sa.select(questions.c.id)
        if lesson is not None:
            chosen = chosen.where(questions.c.lesson == lesson)
        with writing(self._engine, self.where) as conn:
            conn.execute(sa.delete(answers).where(answers.c.question_id.in_(chosen)))
            return conn.execute(sa.delete(questions).where(questions.c.id.in_(chosen))).rowcount

    def send_view(self, link: str) -> None:
        """The teacher's: every student's page offers `link` (a page link) from now on."""
        link = limits.bounded(link, limits.MAX_LINK, "The teacher's link", required=True)
        with writing(self._engine, self.where) as conn:
            upsert(conn, teacher_view, {"id": 1, "link": link, "sent": now()}, keys=("id",))

    def teacher_view(self) -> tuple[str, datetime] | None:
        """The link the teacher sent last and when (UTC); None when none is sent."""
        with reading(self._engine, self.where) as conn:
            r = conn.execute(sa.select(teacher_view.c.link, teacher_view.c.sent)).first()
        return None if r is None else (r.link, r.sent)

    def clear_view(self) -> None:
        """The teacher's: stop sending a view."""
        with writing(self._engine, self.where) as conn:
            conn.execute(sa.delete(teacher_view))

    def start_lesson(self, name: str) -> None:
        """The teacher's: file every result and question from now on under the lesson `name` ("": none)."""
        name = limits.bounded(name.strip() if isinstance(name, str) else name, limits.MAX_LESSON, "A lesson's name")
        with writing(self._engine, self.where) as conn:
            upsert(conn, lesson, {"id": 1, "name": name, "started": now()}, keys=("id",))

    def current_lesson(self) -> str:
        """The lesson results are filed under now ("" before the teacher names one)."""
        with reading(self._engine, self.where) as conn:
            return conn.execute(sa.select(lesson.c.name)).scalar() or ""

    def lessons(self) -> list[str]:
        """Every lesson name results or questions are filed under, in the order they first appear."""
        with reading(self._engine, self.where) as conn:
            named = sa.union_all(
                sa.select(results.c.lesson.label("name"), results.c.created.label("at")),
                sa.select(questions.c.lesson.label("name"), questions.c.created.label("at")),
            ).subquery()
            statement = sa.select(named.c.name).group_by(named.c.name).order_by(sa.func.min(named.c.at))
            return [name for name in conn.execute(statement).scalars() if name]
