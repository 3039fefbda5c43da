"""Why this prediction: which inputs (pixels) a network's output for one class depends on, computed from its
weights in NumPy (the server never imports TensorFlow), for an MLP or a convnet, at any recorded epoch.

    s = saliency(spec, layers, X, "classification", 10, target=3)     # d score / d input, X's shape
    m = occlusion(spec, layers, x, "classification", 10, target=3)    # (h, w): what hiding each pixel costs
    cam = grad_cam(spec, layers, x, "classification", 10, target=3)   # (h', w') on the last conv layer
    overlay = upsample(cam, x.shape[:2])                               # bilinear, to draw over the image
    check = saliency(spec, reinitialised(spec, layers), X, ...)        # should NOT look like s

Definitions (the tests check them against tf.GradientTape on the Keras model with the same weights):
- the score explained is the output layer's pre-activation (logit) z_t of class t; for one logistic unit
  (binary) z for class 1 and -z for class 0 (the log-odds of the class; the same for the Playground's tanh unit,
  half its log-odds); for regression the output's value.
- saliency (Simonyan et al. 2014) is d score / d x, by a backward pass: Dense dA = dZ W^T; an activation
  dZ = dA * f'(Z); Conv2D (valid cross-correlation) dX[i + a, j + b] += K[a, b] dZ[i, j] (the full convolution of
  dZ with the kernel, its in and out channels swapped); MaxPooling2D sends each window's gradient to its maximum (the first,
  on ties; the rows and columns pooling cut off get 0); Flatten reshapes back.
- occlusion (Zeiler & Fergus 2014): a patch of `fill` (default the image's mean: grey) slides over the image; a
  pixel's value is the drop of the class's probability (regression: of the output), averaged over the patches
  that covered it. Positive: hiding the pixel lowers the class.
- Grad-CAM (Selvaraju et al. 2017): with A_k the maps of a conv layer (after its activation),
  alpha_k = the mean over the map of d score / d A_k and cam = relu(sum_k alpha_k A_k).
- the sanity check (Adebayo et al. 2018): a map that barely changes when the weights are re-initialised shows
  the image (edges), not what the network learnt. `reinitialised` draws Keras's first weights: Glorot uniform
  kernels, U(-l, l) with l = sqrt(6 / (fan_in + fan_out)) (conv: fan = kh kw c_in, kh kw c_out), zero biases.
"""

from __future__ import annotations

from math import prod

import numpy as np

from core.activations import get_activation
from core.cnn import conv2d, max_pool
from core.errors import InvalidSpecError
from core.params import output_activation, output_values
from core.snapshots import LayerWeights
from core.spec import CNNSpec, MLPSpec

BATCH = 32  # images per convnet pass: small batches stay in cache (measured fastest: 1 s for 2,000 MNIST images)
Net = dict[str, tuple[np.ndarray, np.ndarray]]


def _network(spec: MLPSpec | CNNSpec, layers: LayerWeights, n_units: int | None = None) -> Net:
    """{name: (kernel, bias)} in float64, in the network's order, once the weights are checked to be spec's."""
    if not isinstance(spec, (MLPSpec, CNNSpec)):
        raise InvalidSpecError(f"explanations need an MLPSpec or a CNNSpec, received {type(spec).__name__}.")
    cnn = isinstance(spec, CNNSpec)
    convs = [f"conv_{i}" for i in range(1, len(spec.conv_filters) + 1)] if cnn else []
    widths = spec.dense_layers if cnn else spec.hidden_layers
    names = convs + [f"hidden_{j}" for j in range(1, len(widths) + 1)] + ["output"]
    given = {name: (np.asarray(W, np.float64), np.asarray(b, np.float64)) for name, W, b in layers}
    if sorted(given) != sorted(names):
        raise InvalidSpecError(
            f"these weights do not belong to this network: it has layers {', '.join(names)}; the weights are for "
            f"{', '.join(given) or 'no layer'}."
        )
    units = [*(spec.conv_filters if cnn else ()), *widths, n_units]
    fan_in = None  # the previous layer's units (unknown for the first layer and after Flatten)
    for i, (name, n) in enumerate(zip(names, units)):
        W, b = given[name]
        conv = name.startswith("conv")
        shape = (spec.kernel_size, spec.kernel_size, fan_in, n) if conv else (fan_in, n)
        ok = W.ndim == len(shape) and b.shape == W.shape[-1:]
        ok = ok and all(want is None or got == want for got, want in zip(W.shape, shape))
        if not ok:
            expected = " x ".join("?" if s is None else str(s) for s in shape)
            raise InvalidSpecError(
                f"the weights of {name} (kernel {W.shape}, bias {b.shape}) do not fit this network: its kernel "
                f"is {expected} (with as many biases as its last number)."
            )
        fan_in = None if conv and i == len(convs) - 1 else W.shape[-1]
    return {name: given[name] for name in names}


