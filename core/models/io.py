"""Trained models as files to download. Each backend writes its own safe format (`.keras` for Keras, skops
for scikit-learn, never a plain pickle that would run code when loaded); this names the file."""

from __future__ import annotations

from core.models.base import BaseModel

MIME = "application/octet-stream"


def model_file(model: BaseModel, stem: str = "nnlab_model") -> tuple[bytes, str, str]:
    """(content, file name, MIME type) of the model, ready for a download button."""
    return model.save_bytes(), f"{stem}{model.file_suffix}", MIME
