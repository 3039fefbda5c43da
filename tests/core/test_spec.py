"""Specs validate themselves with messages that say the rule, the value and the fix; counts match the lessons."""

import json

import pytest

from core.errors import InvalidSpecError
from core.params import count_params, layer_counts, output_units
from core.spec import CNNSpec, MLPSpec, TrainConfig


@pytest.mark.parametrize(
    "spec",
    [
        MLPSpec(),
        MLPSpec(hidden_layers=(), activation="tanh"),
        CNNSpec(dense_layers=(64,)),
        CNNSpec(augmentation={"flip": "horizontal", "zoom": 0.2}),
        TrainConfig(early_stopping_patience=3),
    ],
)
def test_specs_round_trip_through_plain_dicts(spec):
    data = spec.to_dict()
    assert json.loads(json.dumps(data)) == data  # plain data: it fits a link, a file or a job
    assert type(spec).from_dict(data) == spec


@pytest.mark.parametrize(
    "make, message",
    [
        (
            lambda: MLPSpec(hidden_layers=(16, 0)),
            r"hidden_layers\[1\] must be a whole number from 1 to 4096, received 0",
        ),
        (lambda: MLPSpec(hidden_layers=(8,) * 9), "0 to 8 layers, received 9"),
        (lambda: MLPSpec(hidden_layers="wide"), "list of layer widths"),
        (lambda: MLPSpec(activation="relu6"), "activation must be one of .*received 'relu6'"),
        (lambda: CNNSpec(conv_filters=()), "1 to 8 layers"),
        (lambda: CNNSpec(kernel_size=0), "kernel_size must be a whole number from 1 to 11"),
        (lambda: TrainConfig(learning_rate=0), r"learning_rate must be a number in \(0.0, 10.0\], received 0"),
        (lambda: TrainConfig(optimizer="lbfgs"), "optimizer must be one of sgd, adam, rmsprop"),
        (lambda: TrainConfig(epochs=True), "epochs must be a whole number"),
        (lambda: TrainConfig(epochs=10_001), "epochs must be a whole number from 1 to 10000, received 10001"),
        (lambda: TrainConfig(validation_fraction=0, early_stopping_patience=2), "set validation_fraction above 0"),
        (lambda: MLPSpec.from_dict({"hidden_layer": [3]}), "no field.* hidden_layer"),
    ],
)
def test_invalid_specs_explain_themselves(make, message):
    with pytest.raises(InvalidSpecError, match=message):
        make()


def test_lesson_parameter_counts():
    assert count_params(CNNSpec(conv_filters=(32, 64), dense_layers=(), dropout=0.5), (28, 28, 1), 10) == 34_826
    assert count_params(MLPSpec(hidden_layers=(300, 100)), (784,), 10) == 266_610
    assert count_params(MLPSpec(hidden_layers=(16, 16)), (8, 8, 1), 10) == 64 * 16 + 16 + 16 * 16 + 16 + 16 * 10 + 10
    assert count_params(MLPSpec(hidden_layers=()), (4,), 3) == 15


def test_summary_rows_show_the_arithmetic():
    rows = layer_counts(MLPSpec(hidden_layers=(16,)), (8, 8, 1), 10)
    assert [(r.name, r.output_shape, r.params, r.formula) for r in rows] == [
        ("flatten", (64,), 0, "0 (reshapes only)"),
        ("hidden_1", (16,), 1040, "64 x 16 + 16"),
        ("output", (10,), 170, "16 x 10 + 10"),
    ]


def test_cnn_that_shrinks_to_nothing_is_refused():
    with pytest.raises(InvalidSpecError, match="does not fit"):
        count_params(CNNSpec(conv_filters=(8, 8, 8), kernel_size=5), (8, 8, 1), 10)


def test_output_units_follow_the_lessons():
    assert output_units("classification", 2) == 1
    assert output_units("classification", 10) == 10
    assert output_units("regression") == 1


def test_typed_layer_widths_are_parsed_and_checked():
    from core.spec import parse_layers

    assert parse_layers("300, 100") == (300, 100) == parse_layers(" 300 100 ")
    assert parse_layers("") == ()
    with pytest.raises(InvalidSpecError, match="whole numbers separated by commas, such as 300, 100; received '30x'"):
        parse_layers("30x")
    with pytest.raises(InvalidSpecError, match=r"conv filters\[1\] must be a whole number from 1 to 4096, received 0"):
        parse_layers("8, 0", "conv filters", 1)
    with pytest.raises(InvalidSpecError, match="conv filters must have 1 to 8 layers, received 0"):
        parse_layers(" ", "conv filters", 1)


def test_the_lessons_own_loops_fit_the_epoch_range():
    """iris for 10,000 iterations (lesson 002): the count is allowed; the server's time limit is what protects it."""
    assert TrainConfig(epochs=10_000).epochs == 10_000
