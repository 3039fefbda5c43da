"""The CNN lab's settings, each declared once (see `app.settings`): image data, the convnet (conv blocks,
kernel, pooling, dense layers), augmentation, and training; the lessons' networks as presets."""

from __future__ import annotations

from app.settings import Schema, Setting
from app.training.schema import training_settings, training_skips
from app.widgets import Picked, data_schema
from core.activations import KERAS_ACTIVATIONS, get_activation
from core.augment import FLIPS, Augmentation
from core.spec import CNNSpec

URL_LOADED = "cnn_url_loaded"
MAX_BLOCKS, MAX_DENSE = 3, 2
POOLS = {2: "2 x 2", 1: "none"}

# The defaults fit every image set, 8 x 8 digits included; the lessons' larger networks are presets.
NETWORK = Schema(
    Setting("blocks", "cnn_blocks", 1, "Conv blocks (each a conv layer, then pooling)", low=1, high=MAX_BLOCKS),
    *(
        Setting(f"f{i}", f"cnn_f{i}", (16, 32, 64)[i - 1], f"Filters in block {i}", low=1, high=64)
        for i in range(1, MAX_BLOCKS + 1)
    ),
    Setting("k", "cnn_kernel", 3, "Kernel size", (3, 5), format=lambda k: f"{k} x {k}"),
    Setting("pool", "cnn_pool", 2, "Max-pooling after each conv", tuple(POOLS), format=POOLS.get),
    Setting("act", "cnn_act", "relu", "Activation", KERAS_ACTIVATIONS, format=lambda a: get_activation(a).title),
    Setting("drop", "cnn_dropout", 0.25, "Dropout after Flatten", low=0.0, high=0.7, step=0.05),
    Setting("dense", "cnn_dense", 0, "Dense layers after Flatten", low=0, high=MAX_DENSE),
    *(Setting(f"d{i}", f"cnn_d{i}", 64, f"Units in dense layer {i}", low=1, high=512) for i in range(1, MAX_DENSE + 1)),
)

AUGMENT = Schema(
    Setting("flip", "cnn_flip", "none", "Flip", tuple(FLIPS)),
    Setting("rot", "cnn_rotation", 0.0, "Rotation (up to this share of a turn)", low=0.0, high=0.25, step=0.01),
    Setting("shift", "cnn_shift", 0.0, "Shift (up to this share of the side)", low=0.0, high=0.3, step=0.01),
    Setting("zoom", "cnn_zoom", 0.0, "Zoom (scale 1 ± this)", low=0.0, high=0.5, step=0.05),
    Setting("shear", "cnn_shear", 0.0, "Shear (slant up to this factor)", low=0.0, high=0.5, step=0.05),
    Setting("contrast", "cnn_contrast", 0.0, "Contrast (factor 1 ± this)", low=0.0, high=0.9, step=0.05),
    Setting("noise", "cnn_noise", 0.0, "Noise (standard deviation)", low=0.0, high=0.3, step=0.01),
)

PRESETS: dict[str, dict] = {  # URL name -> value, applied to the widgets when chosen
    "MNIST convnet (the Keras lesson)": dict(blocks=2, f1=32, f2=64, k=3, pool=2, act="relu", drop=0.2, dense=0),
    "One small block (fast on 8 x 8 digits)": dict(blocks=1, f1=8, k=3, pool=2, act="relu", drop=0.0, dense=0),
    "CIFAR-10 convnet (with a dense layer)": dict(
        blocks=2, f1=32, f2=64, k=3, pool=2, act="relu", drop=0.5, dense=1, d1=64
    ),
    "Three blocks, no pooling": dict(blocks=3, f1=8, f2=16, f3=16, k=3, pool=1, act="relu", drop=0.25, dense=0),
}


def schema() -> Schema:
    return (
        data_schema("cnn", kind="image")
        + NETWORK
        + AUGMENT
        + training_settings("cnn", n=4000, epochs=10, lr=1e-3, bs=64)
    )


def spec_from(values: dict) -> CNNSpec:
    """The CNNSpec of the settings' values (by URL name)."""
    v = values
    return CNNSpec(
        conv_filters=tuple(v[f"f{i}"] for i in range(1, v["blocks"] + 1)),
        kernel_size=v["k"],
        pool_size=v["pool"],
        dense_layers=tuple(v[f"d{i}"] for i in range(1, v["dense"] + 1)),
        dropout=v["drop"],
        activation=v["act"],
        augmentation=Augmentation(
            flip=v["flip"],
            rotation=v["rot"],
            shift=v["shift"],
            zoom=v["zoom"],
            shear=v["shear"],
            contrast=v["contrast"],
            noise=v["noise"],
        ),
    )


def link_skips(page: Schema, picked: Picked) -> set[str]:
    """Settings that do not matter for the network in the link: filters of absent blocks, absent dense layers
    (see `training_skips` for the rest)."""
    v = page.values()
    skip = {f"f{i}" for i in range(v["blocks"] + 1, MAX_BLOCKS + 1)} | {
        f"d{i}" for i in range(v["dense"] + 1, MAX_DENSE + 1)
    }
    return skip | training_skips(page, picked)
