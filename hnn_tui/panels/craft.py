"""The craft-of-training knobs as the model panels turn and show them (keys.py `_craft`): L1, dropout, the weights'
starting scheme and the biases' starting value, the classes' weights and the engine.

Which of them a model has is decided here once: a knob it has not gives a notice saying why, and changes nothing;
each one it has shows its key and its value now on the panel's knobs line, ranked so that what does not fit on a
small terminal gives way first (engine.knobs turns them; screens.lesson_controls takes the messages).
"""
from __future__ import annotations

from ..engine.lessons.classifier import ClassifierSpec
from ..engine.lessons.regression import RegressionSpec

KNOBS = ("l1", "dropout", "weights", "engine", "init", "bias")  # the craft knobs, as engine.knobs names them
# The knobs line's items by usefulness, most useful first (see `ranked`: the knobs turned and the craft knobs set
# away from their defaults go first). The engine comes before the rest: the status line's steps/s needs it.
RANKS = ("engine", "reg", "loss", "batch", "shape", "data", "l1", "dropout", "weights", "init", "bias", "seed",
         "size", "extra")
SAME = {"hidden": "shape", "layers": "shape", "dataset": "data", "n": "size", "noise": "size"}  # knob -> its item


def has_dropout(spec) -> bool:
    """Dropout works on the hidden layers of models built on models.MLP: the binary mlp, and the multiclass and
    regression net and mlp (the binary net is the guide's own code)."""
    if isinstance(spec, ClassifierSpec):
        return spec.model == "mlp"
    return spec.model in ("net", "mlp")


def has_classes(spec) -> bool:
    """The class weights and the numpy engine: classifiers only."""
    return not isinstance(spec, RegressionSpec)


def refusal(spec, knob: str) -> str | None:
    """Why the knob `knob` does not apply to `spec`'s model (the notice's words), or None when it does. (A
    regression binds no key for the class weights nor the engine.)"""
    if knob == "dropout" and not has_dropout(spec):
        if isinstance(spec, ClassifierSpec):
            what = "the SVM: it has no hidden units" if spec.model == "svm" else "the guide's net"
            return f"no dropout on {what} ({{ and }} drop hidden units of the mlp: type = \"mlp\")"
        what = "a line" if spec.model == "line" else "linear class scores"
        return f"no dropout on {what}: no hidden units ({{ and }} drop those of the net and the mlp)"
    return None


def weights_words(spec) -> str:
    """'equal', 'balanced', or the file's own weights: '+1 1, -1 5'."""
    if spec.class_weights_mode == "balanced":
        return "balanced"
    if not spec.class_weights:
        return "equal"
    classes = getattr(spec, "classes", None)  # a multiclass spec names its classes; the binary's are +1 and -1
    return ", ".join(f"{classes[c] if classes else f'{c:+d}'} {w:g}" for c, w in spec.class_weights)


def items(spec) -> list[tuple[str, str]]:
    """(knob, item) of each craft knob `spec`'s model has, in the order the knobs line shows them."""
    out = [("l1", f"[[]] L1 {spec.l1:g}")]
    if has_dropout(spec):
        out.append(("dropout", f"[{{}}] dropout {spec.dropout:g}"))
    if has_classes(spec):
        out.append(("weights", f"[W] weights {weights_words(spec)}"))
        out.append(("engine", f"[E] {spec.engine}"))
    bias = "default" if spec.bias_start is None else f"{spec.bias_start:g}"
    out += [("init", f"[I] init {spec.init_scheme}"), ("bias", f"[vV] bias {bias}")]
    return out


def changed(spec) -> set[str]:
    """The craft knobs `spec` sets away from their defaults (a lesson's own L1, say): kept in view before others."""
    out = {name for name, on in (("l1", spec.l1), ("dropout", spec.dropout), ("init", spec.init_scheme != "uniform"),
                                 ("bias", spec.bias_start is not None)) if on}
    if has_classes(spec):
        out |= {name for name, on in (("weights", spec.class_weights), ("engine", spec.engine != "python")) if on}
    return out


def ranked(named: list[tuple[str, str]], turned=(), set_: set[str] = frozenset()) -> tuple[list[str], list[float]]:
    """The items of (knob, item) pairs and their ranks, lower kept longer on a small terminal: the knobs `turned`
    (the latest first), then the engine, the craft knobs `set_` away from their defaults, and RANKS' order."""
    turned = [SAME.get(name, name) for name in turned]

    def rank(name: str) -> float:
        if name in turned:
            return -len(turned) + turned.index(name)
        if name in set_ and name != "engine":
            return 0.5  # after the engine (0), before the spring (1)
        return RANKS.index(name) if name in RANKS else len(RANKS)

    return [item for _, item in named], [rank(name) for name, _ in named]
