"""The settings schema across a session: a page is as the student left it after any page switch, a dataset
change resets what depends on it, and a link carries every setting that changes what its page shows."""

from formats import write_mnist_files


def _open(app, page, **query):
    app.query_params.clear()
    app.query_params.update({k: str(v) for k, v in query.items()})
    return app.switch_page(f"../pages/{page}.py").run()


def _visit(app, page):
    """A page switch as the navigation does it: the link is the new page's, without the old page's settings."""
    app.query_params.clear()
    return app.switch_page(f"../pages/{page}.py").run()


TRAINING = {
    "dataset": ("selectbox", "iris"),
    "train_depth": ("slider", 3),
    "train_w0": ("slider", 8),
    "train_w2": ("slider", 40),
    "train_backend": ("radio", "keras"),
    "train_act": ("selectbox", "tanh"),
    "train_dropout": ("slider", 0.2),
    "train_test": ("slider", 0.3),
    "train_seed": ("number_input", 5),
    "train_opt": ("selectbox", "sgd"),
    "train_lr": ("select_slider", 0.01),
    "train_bs": ("number_input", 10),
    "train_l1": ("select_slider", 0.003),
    "train_epochs": ("number_input", 7),
    "train_val": ("slider", 0.2),
    "train_patience": ("slider", 3),
}


def _set_all(app, widgets: dict) -> None:
    for key, (kind, value) in widgets.items():
        getattr(app, kind)(key=key).set_value(value).run()
        assert not app.exception, key


def _read_all(app, widgets: dict) -> dict:
    return {key: getattr(app, kind)(key=key).value for key, (kind, _) in widgets.items()}


def test_the_training_page_is_as_the_student_left_it_after_other_pages(app):
    _open(app, "training")
    _set_all(app, TRAINING)
    assert _read_all(app, TRAINING) == {key: value for key, (_, value) in TRAINING.items()}
    link = dict(app.query_params)
    for page in ("weights", "activations", "losses", "training"):  # the Weights page has no picker at all
        _visit(app, page)
        assert not app.exception, page
    assert _read_all(app, TRAINING) == {key: value for key, (_, value) in TRAINING.items()}
    assert dict(app.query_params) == link and link["lr"] == "0.01" and link["w3"] == "40"


def test_a_width_beyond_the_depth_is_remembered_for_when_the_layer_comes_back(app):
    _open(app, "training")
    app.slider(key="train_depth").set_value(3).run()
    app.slider(key="train_w2").set_value(99).run()
    app.slider(key="train_depth").set_value(1).run()  # hidden_3's slider goes: Streamlit drops it
    assert "w3" not in app.query_params
    app.slider(key="train_depth").set_value(3).run()
    assert app.slider(key="train_w2").value == 99


def test_a_dataset_change_resets_the_sample_count_and_a_link_keeps_it(app, isolated_data):
    write_mnist_files(isolated_data / "data" / "mnist", n=2400, test=600)
    _open(app, "training")
    app.selectbox(key="dataset").set_value("iris").run()
    assert app.slider(key="train_n").value == 150
    app.selectbox(key="dataset").set_value("mnist").run()  # not 150 of 3,000 images
    assert app.slider(key="train_n").value == 2000 and app.query_params["n"] == "2000"
    app.slider(key="train_n").set_value(1000).run()
    _visit(app, "data")
    app.selectbox(key="dataset").set_value("digits").run()  # changed on another page: reset there too
    _visit(app, "training")
    assert app.selectbox(key="dataset").value == "digits" and app.slider(key="train_n").value == 1797
    fresh = type(app).from_file(app._script_path, default_timeout=60)
    _open(fresh, "training", dataset="mnist", n=1000)  # a link's count is kept, not reset
    assert fresh.slider(key="train_n").value == 1000


def test_the_cnn_lab_resets_its_samples_on_a_dataset_change_and_keeps_other_pages_choice(app, isolated_data):
    write_mnist_files(isolated_data / "data" / "mnist", n=4000, test=1000)
    _open(app, "cnn")
    assert app.slider(key="cnn_n").value == 1797  # all the digits
    app.selectbox(key="dataset").set_value("mnist").run()
    assert app.slider(key="cnn_n").value == 4000  # its own default, not 1,797
    _visit(app, "data")
    app.selectbox(key="dataset").set_value("iris").run()
    _visit(app, "cnn")  # a table: the lab stands in with images
    assert app.selectbox(key="dataset").value != "iris" and not app.exception
    _visit(app, "training")  # ... without changing the shared choice
    assert app.selectbox(key="dataset").value == "iris"


def test_a_link_carries_the_defaults_and_all_samples(app):
    _open(app, "training")
    link = dict(app.query_params)
    assert link["n"] == "1797" and link["lr"] == "0.003" and link["dataset"] == "digits" and link["epochs"] == "20"
    assert "w3" not in link and "drop" not in link and "file" not in link and "points" not in link
    fresh = type(app).from_file(app._script_path, default_timeout=60)
    _open(fresh, "training", **link)
    assert not fresh.warning and dict(fresh.query_params) == link
    assert fresh.slider(key="train_n").value == 1797


