"""Folders a teacher types into a page: off unless the server allows them, read only inside the data folder
(no symlink, FIFO or long path escapes or blocks), and messages that name no server path."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from formats import write_mnist_files

from core.datasets import load_dataset
from core.datasets.folders import confine, shown
from core.datasets.limits import read_file
from core.errors import DataFormatError, DatasetUnavailable, FolderNotAllowed

GB = 2**30
PEAK_BUDGET_MB = 500


# -- folders typed into a page: the teacher's choice, and only inside the data folder -------------------------
@pytest.fixture
def root(isolated_data, monkeypatch):
    monkeypatch.setenv("NNLAB_ALLOW_FOLDERS", "1")
    folder = isolated_data / "data"
    folder.mkdir(exist_ok=True)
    return folder


def test_typed_folders_are_off_unless_the_server_allows_them(isolated_data, monkeypatch):
    monkeypatch.delenv("NNLAB_ALLOW_FOLDERS", raising=False)
    (isolated_data / "data" / "mnist").mkdir(parents=True)
    with pytest.raises(FolderNotAllowed, match="does not read folders typed into a page"):
        confine("mnist")


def test_a_typed_folder_inside_the_data_folder_is_read(root):
    write_mnist_files(root / "class7" / "mnist", n=20, test=5)
    folder = confine("class7/mnist")
    assert folder == root.resolve() / "class7" / "mnist"
    ds = load_dataset("mnist", data_dir=str(folder))
    assert ds.n_samples == 25 and ds.source == "data folder: class7/mnist"


@pytest.mark.parametrize(
    "typed",
    ["/etc", "../", "../../etc/passwd", "class7/../../..", "/proc/self/environ", "/proc/self/fd/0", "/no/such/folder"],
)
def test_a_typed_folder_outside_the_data_folder_is_refused_the_same_way(root, typed):
    with pytest.raises(FolderNotAllowed, match="Only folders inside NN Lab's data folder can be read") as refused:
        confine(typed)
    assert str(root) not in str(refused.value)  # the server's paths are never shown


def test_a_symlink_out_of_the_data_folder_is_refused(root, tmp_path):
    outside = tmp_path / "outside"
    write_mnist_files(outside, n=20, test=5)
    (root / "sneaky").symlink_to(outside)
    with pytest.raises(FolderNotAllowed, match="Only folders inside"):
        confine("sneaky")


def test_long_missing_or_unreadable_folders_get_one_message_and_nothing_is_created(root):
    with pytest.raises(FolderNotAllowed, match="at most 200 characters; received 5000"):
        confine("a" * 5000)
    with pytest.raises(FolderNotAllowed, match="There is no folder data folder: a/b/c"):
        confine("a/b/c")
    assert not (root / "a").exists()  # asking created nothing
    locked = root / "locked"
    locked.mkdir(mode=0o000)
    try:
        if os.access(locked, os.R_OK):  # root ignores permissions: make it a file
            locked.rmdir()
            locked.write_text("not a folder")
            with pytest.raises(FolderNotAllowed, match="There is no folder data folder: locked"):
                confine("locked")
        else:
            with pytest.raises(FolderNotAllowed, match="could not be opened"):
                confine("locked")
    finally:
        os.chmod(locked, 0o700)


def test_a_fifo_is_refused_without_waiting_on_it(root):
    folder = root / "mnist"
    folder.mkdir()
    for name in ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"):
        os.mkfifo(folder / name)
    outcome = {}

    def attempt():
        try:
            read_file(folder / "train-images-idx3-ubyte")
        except DataFormatError as exc:
            outcome["read"] = str(exc)
        try:
            load_dataset("mnist")
        except DatasetUnavailable as exc:
            outcome["load"] = str(exc)

    worker = threading.Thread(target=attempt, daemon=True)
    worker.start()
    worker.join(10)
    assert not worker.is_alive(), "reading a FIFO blocked"
    assert "is not a regular file" in outcome["read"] and "MNIST is not on this machine" in outcome["load"]


def test_missing_data_messages_name_no_server_path(root):
    with pytest.raises(DatasetUnavailable) as missing:
        load_dataset("cifar10")
    assert "the folder cifar10/ of NN Lab's data folder" in str(missing.value)
    assert str(root.parent) not in str(missing.value) and str(Path.home()) not in str(missing.value)
    assert shown(root / "cifar10" / "data_batch_1") == "data folder: cifar10/data_batch_1"
