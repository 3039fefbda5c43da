"""Images in folders named by class, uploaded as one zip (the layout of Keras's `image_dataset_from_directory`):

    pets.zip
      cat/001.jpg  cat/002.png ...
      dog/001.jpg ...

Every image is resized to size x size with bilinear interpolation (as `image_dataset_from_directory` does),
in colour unless every image is grey. Bounded like every reader (`core.datasets.limits`): the zip's declared
sizes, each image's pixel count before it is decoded, the number of images and the size of the result.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from pathlib import PurePosixPath

import numpy as np

from core.datasets.limits import MAX_BYTES, MAX_ZIP_PIXELS, Source, open_zip, read_source
from core.errors import DataFormatError

SUFFIXES = (".png", ".jpg", ".jpeg")
SIZES = (16, 28, 32, 48, 64)
MAX_IMAGES = 20_000
MAX_PIXELS = 4096 * 4096  # per image, checked from its header before decoding
MAX_RESULT = 256 * 2**20  # bytes of the float32 images NN Lab will train on
GREY_MODES = {"1", "L", "LA", "I", "I;16", "F"}


def _members(archive: zipfile.ZipFile, label: str) -> list[zipfile.ZipInfo]:
    members = [
        m
        for m in archive.infolist()
        if not m.is_dir()
        and m.filename.lower().endswith(SUFFIXES)
        and not m.filename.startswith("__MACOSX/")
        and not PurePosixPath(m.filename).name.startswith(".")
    ]
    if not members:
        raise DataFormatError(
            f"{label} holds no PNG or JPEG images. Put the images in one folder per class "
            "(cat/, dog/, ...) and zip those folders."
        )
    if any(len(PurePosixPath(m.filename).parts) < 2 for m in members):
        raise DataFormatError(
            f"{label}: some images are not in a folder. Put each class's images in a folder named "
            "after the class (cat/001.png), then zip the folders."
        )
    declared = sum(m.file_size for m in members)
    if declared > MAX_BYTES or len(members) > MAX_IMAGES:
        raise DataFormatError(
            f"{label} holds {len(members):,} images ({declared / 2**20:.0f} MB unpacked); NN Lab "
            f"takes at most {MAX_IMAGES:,} images and {MAX_BYTES / 2**20:.0f} MB from one zip."
        )
    return members


def _decode(data: bytes, name: str, size: int, mode: str | None) -> np.ndarray | tuple[str, int]:
    """The image resized to size x size in `mode`; with mode None, only its (mode, pixels) from the header."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as im:
            if mode is None:
                return im.mode, im.size[0] * im.size[1]
            if im.size[0] * im.size[1] > MAX_PIXELS:
                raise DataFormatError(
                    f"{name} is {im.size[0]} x {im.size[1]} pixels, over the {MAX_PIXELS:,} NN Lab "
                    "decodes per image. Shrink it first."
                )
            im.draft(mode, (size, size))  # JPEG: decode at a reduced scale when that is enough
            return np.asarray(im.convert(mode).resize((size, size), Image.BILINEAR), dtype=np.uint8)
    except DataFormatError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        why = "its content is not a PNG or JPEG" if isinstance(exc, UnidentifiedImageError) else str(exc)
        raise DataFormatError(f"{name} is not a readable PNG or JPEG image ({why}).") from exc


def _read(archive: zipfile.ZipFile, m: zipfile.ZipInfo) -> bytes:
    try:
        with archive.open(m) as f:
            data = f.read(m.file_size + 1)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError) as exc:
        raise DataFormatError(
            f"{m.filename} in the zip is corrupt or its header lies about it ({exc}). Zip the folders again."
        ) from exc
    if len(data) > m.file_size:
        raise DataFormatError(f"{m.filename} is larger than the zip says. Refused.")
    return data


def load_image_folders(source: Source, size: int = 32) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    """(images (n, size, size, c) uint8, labels (n,) class codes, class names in sorted order)."""
    if size not in SIZES:
        raise DataFormatError(f"The image size must be one of {', '.join(map(str, SIZES))}, received {size}.")
    raw, label = read_source(source)
    archive = open_zip(raw, label)
    members = _members(archive, label)
    classes = tuple(sorted({PurePosixPath(m.filename).parent.name for m in members}))
    if len(classes) < 2:
        raise DataFormatError(f"{label} has one class folder ({classes[0]}); classification needs at least two.")
    headers = [_decode(_read(archive, m), m.filename, size, None) for m in members]  # headers only
    pixels = sum(p for _, p in headers)
    if pixels > MAX_ZIP_PIXELS:
        raise DataFormatError(
            f"{label}: its {len(members):,} images hold {pixels:,} pixels together, over the "
            f"{MAX_ZIP_PIXELS:,} NN Lab decodes from one zip. Shrink the images or zip fewer."
        )
    mode = "L" if {m for m, _ in headers} <= GREY_MODES else "RGB"
    channels = 1 if mode == "L" else 3
    if len(members) * size * size * channels * 4 > MAX_RESULT:
        raise DataFormatError(
            f"{len(members):,} images of {size} x {size} x {channels} need more than "
            f"{MAX_RESULT / 2**20:.0f} MB to train on. Choose a smaller image size or fewer images."
        )
    images = np.empty((len(members), size, size, channels), dtype=np.uint8)
    for i, m in enumerate(members):
        images[i] = _decode(_read(archive, m), m.filename, size, mode).reshape(size, size, channels)
    labels = np.array([classes.index(PurePosixPath(m.filename).parent.name) for m in members], dtype=np.int64)
    return images, labels, classes
