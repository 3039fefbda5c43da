"""Trained models as files to download: `.keras` for Keras, skops for scikit-learn (never a plain pickle,
which would run code when loaded)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from core.models.base import BaseModel


def model_file(model: BaseModel, stem: str = "nnlab_model") -> tuple[bytes, str, str]:
    """(content, file name, MIME type) of the model, ready for a download button."""
    if model.backend == "keras":
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"{stem}.keras"
            model.model_.save(path)
            return path.read_bytes(), path.name, "application/octet-stream"
    import skops.io

    return skops.io.dumps(model._require_fitted()), f"{stem}.skops", "application/octet-stream"
