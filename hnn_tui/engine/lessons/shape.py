"""The `[model]` keys every lesson with a trained model reads alike (the binary and the multiclass classifier, the
regression): the net's `hidden`, the mlp's `layers`, the spring `reg`, the `batch`, the start's `init` and
`init_scale`; each kind reads its own type, loss and craft keys around them."""
from __future__ import annotations

from ..models import MAX_HIDDEN, MAX_LAYERS, MAX_WIDTH
from ..table import Table, short


def read_layers(m: Table) -> tuple[int, ...]:
    """The mlp's hidden layer sizes, e.g. [16, 16]."""
    layers = m.get("layers", (list,), [16, 16], f"a list of 1 to {MAX_LAYERS} layer sizes")
    if not 1 <= len(layers) <= MAX_LAYERS or not all(type(n) is int and 1 <= n <= MAX_WIDTH for n in layers):
        m.fail("layers", f"expected 1 to {MAX_LAYERS} whole numbers from 1 to {MAX_WIDTH}, got {short(layers)}")
    return tuple(layers)


def read_shape(m: Table, model: str, reg: float) -> dict:
    """hidden, layers, reg (default `reg`), batch, init and init_scale of a model of type `model`."""
    return dict(
        hidden=m.integer("hidden", 3, lo=1, hi=MAX_HIDDEN) if model == "net" else 3,
        layers=read_layers(m) if model == "mlp" else (16, 16),
        reg=m.number("reg", reg, minimum=0.0),
        batch=m.choice("batch", ("sgd", "full"), "sgd"),
        init=m.numbers("init", None),
        init_scale=m.number("init_scale", 0.5, minimum=0.0),
    )


def check_owners(m: Table, model: str) -> None:
    """`hidden` belongs to the net and `layers` to the mlp: on another model either is a mistake, said so."""
    for key, owner in (("hidden", "net"), ("layers", "mlp")):
        if key in m.data and model != owner:
            m.fail(key, f'applies to type = "{owner}" only; this model is type = "{model}"')
