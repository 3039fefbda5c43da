"""Student text is plain text (#24): markdown, LaTeX, colours and HTML in an uploaded file's name, in its class
names and in a link's values appear literally on the student's page and on the teacher's, never as a link, an
image, a formula or a colour, and no page ever fetches the addresses they carry."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
from browser import assert_no_exception, screenshot, wait_idle, wait_trained

pytestmark = pytest.mark.e2e

TOKEN = "e2e-teacher-token"  # conftest.TEACHER_TOKEN, what teacher_url starts with
HOST = "x.test"
# A file name cannot hold "/", so the links are "https:x.test" (still links to markdown).
FILE = f"[Teacher: click to see my grade](https:{HOST}) ![](https:{HOST}) $x^2$ :red[red] <b>B</b> www.{HOST}.csv"
CLASSES = (f"[cls](https:{HOST})", "$y^2$ :blue[b]")
LINK = f"[e](https://{HOST}/a)<img src=https://{HOST}/i.png>"
ROWS = 1000  # with bs=1 and 200 epochs a run lasts long enough for the teacher to see it in line


def _csv() -> bytes:
    rows = ["a,b,label"] + [f"{i % 7},{i % 5},{CLASSES[i % 2]}" for i in range(ROWS)]
    return "\n".join(rows).encode()


def _watch(page) -> list[str]:
    """Every request the page makes to the crafted host (there must be none)."""
    fetched: list[str] = []
    page.on("request", lambda r: fetched.append(r.url) if HOST in (urlparse(r.url).hostname or "") else None)
    return fetched


def _literal(page) -> str:
    """The page's text after checking nothing in it was rendered from student text."""
    app = page.get_by_test_id("stApp")
    bad = app.locator(f"a[href*='{HOST}'], img[src*='{HOST}'], [src*='{HOST}']")
    assert bad.count() == 0, [
        bad.nth(i).evaluate("e => e.parentElement.parentElement.outerHTML.slice(0, 600)") for i in range(bad.count())
    ]
    assert app.locator(".katex, .katex-display").count() == 0
    assert app.locator("[data-testid='stMarkdownContainer'] b, [data-testid='stMarkdownContainer'] img").count() == 0
    return app.inner_text().replace("\u2060", "")  # the word joiner that breaks bare addresses


def test_file_class_and_link_text_is_literal_for_student_and_teacher(browser, teacher_url):
    student = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    teacher = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    fetched_student, fetched_teacher = _watch(student), _watch(teacher)

    student.goto(f"{teacher_url}/training?dataset=upload&epochs=200&bs=1")
    wait_idle(student)
    student.locator("input[type=file]").first.set_input_files({"name": FILE, "mimeType": "text/csv", "buffer": _csv()})
    wait_idle(student)
    student.get_by_text(f"{ROWS:,} samples of 2", exact=False).first.wait_for(state="visible", timeout=120_000)
    text = _literal(student)
    assert FILE in text and all(c in text for c in CLASSES), text[:2000]

    main = student.get_by_test_id("stMainBlockContainer")
    main.get_by_role("button", name="Train", exact=True).click(timeout=120_000)  # a loaded machine: generous
    main.get_by_role("button", name="Stop").wait_for(timeout=180_000)  # in line or training: on the board
    teacher.goto(f"{teacher_url}/teacher")
    wait_idle(teacher)
    teacher.get_by_label("Teacher token").fill(TOKEN)
    teacher.get_by_role("button", name="Sign in").click()
    wait_idle(teacher)
    teacher.get_by_text(f"on {FILE}"[:20], exact=False).first.wait_for(state="visible", timeout=60_000)
    text = _literal(teacher)
    assert f"on {FILE}, 200 epochs" in text, text[:2000]
    screenshot(teacher, "plain-text-teacher")
    assert_no_exception(teacher)

    student.locator("[data-testid='stProgress']").wait_for(timeout=300_000)  # an epoch done: a model to keep
    main.get_by_role("button", name="Stop").click()
    wait_trained(student, 300_000)
    student.get_by_role("tab", name="Test results").wait_for(state="visible")
    student.get_by_role("tab", name="Test results").click()
    wait_idle(student)
    text = _literal(student)
    assert "predicted as" in text and FILE in text, text[:2000]
    screenshot(student, "plain-text-student")
    assert_no_exception(student)

    student.goto(f"{teacher_url}/training?epochs={LINK}")  # a link with a crafted value
    wait_idle(student)
    student.get_by_text("unknown or out of range").first.wait_for(state="visible")
    assert f"epochs={LINK!r}" in _literal(student)
    assert_no_exception(student)

    assert fetched_student == [] and fetched_teacher == [], fetched_student + fetched_teacher
    student.context.close()
    teacher.context.close()
