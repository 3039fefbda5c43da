"""Uploads in a real browser: a crafted file gets one message while another student's page is still served; a
new file after training never shows the exception page; an upload made on the Data page trains on Training."""

import io

import numpy as np
import pytest
from browser import assert_no_exception, screenshot, wait_idle, wait_trained

pytestmark = pytest.mark.e2e

CSV = b"hours,sleep,passed\n" + b"".join(
    f"{h},{s},{int(h + s > 12)}\n".encode()
    for h, s in zip([1, 3, 5, 7, 9, 2, 4, 6, 8, 10] * 6, [9, 8, 7, 6, 5, 4] * 10)
)
OTHER = b"a,b,label\n" + b"".join(f"{i},{i % 3},{i % 2}\n".encode() for i in range(40))


def _wide_npz() -> bytes:
    buffer = io.BytesIO()
    np.savez_compressed(buffer, x=np.zeros((2, 30_000_000), np.uint8), y=np.arange(2))  # 59 KB
    return buffer.getvalue()


def _upload(page, name: str, content: bytes) -> None:
    page.locator("[data-testid='stFileUploaderDropzoneInput']").first.set_input_files(
        files=[{"name": name, "mimeType": "application/octet-stream", "buffer": content}]
    )
    wait_idle(page)


def test_a_crafted_file_gets_one_message_while_another_student_is_served(browser, app_url):
    a = browser.new_context(viewport={"width": 1024, "height": 768}).new_page()
    b = browser.new_context(viewport={"width": 1024, "height": 768}).new_page()
    try:
        a.goto(f"{app_url}/data?dataset=upload")
        wait_idle(a)
        _upload(a, "wide.npz", _wide_npz())
        a.get_by_text("30,000,000 features (columns), over the 3,072").first.wait_for(state="visible", timeout=30_000)
        assert a.locator("[data-testid='stAlertContentError']").count() == 1
        assert_no_exception(a)
        b.goto(f"{app_url}/training?epochs=3")  # the other student's page reruns and draws
        wait_idle(b)
        b.locator(".stPlotlyChart, [data-testid='stTable'], [data-testid='stDataFrame']").first.wait_for(
            state="visible", timeout=30_000
        )
        assert_no_exception(b)
        screenshot(a, "upload-crafted")
    finally:
        a.context.close()
        b.context.close()


def test_uploading_another_csv_after_training_never_shows_the_exception_page(page, app_url):
    page.goto(f"{app_url}/training?dataset=upload&epochs=5")
    wait_idle(page)
    _upload(page, "exams.csv", CSV)
    page.get_by_test_id("stMainBlockContainer").get_by_role("button", name="Train", exact=True).click()
    wait_trained(page, 120_000)
    _upload(page, "other.csv", OTHER)
    page.get_by_text("other.csv: 40 samples of 2").first.wait_for(state="visible", timeout=30_000)
    assert_no_exception(page)
    assert page.get_by_text("Could not tell the format").count() == 0
    screenshot(page, "upload-swap")


def test_an_upload_made_on_the_data_page_trains_on_the_training_page(page, app_url):
    page.goto(f"{app_url}/data?dataset=upload")
    wait_idle(page)
    _upload(page, "exams.csv", CSV)
    page.get_by_text("exams.csv: 60 samples of 2").first.wait_for(state="visible", timeout=30_000)
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Training").first.dispatch_event(
        "click"
    )  # same session
    wait_idle(page)
    if page.get_by_text("Using exams.csv, uploaded earlier").count() == 0:  # choose the upload on this page
        page.get_by_test_id("stSelectbox").filter(has_text="Dataset").first.locator("input").click(force=True)
        page.get_by_role("option", name="Your own file").first.click()
        wait_idle(page)
    page.get_by_text("Using exams.csv, uploaded earlier").first.wait_for(state="visible", timeout=30_000)
    page.get_by_test_id("stMainBlockContainer").get_by_role("button", name="Train", exact=True).click()
    wait_trained(page, 120_000)
    page.get_by_text("on exams.csv: Trained").first.wait_for(state="visible")
    assert_no_exception(page)
