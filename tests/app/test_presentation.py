"""The presentation switch: read from the link once a session, kept in the link on every page, and the parts
to hide limited to those NN Lab knows."""

from app.presentation import HIDE_KEY, PRESENT_KEY


def test_a_presentation_link_opens_presented_with_its_parts_hidden(app):
    app.query_params.update({"present": "1", "hide": "captions,settings,bogus"})
    app.switch_page("../pages/activations.py").run()
    assert not app.exception
    assert app.toggle(key=PRESENT_KEY).value is True
    assert list(app.session_state[HIDE_KEY]) == ["captions", "settings"]
    assert list(app.multiselect(key=HIDE_KEY).value) == ["captions", "settings"]
    assert app.query_params["present"] == "1" and app.query_params["hide"] == "captions,settings"


def test_the_switch_writes_the_link_and_off_removes_it(app):
    app.switch_page("../pages/losses.py").run()
    assert "present" not in app.query_params
    app.toggle(key=PRESENT_KEY).set_value(True).run()
    app.multiselect(key=HIDE_KEY).set_value(["toolbar"]).run()
    assert app.query_params["present"] == "1" and app.query_params["hide"] == "toolbar"
    app.switch_page("../pages/data.py").run()  # another page: still presented
    assert app.toggle(key=PRESENT_KEY).value is True and app.query_params["present"] == "1"
    app.toggle(key=PRESENT_KEY).set_value(False).run()
    assert "present" not in app.query_params and "hide" not in app.query_params
    assert not [m for m in app.multiselect if m.key == HIDE_KEY]