def _batch(spec, net: Net, X) -> tuple[np.ndarray, bool]:
    """X as a float64 batch ((n, h, w, c) for a convnet, (n, d) for an MLP) and whether it was one sample."""
    X = np.asarray(X, np.float64)
    if isinstance(spec, CNNSpec):
        c = net["conv_1"][0].shape[2]
        if X.ndim in (3, 4) and X.shape[-1] == c:
            return (X[None], True) if X.ndim == 3 else (X, False)
        raise InvalidSpecError(
            f"this convnet takes an image (height, width, {c}) or a batch (n, height, width, {c}), received shape "
            f"{X.shape}."
        )
    d = next(iter(net.values()))[0].shape[0]
    if X.ndim >= 2 and prod(X.shape[1:]) == d:
        return X.reshape(len(X), d), False
    if X.size == d:
        return X.reshape(1, d), True
    raise InvalidSpecError(
        f"this network takes {d} inputs a sample (a batch (n, {d}), or images of {d} pixels), received shape {X.shape}."
    )


def _image(spec, net: Net, x) -> np.ndarray:
    """One sample as an image (h, w, c); (h, w) is one channel."""
    x = np.asarray(x, np.float64)
    x = x[..., None] if x.ndim == 2 else x
    if x.ndim != 3:
        raise InvalidSpecError(f"expected one image (height, width, channels), received shape {x.shape}.")
    _batch(spec, net, x[None])  # the shape the network takes
    return x


def _output(spec, task: str, n_units: int) -> str:
    """The output layer's activation: softmax, sigmoid (or an MLP's Playground tanh unit) or linear."""
    if task not in ("classification", "regression"):
        raise InvalidSpecError(f"task must be classification or regression, received {task!r}.")
    return output_activation(task, n_units, getattr(spec, "output", "sigmoid"))


def _direction(spec, task: str, n_units: int, target) -> np.ndarray:
    """s with score = z . s for the output pre-activations z (n_units,)."""
    one_unit = _output(spec, task, n_units) in ("sigmoid", "tanh")
    count = 2 if one_unit else n_units
    if isinstance(target, (bool, np.bool_)) or not isinstance(target, (int, np.integer)) or not 0 <= target < count:
        what = "an output" if task == "regression" else "a class"
        raise InvalidSpecError(f"target must be {what} from 0 to {count - 1}, received {target!r}.")
    s = np.zeros(n_units)
    s[0 if one_unit else target] = -1.0 if one_unit and target == 0 else 1.0
    return s


def _forward(spec, net: Net, X: np.ndarray, tape: list | None = None) -> np.ndarray:
    """The output layer's pre-activations (n, units) for a batch; `tape` (a list) receives what the backward pass
    needs: (layer, pre-activation, activation) for conv and dense layers, (pool, input, output), (flatten, shape)."""
    act, a = get_activation(spec.activation).fn, X
    keep = tape.append if tape is not None else lambda entry: None
    if isinstance(spec, CNNSpec):
        for i in range(1, len(spec.conv_filters) + 1):
            z = conv2d(a, *net[f"conv_{i}"])
            a = act(z)
            keep((f"conv_{i}", z, a))
            if spec.pool_size > 1:
                pooled = max_pool(a, spec.pool_size)
                keep((f"pool_{i}", a, pooled))
                a = pooled
        keep(("flatten", a.shape, None))
        dense = [name for name in net if not name.startswith("conv")]
        if prod(a.shape[1:]) != net[dense[0]][0].shape[0]:
            raise InvalidSpecError(
                f"these images leave maps of {' x '.join(map(str, a.shape[1:]))} after the last conv block, but "
                f"{dense[0]} takes {net[dense[0]][0].shape[0]} values: the network was trained on images of "
                "another size."
            )
        a = a.reshape(len(a), -1)
    for name in [n for n in net if n.startswith("hidden")]:
        W, b = net[name]
        z = a @ W + b
        a = act(z)
        keep((name, z, a))
    W, b = net["output"]
    return a @ W + b


