"""The Keras half of "Show the code" (`core.codegen`): the network an Experiment builds, written as a plain
`keras.Sequential`, compiled, trained and evaluated as NN Lab's Keras backend does it."""

from __future__ import annotations

from core.experiment import Experiment
from core.spec import CNNSpec


def keras_code(exp: Experiment, task: str, kind: str, holdout: list[str]) -> list[str]:
    """The Keras part of an exported script (after the data, its split and `holdout`, the validation hold-out's
    lines): the same layers, first weights, penalties, output and loss, seeded as NN Lab seeds, then fit and
    evaluate (`score`)."""
    c, spec = exp.config, exp.spec
    dense_args = f", kernel_regularizer=keras.regularizers.L2({c.l2})" if c.l2 else ""
    if c.l1:
        dense_args = f", kernel_regularizer=keras.regularizers.L1L2(l1={c.l1}, l2={c.l2})"
    init = getattr(spec, "init", "keras")
    if init != "keras":  # the first weights of every Dense layer, TensorFlow Playground's
        kernel = "Zeros()" if init == "zero" else "RandomUniform(-0.5, 0.5)"
        dense_args += (
            f", kernel_initializer=keras.initializers.{kernel}, bias_initializer=keras.initializers.Constant(0.1)"
        )
    layers = ["    keras.Input(shape=X_train.shape[1:]),"]
    if isinstance(spec, CNNSpec):
        layers += [f"    {line},  # training only" for line in spec.augmentation.code()]
        for filters in spec.conv_filters:
            layers.append(
                f"    keras.layers.Conv2D({filters}, {spec.kernel_size}, activation={spec.activation!r}{dense_args}),"
            )
            layers += [f"    keras.layers.MaxPooling2D({spec.pool_size}),"] if spec.pool_size > 1 else []
        layers.append("    keras.layers.Flatten(),")
        layers += [f"    keras.layers.Dropout({spec.dropout}),"] if spec.dropout else []
        widths, dropout_each = spec.dense_layers, 0.0
    else:
        layers += ["    keras.layers.Flatten(),"] if kind == "image" else []
        widths, dropout_each = spec.hidden_layers, spec.dropout
    for units in widths:
        layers.append(f"    keras.layers.Dense({units}, activation={spec.activation!r}{dense_args}),")
        layers += [f"    keras.layers.Dropout({dropout_each}),"] if dropout_each else []
    if task == "regression":
        setup, target = ["loss, metrics = 'mse', [keras.metrics.R2Score()]"], "y_fit"
        layers.append(f"    keras.layers.Dense(1{dense_args}),")
    elif getattr(spec, "output", "sigmoid") == "tanh":
        setup = [
            "# TensorFlow Playground's output: one tanh unit, read as the probability of class 1, (tanh + 1) / 2,",
            "# and its squared error 0.5 (tanh - t)^2 on labels t = -1, 1: that is 2 (p - y)^2 on p and y = 0, 1.",
            "binary = True",
            "loss, metrics = 'mse', [keras.metrics.BinaryAccuracy(name='accuracy')]",
        ]
        layers.append(f"    keras.layers.Dense(1, activation='tanh'{dense_args}),")
        layers.append("    keras.layers.Rescaling(0.5, offset=0.5),")
        target = "y_fit.astype('float32')"
    else:
        setup = [
            "# One logistic unit for two classes, softmax over one unit per class otherwise.",
            "n_classes = len(np.unique(y))",
            "binary = n_classes == 2",
            "loss = 'binary_crossentropy' if binary else 'sparse_categorical_crossentropy'",
            "metrics = ['accuracy']",
        ]
        layers.append(
            f"    keras.layers.Dense(1 if binary else n_classes, activation='sigmoid' if binary else 'softmax'{dense_args}),"
        )
        target = "(y_fit.astype('float32') if binary else y_fit)"
    optim = {"sgd": "SGD", "adam": "Adam", "rmsprop": "RMSprop"}[c.optimizer]
    callbacks = (
        f"[keras.callbacks.EarlyStopping(patience={c.early_stopping_patience})]" if c.early_stopping_patience else "[]"
    )
    validation = (
        "(X_val, y_val.astype('float32') if binary else y_val)" if task == "classification" else "(X_val, y_val)"
    )
    return [
        *holdout,
        "",
        *setup,
        f"keras.utils.set_random_seed({c.seed})       # NN Lab seeds before building (the initial weights) ...",
        "model = keras.Sequential([",
        *layers,
        "])",
        f"keras.utils.set_random_seed({c.seed})       # ... and again before training (shuffling, dropout, augmentation)",
        f"model.compile(optimizer=keras.optimizers.{optim}(learning_rate={c.learning_rate}), loss=loss, metrics=metrics"
        + (", loss_weights=[2.0])" if getattr(spec, "output", "sigmoid") == "tanh" else ")"),
        "model.summary()",
        f"history = model.fit(X_fit, {target}, epochs={c.epochs}, batch_size=min({c.batch_size}, len(X_fit)),",
        f"                    validation_data={validation} if X_val is not None else None, callbacks={callbacks},",
        "                    verbose=2)"
        if c.shuffle
        else "                    shuffle=False, verbose=2)   # one order",
        "loss_value, score = model.evaluate(X_test, y_test, verbose=0)",
    ]
