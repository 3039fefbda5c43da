"""Name -> thing lookups shared by every registry (activations, losses, surfaces, datasets), so an unknown
name or a wrong parameter always gets the same kind of message: what was asked, what exists."""

from __future__ import annotations

from typing import Callable, Mapping, TypeVar

from core.errors import InvalidSpecError

T = TypeVar("T")


def lookup(registry: Mapping[str, T], name: str, what: str) -> T:
    """registry[name], or InvalidSpecError listing the names that exist."""
    try:
        return registry[name]
    except KeyError:
        raise InvalidSpecError(f"Unknown {what} {name!r}. Choose one of: {', '.join(registry)}.") from None


def build(registry: Mapping[str, Callable[..., T]], name: str, what: str, **params) -> T:
    """Call the factory registered under `name` with `params`; wrong parameters raise InvalidSpecError."""
    factory = lookup(registry, name, what)
    try:
        return factory(**params)
    except TypeError:
        raise InvalidSpecError(f"{what.capitalize()} {name!r} does not take parameters {sorted(params)}.") from None
