"""Per-epoch copies of a model's weights, so a page can scrub through training without retraining.

Every `fit` records the weights after each epoch into `history.snapshots`. A memory budget caps what one
run keeps: when the copies would exceed it, every other recorded epoch is dropped and recording goes on at
twice the spacing. The first and the latest epochs are always kept, so the recorded epochs stay evenly
spread over the whole run, however long it is:

    snaps = model.history.snapshots
    snaps.epochs                            # e.g. [1, 2, 4, 6, ..., 40, 41]
    snaps.at(10)                            # [(name, kernel, bias)] as they were after epoch 10
    epochs, values = snaps.trace("hidden_1", "bias", (0,))   # one parameter across the recorded epochs
"""

from __future__ import annotations

import numpy as np

from core.errors import InvalidSpecError

LayerWeights = list[tuple[str, np.ndarray, np.ndarray]]  # [(layer name, kernel, bias)], as layer_weights()
SNAPSHOT_BUDGET = 32 * 2**20  # bytes per run: 82 epochs of a 784-128-10 MLP (float32), 8 of a 1 M-parameter one
PARTS = ("kernel", "bias")


class WeightSnapshots:
    """The weights after each epoch of one run, thinned to stay within `budget_bytes`."""

    def __init__(self, budget_bytes: int = SNAPSHOT_BUDGET) -> None:
        if budget_bytes < 0:
            raise InvalidSpecError(f"budget_bytes must be 0 or more, received {budget_bytes}.")
        self.budget_bytes = budget_bytes
        self.stride = 1  # recorded epochs are 1, the multiples of stride, and the latest
        self.epoch_bytes = 0  # size of one epoch's copy
        self._kept: dict[int, LayerWeights] = {}
        self._latest = 0

    @property
    def capacity(self) -> int:
        """How many epochs fit in the budget (known after the first record)."""
        return self.budget_bytes // self.epoch_bytes if self.epoch_bytes else 0

    @property
    def epochs(self) -> list[int]:
        """The recorded epochs, ascending (1-based, as in the history's logs)."""
        return sorted(self._kept)

    @property
    def nbytes(self) -> int:
        return len(self._kept) * self.epoch_bytes

    def __len__(self) -> int:
        return len(self._kept)

    def record(self, epoch: int, layers: LayerWeights) -> None:
        """Keep `layers` (arrays this object may own) as the weights after `epoch`, then thin to the budget."""
        frozen = []
        for name, kernel, bias in layers:
            kernel, bias = np.asarray(kernel), np.asarray(bias)
            kernel.setflags(write=False)
            bias.setflags(write=False)
            frozen.append((name, kernel, bias))
        self.epoch_bytes = sum(k.nbytes + b.nbytes for _, k, b in frozen)
        self._latest = epoch
        self._kept[epoch] = frozen
        self._thin()

    def shrink(self, budget_bytes: int) -> None:
        """Lower the budget (the server needs the memory): keep fewer, still evenly spread, epochs."""
        self.budget_bytes = min(self.budget_bytes, max(0, budget_bytes))
        if self._kept:
            self._thin()

    def _thin(self) -> None:
        if self.capacity < 2:  # not even the first and the latest fit: keep what the budget allows
            self._kept = {self._latest: self._kept[self._latest]} if self.capacity == 1 else {}
            return
        first = min(self._kept)

        def on_grid(e: int) -> bool:
            return e in (first, self._latest) or e % self.stride == 0

        self._kept = {e: w for e, w in self._kept.items() if on_grid(e)}  # the previous latest, if off the grid
        while len(self._kept) > self.capacity:
            self.stride *= 2
            self._kept = {e: w for e, w in self._kept.items() if on_grid(e)}

    def at(self, epoch: int) -> LayerWeights:
        """The weights after `epoch`, which must be one of `epochs`."""
        if epoch not in self._kept:
            raise InvalidSpecError(f"epoch {epoch} was not recorded; recorded epochs: {self._describe()}.")
        return self._kept[epoch]

    def layer(self, epoch: int, name: str) -> tuple[np.ndarray, np.ndarray]:
        """(kernel, bias) of layer `name` after `epoch`."""
        for layer_name, kernel, bias in self.at(epoch):
            if layer_name == name:
                return kernel, bias
        raise InvalidSpecError(f"no layer named {name!r}; layers: {', '.join(n for n, _, _ in self.at(epoch))}.")

    def trace(self, name: str, part: str, index: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
        """One parameter across the recorded epochs: (epochs (k,), values (k,)).

        part: "kernel" or "bias"; index: a position in that array (kernel (in, out) or (kh, kw, cin, cout))."""
        if part not in PARTS:
            raise InvalidSpecError(f"part must be one of {', '.join(PARTS)}, received {part!r}.")
        if not self._kept:
            return np.array([], dtype=int), np.array([], dtype=np.float32)
        array = self.layer(self._latest, name)[PARTS.index(part)]
        if len(index) != array.ndim or any(not 0 <= i < n for i, n in zip(index, array.shape)):
            raise InvalidSpecError(f"index {tuple(index)} is outside the {name} {part} of shape {array.shape}.")
        epochs = self.epochs
        values = [self.layer(e, name)[PARTS.index(part)][tuple(index)] for e in epochs]
        return np.array(epochs), np.array(values, dtype=array.dtype)

    def _describe(self) -> str:
        e = self.epochs
        return ", ".join(map(str, e)) if len(e) <= 8 else f"{e[0]}, {e[1]}, ... {e[-1]} ({len(e)} epochs)"
