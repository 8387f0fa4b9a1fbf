"""The regression written out as a standalone program (engine.export): its points inline (a generated curve's
as drawn when the scenario was read), its prediction (the line a*x + b, the small ReLU net, the mlp: layers of
neurons, export_common), the force specification on the prediction (the squared, absolute or Huber loss's pull
towards the target) backpropagated to every parameter, the spring (and L1, dropout when the file has them), and
the same JSON lines as `hnn-tui run --json` (lessons/regression.py, regression_losses.py: the same operations in
the same order)."""
from __future__ import annotations

from .export_common import batch_main, model_code, model_settings, regularizer_code, training_settings
from .export_steps import head, step_settings, strategy_code, wrap
from .lessons.regression import make_model

LOSS_WORDS = {"squared": "squared (L2): (p - t)^2", "absolute": "absolute (L1): |p - t|",
              "huber": "Huber: (p - t)^2 / 2 near the target, a straight line beyond DELTA"}


def _data(scenario, strategy: str, model) -> list[str]:
    spec = scenario.spec
    where = "the file's own" if spec.dataset == "inline" else f"the {spec.dataset} curve's, as drawn"
    return ["# ---- the data, the model and its settings ----", "",
            f"# the training points: each x and its target t ({where})",
            *wrap("XS = [", list(map(repr, spec.xs)), "]", ""),
            *wrap("TARGETS = [", list(map(repr, spec.targets)), "]", ""),
            "# held out: measured, never trained on",
            *wrap("VAL_XS = [", list(map(repr, spec.val_xs)), "]", ""),
            *wrap("VAL_TARGETS = [", list(map(repr, spec.val_targets)), "]", ""),
            *model_settings(spec, model, "x", "the prediction", WORDS[spec.model]), *training_settings(spec),
            f"LOSS = {spec.loss!r}  # {LOSS_WORDS[spec.loss]}",
            *([f"DELTA = {spec.delta!r}  # where Huber's square turns into a line"] if spec.loss == "huber" else []),
            *step_settings(scenario, strategy)]


WORDS = {"line": "a line, prediction = a*x + b (one neuron, no ReLU)",
         "net": "the small net: hidden ReLU neurons n_i = max(0, a_i*x + b_i), prediction = sum w_i*n_i + c",
         "mlp": "an mlp: layers of ReLU neurons, one prediction on top"}

LOSSES = {
    "squared": ('''
# ---- the loss and its force specification: squared ----


def point_loss(p, t):
    """(p - t)^2: a far point costs much more than a near one."""
    r = p - t
    return r * r''', '''
def force(p, t):
    """The force specification on the prediction, -d loss / d p = -2 (p - t): a far point pulls hard."""
    return -2.0 * (p - t) + 0.0'''),
    "absolute": ('''
# ---- the loss and its force specification: absolute ----


def point_loss(p, t):
    """|p - t|."""
    return abs(p - t)''', '''
def force(p, t):
    """The force specification on the prediction, -d loss / d p = -sign(p - t): a pull of 1 towards the target
    whatever the distance (0 on it)."""
    r = p - t
    return -1.0 if r > 0 else (1.0 if r < 0 else 0.0)'''),
    "huber": ('''
# ---- the loss and its force specification: Huber ----


def point_loss(p, t):
    """Huber: (p - t)^2 / 2 within DELTA of the target, DELTA * (|p - t| - DELTA / 2) beyond (joined smoothly)."""
    r = p - t
    if abs(r) <= DELTA:
        return 0.5 * r * r
    return DELTA * (abs(r) - 0.5 * DELTA)''', '''
def force(p, t):
    """The force specification on the prediction, -d loss / d p: -(p - t) within DELTA, at most DELTA beyond."""
    return -min(DELTA, max(-DELTA, p - t)) + 0.0'''),
}

