"""Where NN Lab's data lives on the server, and which folders a page may read.

The data root is the folder $NNLAB_DATA_DIR names, else `data/` next to the README (the project's folder),
wherever the server was started from. MNIST, Fashion-MNIST, CIFAR-10 and California housing are looked for
there (and in the Keras / scikit-learn caches) without anyone typing a path.

A folder typed into a page is a student's input on a class server, so it is the teacher's choice:
- off unless the server's environment sets NNLAB_ALLOW_FOLDERS=1;
- when on, only folders inside the data root (relative to it, or absolute inside it); `..`, symlinks and
  absolute paths that lead outside are refused with the same message whether they exist or not;
- nothing is created, and every operating-system error becomes one message.
Students see paths relative to the data root only (`shown`); the full paths go to the server log.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from core.errors import FolderNotAllowed

PROJECT_DIR = Path(__file__).resolve().parents[2]
ALLOW_ENV = "NNLAB_ALLOW_FOLDERS"
MAX_TYPED = 200  # characters of a typed folder
log = logging.getLogger("nnlab.data")


def data_root() -> Path:
    """$NNLAB_DATA_DIR, else data/ in the project's folder (next to the README)."""
    env = os.environ.get("NNLAB_DATA_DIR")
    return Path(env).expanduser() if env else PROJECT_DIR / "data"


def keras_cache_dir() -> Path:
    return Path(os.environ.get("KERAS_HOME", Path.home() / ".keras")).expanduser() / "datasets"


def sklearn_data_home() -> Path:
    """scikit-learn's data home, without creating it (sklearn.datasets.get_data_home would)."""
    return Path(os.environ.get("SCIKIT_LEARN_DATA", Path.home() / "scikit_learn_data")).expanduser()


def typed_folders_allowed() -> bool:
    return os.environ.get(ALLOW_ENV, "").strip().lower() in ("1", "true", "yes", "on")


def _real(path: Path) -> Path:
    return Path(os.path.realpath(path))


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def confine(typed: str) -> Path:
    """The real folder that `typed` names inside the data root. FolderNotAllowed, with what to do instead, when
    typing folders is off, the text is empty or too long, or the folder is outside the root, missing or
    unreadable."""
    text = typed.strip()
    if not typed_folders_allowed():
        raise FolderNotAllowed(
            "This server does not read folders typed into a page. Ask your teacher to put the "
            "files in NN Lab's data folder, or upload them here."
        )
    if not text or len(text) > MAX_TYPED or "\x00" in text:
        raise FolderNotAllowed(
            f"Type a folder inside NN Lab's data folder, such as mnist (at most {MAX_TYPED} "
            f"characters; received {len(text)})."
        )
    root = _real(data_root())
    candidate = Path(text)
    folder = _real(candidate if candidate.is_absolute() else root / candidate)
    if not _inside(folder, root):
        log.warning("refused a typed folder outside the data root %s: %r -> %s", root, text, folder)
        raise FolderNotAllowed(
            f"Only folders inside NN Lab's data folder can be read, and {text!r} is not one. "
            "Type a folder relative to it, such as mnist."
        )
    try:
        if not folder.is_dir():
            raise FolderNotAllowed(f"There is no folder {shown(folder)} in NN Lab's data folder.")
        os.listdir(folder)
    except OSError as exc:
        log.warning("could not open the typed folder %s: %s", folder, exc)
        raise FolderNotAllowed(f"The folder {shown(folder)} could not be opened ({exc.strerror or exc}).") from None
    return folder


def shown(path: str | Path) -> str:
    """How a page names a server path: relative to the data root ("data folder: mnist"), the cache it is in,
    or only its last part. The server's own paths are never shown."""
    path, root = _real(Path(path)), _real(data_root())
    if _inside(path, root):
        rel = path.relative_to(root).as_posix()
        return "data folder" if rel == "." else f"data folder: {rel}"
    for cache, name in (
        (keras_cache_dir(), "Keras's dataset cache"),
        (sklearn_data_home(), "scikit-learn's data home"),
    ):
        if _inside(path, _real(cache)):
            return name
    return path.name