def _unpool(g: np.ndarray, a: np.ndarray, pooled: np.ndarray, p: int) -> np.ndarray:
    """MaxPooling2D's backward pass: g (n, h//p, w//p, c) onto the first max (row by row) of each p x p window of
    its input a (n, h, w, c), whose maxima are `pooled`; the cut-off rows and columns get 0."""
    h, w = pooled.shape[1] * p, pooled.shape[2] * p
    out, taken = np.zeros(a.shape), np.zeros(pooled.shape, bool)
    for r in range(p):
        for c in range(p):
            first = (a[:, r:h:p, c:w:p] == pooled) & ~taken
            taken |= first
            out[:, r:h:p, c:w:p] = np.where(first, g, 0.0)
    return out


def _conv_input_grad(g: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Conv2D's backward pass to its input (n, h, w, c_in): z[i, j] = sum_ab x[i + a, j + b] K[a, b] + bias, so
    each g[i, j] (c_out) goes back to x[i + a, j + b] through K[a, b] (c_in x c_out): one matrix product, then a
    shifted sum for each of the kh x kw kernel positions."""
    kh, kw, c_in, c_out = kernel.shape
    n, h, w, _ = g.shape
    back = (g.reshape(-1, c_out) @ kernel.reshape(-1, c_out).T).reshape(n, h, w, kh, kw, c_in)
    out = np.zeros((n, h + kh - 1, w + kw - 1, c_in))
    for a in range(kh):
        for b in range(kw):
            out[:, a : a + h, b : b + w] += back[:, :, :, a, b]
    return out


def _backward(spec, net: Net, tape: list, g: np.ndarray, stop: str | None = None):
    """d score / d input for g = d score / d z of the output layer; with `stop` (a conv layer's name), instead
    (d score / d A, A) for that layer's maps A."""
    grad = get_activation(spec.activation).grad
    g = g @ net["output"][0].T
    for name, first, second in reversed(tape):
        if name == "flatten":
            g = g.reshape(first)
        elif name.startswith("pool"):
            g = _unpool(g, first, second, spec.pool_size)
        elif name == stop:
            return g, second
        else:
            g = g * grad(first)
            g = _conv_input_grad(g, net[name][0]) if name.startswith("conv") else g @ net[name][0].T
    return g


def _chunks(spec, n: int) -> list[slice]:
    """A convnet's batch a BATCH at a time (its maps are large); an MLP's at once."""
    step = BATCH if isinstance(spec, CNNSpec) else max(n, 1)
    return [slice(i, i + step) for i in range(0, n, step)]


def _logits(spec, net: Net, X: np.ndarray) -> np.ndarray:
    return np.concatenate([_forward(spec, net, X[part]) for part in _chunks(spec, len(X))])


def class_score(spec, layers: LayerWeights, X, task: str, n_units: int, target: int) -> np.ndarray:
    """The score explained for each sample of X: (n,) for a batch, a 0-d array for one sample (float() it)."""
    net = _network(spec, layers, n_units)
    s = _direction(spec, task, n_units, target)
    Xb, single = _batch(spec, net, X)
    score = _logits(spec, net, Xb) @ s if len(Xb) else np.zeros(0)
    return score[0] if single else score


def saliency(spec, layers: LayerWeights, X, task: str, n_units: int, target: int) -> np.ndarray:
    """d class_score / d X, X's shape: a batch (n, ...) or one sample without the batch axis."""
    net = _network(spec, layers, n_units)
    s = _direction(spec, task, n_units, target)
    Xb, _ = _batch(spec, net, X)
    out = np.empty_like(Xb)
    for part in _chunks(spec, len(Xb)):
        tape: list = []
        z = _forward(spec, net, Xb[part], tape)
        out[part] = _backward(spec, net, tape, np.broadcast_to(s, z.shape))
    return out.reshape(np.shape(X))


def _probability(spec, z: np.ndarray, task: str, n_units: int, target: int) -> np.ndarray:
    """The target's probability (regression: the output's value) from the output pre-activations z (n, units)."""
    values = output_values(z, _output(spec, task, n_units))
    if values.shape[1] == 1 and task == "classification":  # one unit: the probability of class 1
        return values[:, 0] if target == 1 else 1 - values[:, 0]
    return values[:, target]


def _starts(size: int, patch: int, stride: int) -> list[int]:
    """Top (left) edges of the patches: every `stride`, and a last one flush with the edge."""
    starts = list(range(0, size - patch + 1, stride))
    return starts if starts[-1] == size - patch else [*starts, size - patch]


def occlusion(
    spec, layers: LayerWeights, x, task: str, n_units: int, target: int, patch=None, stride=None, fill=None
) -> np.ndarray:
    """(h, w): for one image x (h, w, c) or (h, w), the target's probability on x minus on x with a patch x patch
    square of `fill` over each pixel, averaged over the squares covering it. Defaults: patch ~ 1/7 of the
    shorter side, stride patch // 2, fill the mean of x; stride and patch at least 1."""
    net = _network(spec, layers, n_units)
    _direction(spec, task, n_units, target)
    x = _image(spec, net, x)
    h, w = x.shape[:2]
    patch = max(1, round(min(h, w) / 7)) if patch is None else patch
    stride = max(1, patch // 2) if stride is None else stride
    for label, value, high in (("patch", patch, min(h, w)), ("stride", stride, max(h, w))):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not 1 <= value <= high:
            raise InvalidSpecError(f"{label} must be a whole number from 1 to {high}, received {value!r}.")
    windows = [(r, c) for r in _starts(h, patch, stride) for c in _starts(w, patch, stride)]
    copies = np.repeat(x[None], len(windows) + 1, axis=0)  # the first stays whole
    for k, (r, c) in enumerate(windows, 1):
        copies[k, r : r + patch, c : c + patch] = x.mean() if fill is None else fill
    p = _probability(spec, _logits(spec, net, _batch(spec, net, copies)[0]), task, n_units, target)
    total, count = np.zeros((h, w)), np.zeros((h, w))
    for k, (r, c) in enumerate(windows, 1):
        total[r : r + patch, c : c + patch] += p[0] - p[k]
        count[r : r + patch, c : c + patch] += 1
    return total / count


def grad_cam(spec, layers: LayerWeights, x, task: str, n_units: int, target: int, layer: str | None = None):
    """Grad-CAM (h', w') of one image x on the conv layer `layer` (default the last), at that layer's resolution."""
    if not isinstance(spec, CNNSpec):
        raise InvalidSpecError("Grad-CAM needs a convnet's maps: this network has no conv layer (use saliency).")
    net = _network(spec, layers, n_units)
    s = _direction(spec, task, n_units, target)
    convs = [name for name in net if name.startswith("conv")]
    layer = convs[-1] if layer is None else layer
    if layer not in convs:
        raise InvalidSpecError(
            f"layer must be one of this network's conv layers {', '.join(convs)}, received {layer!r}."
        )
    tape: list = []
    z = _forward(spec, net, _image(spec, net, x)[None], tape)
    g, A = _backward(spec, net, tape, np.broadcast_to(s, z.shape), stop=layer)
    return np.maximum(A[0] @ g[0].mean(axis=(0, 1)), 0.0)


def upsample(heatmap: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Bilinear resize of a (h', w') map to (h, w) with half-pixel centres, edges clamped: tf.image.resize's
    "bilinear" (and OpenCV's resize), so each map cell is drawn over the middle of the pixels it stands for."""
    m = np.asarray(heatmap, np.float64)
    if m.ndim != 2 or min(m.shape) < 1 or len(size) != 2 or min(size) < 1:
        raise InvalidSpecError(f"upsample takes a 2-D map and a size (h, w), received {m.shape} and {size!r}.")

    def axis(n_in: int, n_out: int):
        src = np.clip((np.arange(n_out) + 0.5) * n_in / n_out - 0.5, 0, n_in - 1)
        lo = np.floor(src).astype(int)
        return lo, np.minimum(lo + 1, n_in - 1), src - lo

    r0, r1, fr = axis(m.shape[0], int(size[0]))
    c0, c1, fc = axis(m.shape[1], int(size[1]))
    rows = m[r0] * (1 - fr[:, None]) + m[r1] * fr[:, None]
    return rows[:, c0] * (1 - fc) + rows[:, c1] * fc


def reinitialised(spec, layers: LayerWeights, seed: int = 0) -> LayerWeights:
    """`layers` with Keras's first weights instead (Glorot uniform kernels, zero biases), drawn layer by layer
    with np.random.default_rng(seed): the network of the sanity check, before it learnt anything."""
    _network(spec, layers)
    rng, out = np.random.default_rng(seed), []
    for name, W, b in layers:
        W = np.asarray(W)
        limit = np.sqrt(6.0 / (prod(W.shape[:-2]) * (W.shape[-2] + W.shape[-1])))
        dtype = W.dtype if np.issubdtype(W.dtype, np.floating) else np.float64
        out.append((name, rng.uniform(-limit, limit, W.shape).astype(dtype), np.zeros(np.shape(b), dtype)))
    return out


__all__ = ["class_score", "grad_cam", "occlusion", "reinitialised", "saliency", "upsample"]