MODEL = '''
# ---- the objective, the forces on a batch, the measures and the run ----


def objective(params, batch, masks):
    """What every strategy makes higher: minus the batch's mean loss, minus the regularizers."""
    total = 0.0
    for b, i in enumerate(batch):
        prediction, _ = forward(params, [XS[i]], None if masks is None else masks[b])
        total += point_loss(prediction[0], TARGETS[i])
    return -(total / len(batch) + penalty(params))


def pull(params, batch, masks):
    """The guide's forces: each point's pull on its prediction (force) flows back through the layers (backward),
    summed over the batch and averaged (the data's pull); then the spring on each weight. Returns the grads and what
    a step's line shows: the batch's predictions and pulls, and the data's and the spring's parts."""
    data, rows = [0.0] * len(params), []
    for b, i in enumerate(batch):
        mask = None if masks is None else masks[b]
        x, t = XS[i], TARGETS[i]
        prediction, layers = forward(params, [x], mask)
        p = prediction[0]
        f = force(p, t)
        backward(params, [x], layers, [f], data, mask)
        rows.append({"index": i, "x": x, "target": t, "prediction": p, "residual": t - p, "pull": f})
    data = [g / len(batch) for g in data]  # the mean over the batch
    springs, grads = spring(params), list(data)
    for j in REGULARIZED:
        grads[j] += springs[j]  # data + spring
    return grads, (rows, data, springs)


def measures(params):
    """The cost on the training points (their losses' sum + the regularizers, N times the objective's), the rmse
    (the typical miss, sqrt of the mean squared residual, whatever the loss), and the held-out rmse and mean loss."""
    total = squares = 0.0
    for x, t in zip(XS, TARGETS):
        p = forward(params, [x])[0][0]
        total += point_loss(p, t)
        squares += (p - t) * (p - t)
    cost = total + cost_penalty(params, len(XS))
    val_rmse = val_cost = None
    if VAL_XS:
        val_total = val_squares = 0.0
        for x, t in zip(VAL_XS, VAL_TARGETS):
            p = forward(params, [x])[0][0]
            val_total += point_loss(p, t)
            val_squares += (p - t) * (p - t)
        val_rmse, val_cost = math.sqrt(val_squares / len(VAL_XS)), val_total / len(VAL_XS)
    return cost, math.sqrt(squares / len(XS)), val_rmse, val_cost


def diverged(rows, x, grads, cost, val_rmse, val_cost):
    """The first number that is not finite, in words (None when all are finite)."""
    for r in rows or ():
        for what in ("prediction", "pull"):
            if not math.isfinite(r[what]):
                return f"the {what} of point {r['index']} became {r[what]}"
    return model_diverged(None, [("rmse", val_rmse), ("cost", val_cost)], x, grads, cost)
'''

LINE = '''
    def line(step, grads, inside):
        cost, rmse, val_rmse, val_cost = measures(x)
        rows, data, springs = inside or (None, None, None)
        return {"step": step, "strategy": STRATEGY, "output": cost, "values": dict(zip(PARAMS, x)),
                "grads": None if grads is None else dict(zip(PARAMS, grads)),
                "forward_passes": forward_passes, "backward_passes": backward_passes, "rmse": rmse,
                "val_rmse": val_rmse, "val_cost": val_cost, "batch": rows,
                "data_pull": None if data is None else dict(zip(PARAMS, data)),
                "spring_pull": None if springs is None else dict(zip(PARAMS, springs))}
'''


def regression_program(scenario, strategy: str) -> str:
    spec, s = scenario.spec, scenario.settings
    model = make_model(spec.model, spec.hidden, spec.layers)
    main = batch_main(scenario, strategy, LINE, "XS", True,
                      'now["batch"], x, now["grads"], now["output"], now["val_rmse"], now["val_cost"]',
                      ["rmse", "val_rmse", "val_cost"])
    loss, force = LOSSES[spec.loss]
    parts = [head(scenario, strategy), "\n".join(_data(scenario, strategy, model)), *model_code(spec, model), loss,
             force, *regularizer_code(spec), strategy_code(s, strategy), MODEL, main]
    return "\n\n\n".join(p.strip("\n") for p in parts) + "\n"
