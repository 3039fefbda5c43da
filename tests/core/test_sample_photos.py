"""scikit-learn's sample photos, the CNN lab's and Why view's photos before an upload: read offline from inside
scikit-learn, the documented (427, 640, 3) uint8 arrays, shared read-only, and each one a model's input of any
image set's shape through `photo_to_input`, as the pages send it (a PNG of the array)."""

import io
import socket

import numpy as np
import pytest

from core.cnn import feature_maps
from core.datasets.photos import PHOTOS, sample_photos
from core.drawing import photo_to_input
from core.spec import CNNSpec


def _png(image: np.ndarray) -> bytes:  # as app.image_input sends a sample photo
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="PNG")
    return buffer.getvalue()


def test_the_sample_photos_load_offline_as_documented(monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("the sample photos must not need the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    sample_photos.cache_clear()
    photos = sample_photos()
    assert tuple(photos) == PHOTOS == ("china.jpg", "flower.jpg")
    for image in photos.values():
        assert image.shape == (427, 640, 3) and image.dtype == np.uint8 and not image.flags.writeable
        assert 20 < image.mean() < 235 and image.std() > 20  # a photo, not a blank
    assert not np.array_equal(photos["china.jpg"], photos["flower.jpg"])
    assert sample_photos() is photos  # read once per process, shared by every session
    with pytest.raises(ValueError):
        photos["china.jpg"][0, 0, 0] = 0


@pytest.mark.parametrize("shape", [(8, 8, 1), (28, 28, 1), (32, 32, 3)])
@pytest.mark.parametrize("name", PHOTOS)
def test_a_sample_photo_becomes_a_models_input(name, shape):
    image = sample_photos()[name]
    x = photo_to_input(_png(image), shape)
    assert x.shape == shape and x.dtype == np.float32 and 0.0 <= x.min() and x.max() <= 1.0
    h, w, c = shape
    side = image.shape[0]  # a square input: the photo's centre square, its full height
    left = (image.shape[1] - side) // 2
    square = image[:, left : left + side].astype(np.float64) / 255
    if c == 1:  # grey as PIL makes it (ITU-R 601-2 luma)
        square = (square @ [0.299, 0.587, 0.114])[..., None]
    np.testing.assert_allclose(x.mean(axis=(0, 1)), square.mean(axis=(0, 1)), atol=0.02)  # the same picture
    spec = CNNSpec(conv_filters=(4,), kernel_size=3, pool_size=2, dense_layers=(), dropout=0.0)
    rng = np.random.default_rng(0)
    pooled = ((h - 2) // 2) * ((w - 2) // 2) * 4
    layers = [
        ("conv_1", rng.normal(size=(3, 3, c, 4)), np.zeros(4)),
        ("output", rng.normal(size=(pooled, 10)), np.zeros(10)),
    ]
    maps = feature_maps(spec, layers, x, "classification", 10)
    assert maps[0].values.shape == (h - 2, w - 2, 4) and maps[-1].values.sum() == pytest.approx(1.0)
