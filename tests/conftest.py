"""Shared fixtures: an environment where no real dataset, Keras cache or scikit-learn cache can leak in."""

import pytest


@pytest.fixture(autouse=True)
def isolated_data(tmp_path_factory, monkeypatch):
    """No real MNIST, Keras cache or scikit-learn cache: every test starts from empty folders."""
    root = tmp_path_factory.mktemp("nodata")
    monkeypatch.setenv("NNLAB_DATA_DIR", str(root / "data"))
    monkeypatch.setenv("KERAS_HOME", str(root / "keras"))
    monkeypatch.setenv("SCIKIT_LEARN_DATA", str(root / "sklearn"))
    return root