def test_the_data_page_keeps_its_view_and_its_link_reopens_it(app):
    _open(app, "data")
    app.session_state["data_tab"] = "One image, flattened"
    app.run()
    app.number_input(key="data_index").set_value(7).run()
    app.toggle(key="data_scaled").set_value(True).run()
    link = dict(app.query_params)
    assert (link["tab"], link["i"], link["scaled"]) == ("One image, flattened", "7", "1") and "sseed" not in link
    for page in ("training", "backprop", "data"):
        _visit(app, page)
    assert app.number_input(key="data_index").value == 7 and app.toggle(key="data_scaled").value is True
    assert dict(app.query_params) == link and "images[7]" in " ".join(m.value for m in app.markdown)
    fresh = type(app).from_file(app._script_path, default_timeout=60)
    _open(fresh, "data", **link)
    assert not fresh.warning and fresh.number_input(key="data_index").value == 7 and dict(fresh.query_params) == link


def test_backpropagation_and_gradient_descent_keep_their_settings_and_are_links(app):
    _open(app, "backprop")
    app.slider(key="bp_in").set_value(3).run()
    app.selectbox(key="bp_output").set_value("softmax").run()
    app.slider(key="bp_out").set_value(3).run()
    app.selectbox(key="bp_class").set_value(2).run()
    app.number_input(key="bp_x1").set_value(1.5).run()
    app.select_slider(key="bp_lr").set_value(0.1).run()
    bp_link = dict(app.query_params)
    assert (bp_link["in"], bp_link["x2"], bp_link["x3"], bp_link["cls"]) == ("3", "1.5", "2.0", "2")
    assert "y1" not in bp_link  # a softmax output: the true class instead
    _visit(app, "gradient_descent")
    app.session_state["gd_tab"] = "Optimizers on loss surfaces"
    app.run()
    app.selectbox(key="gd_surface").set_value("rosenbrock").run()
    app.multiselect(key="gd_opts").set_value(["sgd", "adam"]).run()
    gd_link = dict(app.query_params)
    assert gd_link["surface"] == "rosenbrock" and gd_link["opts"] == "sgd,adam" and gd_link["lr_rosenbrock"] == "0.001"
    assert "epochs" not in gd_link and "lr_bowl" not in gd_link  # the other view's, the other surfaces'
    _visit(app, "backprop")
    assert dict(app.query_params) == bp_link and app.number_input(key="bp_x1").value == 1.5
    _visit(app, "gradient_descent")
    assert dict(app.query_params) == gd_link and list(app.multiselect(key="gd_opts").value) == ["sgd", "adam"]
    for page, link in (("backprop", bp_link), ("gradient_descent", gd_link)):
        fresh = type(app).from_file(app._script_path, default_timeout=60)
        _open(fresh, page, **link)
        assert not fresh.warning and not fresh.exception and dict(fresh.query_params) == link, page


def test_presentation_mode_is_one_more_schema_that_follows_every_page(app):
    _open(app, "losses")
    app.toggle(key="nnlab_present").set_value(True).run()
    app.multiselect(key="nnlab_present_hide").set_value(["captions"]).run()
    app.toggle(key="nnlab_present").set_value(False).run()  # the choice of parts is kept while off
    assert "present" not in app.query_params and "hide" not in app.query_params
    _visit(app, "data")
    app.toggle(key="nnlab_present").set_value(True).run()
    assert app.query_params["present"] == "1" and app.query_params["hide"] == "captions"


def test_the_weights_pages_counting_form_is_kept_and_is_a_link(app):
    _open(app, "weights")
    app.segmented_control(key="params_kind").set_value("CNN").run()
    app.text_input(key="params_filters").set_value("8, 16").run()
    app.slider(key="params_width_range").set_value((10, 200)).run()
    app.multiselect(key="params_depths").set_value([2]).run()
    total = next(m.value for m in app.metric if m.label == "Total parameters")
    link = dict(app.query_params)
    assert link["kind"] == "CNN" and link["filters"] == "8, 16" and link["widths"] == "10,200" and "hidden" not in link
    _visit(app, "losses")
    _visit(app, "weights")
    assert dict(app.query_params) == link and app.text_input(key="params_filters").value == "8, 16"
    fresh = type(app).from_file(app._script_path, default_timeout=60)
    _open(fresh, "weights", **link)
    assert not fresh.warning and dict(fresh.query_params) == link
    assert next(m.value for m in fresh.metric if m.label == "Total parameters") == total
    assert list(fresh.multiselect(key="params_depths").value) == [2]


def test_the_cnn_labs_augmentation_noise_is_in_its_link(app):
    """It shared its name and key with a generated set's noise, which image data leaves out of the link."""
    _open(app, "cnn", noise=0.05)
    assert app.slider(key="cnn_noise").value == 0.05 and app.query_params["noise"] == "0.05"
    assert not any("points" in s for s in app.query_params)


def test_view_choices_outside_the_links_survive_a_page_switch(app):
    """Choices that look at a run or a view (not lesson settings a link carries) are kept too."""
    _open(app, "activations")
    app.selectbox(key="act_quick").set_value("tanh").run()
    _open(app, "backprop", tab="2. Backward pass")
    app.radio(key="bp_gw").set_value(2).run()
    _visit(app, "data")
    _visit(app, "activations")
    assert app.selectbox(key="act_quick").value == "tanh"
    _visit(app, "backprop")
    assert app.radio(key="bp_gw").value == 2


def test_a_pages_link_never_keeps_another_pages_settings(app):
    """A run that ends after Back was pressed writes its link on the page Back went to: the page drops it."""
    _open(app, "losses")
    app.toggle(key="nnlab_present").set_value(True).run()
    _visit(app, "data")
    app.query_params.update({"fns": "relu", "epochs": "7"})  # another page's, left in the address
    app.run()
    assert "fns" not in app.query_params and "epochs" not in app.query_params
    assert app.query_params["present"] == "1" and app.query_params["dataset"] == "digits"
