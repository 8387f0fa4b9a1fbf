"""The binary classifier written out as a standalone program (engine.export): its data inline, its score (the
svm's a*x + b*y + c and the net's ReLU neurons and top weights written out plainly, the guide's; the mlp's layers of
neurons: export_common, shared with the multiclass classifier and the regression), the force specification on the
score (the hinge's pull) backpropagated to every parameter, the spring on the weights, the craft of chapter 3 the
lesson switches on (L1 and its shrink, dropout: export_common; class weights: export_binary), and the same JSON
lines as `hnn-tui run --json` (lessons/classifier.py and objectives.py: the same operations in the same order).
`engine = "numpy"` computes the same numbers as the Python engine (to 1e-9): the program is the Python engine's."""
from __future__ import annotations

from .export_binary import circuit_start, class_weights, features, keep
from .export_common import batch_main, model_code, model_settings, regularizer_code, training_settings
from .export_steps import head, step_settings, strategy_code, wrap
from .models import make_model


def not_exported(spec) -> str | None:
    """What of a binary classifier's spec this module does not write out (None: all of it is)."""
    checks = [(spec.model not in ("svm", "net", "mlp"), f"the {spec.model} model"),
              (spec.loss not in FORCE, f"the {spec.loss} loss"),
              (spec.engine not in ("python", "numpy"), f"the {spec.engine} engine")]
    return next((what for bad, what in checks if bad), None)


def _data(spec, scenario, strategy: str, model) -> str:
    points = [f"({x!r}, {y!r})" for x, y in spec.points]
    val = [f"({x!r}, {y!r})" for x, y in spec.val_points]
    loss = "the hinge" if spec.loss == "hinge" else "the squared hinge"
    return "\n".join([
        "# ---- the data, the model and its settings ----", "",
        "# the training points (x, y) and their labels, +1 / -1",
        *wrap("POINTS = [", points, "]", ""), *wrap("LABELS = [", list(map(str, spec.labels)), "]", ""),
        "# held out: measured, never trained on",
        *wrap("VAL_POINTS = [", val, "]", ""), *wrap("VAL_LABELS = [", list(map(str, spec.val_labels)), "]", ""),
        *(model_settings(spec, model, "x, y", "the score", MLP_WORDS) if spec.model == "mlp" else [
            *wrap("PARAMS = [", [repr(p) for p in model.params], "]", ""),
            *wrap("REGULARIZED = [", [str(model.params.index(p)) for p in model.regularized], "]", ""),
            "# (the indexes of the weights, which feel the spring; the biases do not)"]),
        *([f"HIDDEN = {spec.hidden!r}  # hidden ReLU neurons"] if spec.model == "net" else []),
        f"LOSS = {spec.loss!r}  # {loss} loss", *class_weights(spec), *training_settings(spec),
        *step_settings(scenario, strategy)])


MLP_WORDS = "an mlp: layers of ReLU neurons, the score on top (one neuron, no ReLU)"
FORCE = {"hinge": "return float(label)  # +1 pulls the score up, -1 down",
         "squared_hinge": "return 2.0 * label * margin  # the squared hinge pulls harder the farther it is"}
LOSS = {"hinge": "return m", "squared_hinge": "return m * m"}

SVM = '''
def score(params, x, y):
    """The SVM's score: a*x + b*y + c; above 0 it says +1, below -1."""
    a, b, c = params
    return a * x + b * y + c


def point_backward(params, x, y, p):
    """The pull p on the score, sent back to each parameter (local derivative x p): d score/da = x,
    d score/db = y, d score/dc = 1. Also the hidden layers' outputs: the svm has none."""
    return [x * p, y * p, p], None
'''

NET = '''
def neurons(params, x, y):
    """Each hidden neuron's sum a_i*x + b_i*y + c_i and its ReLU output n_i = max(0, sum)."""
    sums, outs = [], []
    for i in range(HIDDEN):
        a, b, c = params[3 * i:3 * i + 3]
        pre = a * x + b * y + c
        sums.append(pre)
        outs.append(pre if pre > 0.0 else 0.0)
    return sums, outs


def score(params, x, y):
    """The net's score: the top weights times the neurons' outputs, summed, plus the top bias."""
    _, outs = neurons(params, x, y)
    top = params[3 * HIDDEN:]
    total = top[0] * outs[0]
    for w, n in zip(top[1:HIDDEN], outs[1:]):
        total = total + w * n
    return total + top[HIDDEN]


def point_backward(params, x, y, p):
    """Backprop of the pull p on the score to every parameter, gate by gate: the top bias gets p (d/dbias = 1),
    each top weight n_i * p (d/dw_i = n_i), each neuron w_i * p (d/dn_i = w_i), which its ReLU passes on only
    where it fired (d/dsum = 1 if sum > 0 else 0), to a_i, b_i, c_i (d sum/da = x, /db = y, /dc = 1). Also the
    hidden layers' outputs (the net has one)."""
    sums, outs = neurons(params, x, y)
    top = params[3 * HIDDEN:]
    grads = []
    for i in range(HIDDEN):
        dn = top[i] * p
        dsum = (1.0 if sums[i] > 0.0 else 0.0) * dn
        grads += [x * dsum, y * dsum, dsum]
    return grads + [n * p for n in outs] + [p], [outs]


def dead_neurons(params):
    """The hidden neurons whose output is 0 on every training point (a dead ReLU passes no pull back)."""
    fired = [any(n != 0.0 for n in column) for column in zip(*(neurons(params, x, y)[1] for x, y in POINTS))]
    return [f"n{i + 1}" for i, f in enumerate(fired) if not f]
'''

MLP = '''
# ---- the score and its backprop on one point, through the layers ----


def score(params, x, y, mask=None):
    """The mlp's score: the last layer's one neuron (forward); above 0 it says +1, below -1."""
    return forward(params, [x, y], mask)[0][0]


def point_backward(params, x, y, p, mask=None):
    """The pull p on the score sent back through the layers (backward): each parameter's gradient in PARAMS'
    order, and the hidden layers' outputs."""
    _, hidden = forward(params, [x, y], mask)
    grads = [0.0] * len(params)
    backward(params, [x, y], hidden, [p], grads, mask)
    return grads, [out for _, out in hidden]


def dead_neurons(params):
    """The hidden neurons whose output is 0 on every training point (a dead ReLU passes no pull back)."""
    outs = [[out for _, out in forward(params, [x, y])[1]] for x, y in POINTS]
    return [f"h{k + 1}[{i}]" for k in range(len(SIZES) - 2) for i in range(SIZES[k + 1])
            if all(o[k][i] == 0.0 for o in outs)]
'''

MODEL = '''
# ---- the loss and its force specification, the objective, the forces on a batch, the measures ----


def force(score, label):
    """The force specification on a point's score (the loss's pull, -d loss / d score): a positive point scoring
    under 1 pulls it up, a negative point scoring over -1 pulls it down, every other point does not pull."""
    margin = 1.0 - label * score  # > 0: inside the margin, or on the wrong side
    if margin <= 0.0:
        return 0.0
    __FORCE__


def point_loss(score, label):
    m = max(0.0, 1.0 - label * score)
    __LOSS__


def objective(params, batch):  #[!dropout]
def objective(params, batch, masks):  #[dropout]
    """What every strategy makes higher: minus the batch's mean loss, minus the regularizers (penalty)."""
    total = 0.0
    for i in batch:  #[!dropout]
    for i, mask in zip(batch, masks):  # each point its own dropout mask  #[dropout]
        x, y = POINTS[i]
        loss = point_loss(score(params, x, y), LABELS[i])  #[!dropout]
        loss = point_loss(score(params, x, y, mask), LABELS[i])  #[dropout]
        total += loss  #[!weights]
        total += CLASS_WEIGHTS[LABELS[i]] * loss  # each point's loss times its class's weight  #[weights]
    return -(total / len(batch) + penalty(params))


def pull(params, batch):  #[!dropout]
def pull(params, batch, masks):  #[dropout]
    """The guide's forces: each point's pull on its score flows back through the score's gates (point_backward),
    summed over the batch and averaged (the data's pull); then the regularizers' pull on each weight (spring).
    Returns the grads and what a step's line shows: the batch's forces, the data's and the spring's parts, and one
    point's hidden outputs."""
    data, forces = [0.0] * len(params), []
    for i in batch:  #[!dropout]
    for i, mask in zip(batch, masks):  # each point its own dropout mask, forward and back  #[dropout]
        x, y = POINTS[i]
        s = score(params, x, y)  #[!dropout]
        s = score(params, x, y, mask)  #[dropout]
        p = force(s, LABELS[i])
        p *= CLASS_WEIGHTS[LABELS[i]]  # d/dscore of w_c * loss: the class's weight times the force  #[weights]
        point_grads, hidden = point_backward(params, x, y, p)  #[!dropout]
        point_grads, hidden = point_backward(params, x, y, p, mask)  #[dropout]
        data = [d + g for d, g in zip(data, point_grads)]  # summed over the batch
        forces.append({"index": i, "point": [x, y], "label": LABELS[i], "score": s, "pull": p})
    data = [g / len(batch) for g in data]
    springs, grads = spring(params), list(data)
    for j in REGULARIZED:
        grads[j] += springs[j]  # data + spring
    return grads, (forces, data, springs, hidden if len(batch) == 1 else None)


def measures(params):
    """The cost on the training points: their losses' sum + alpha * the weights' squares (alpha = REG * N / 2),
    plus L1 * N * the weights' sizes |w|;  #[l1]
    the accuracy (score > 0 means +1) overall and in each class; the held-out accuracy and mean loss."""
    scores = [score(params, x, y) for x, y in POINTS]
    alpha = REG * len(LABELS) / 2
    losses = [point_loss(s, t) for s, t in zip(scores, LABELS)]  #[!weights]
    losses = [CLASS_WEIGHTS[t] * point_loss(s, t) for s, t in zip(scores, LABELS)]  #[weights]
    cost = sum(losses) + alpha * sum(params[j] * params[j] for j in REGULARIZED)
    cost += L1 * len(LABELS) * sum(abs(params[j]) for j in REGULARIZED)  #[l1]
    right = [(1 if s > 0 else -1) == t for s, t in zip(scores, LABELS)]
    per_class = {}
    for c in (1, -1):
        mine = [r for r, t in zip(right, LABELS) if t == c]
        per_class[f"{c:+d}"] = sum(mine) / len(mine) if mine else None
    val_accuracy = val_cost = None
    if VAL_POINTS:
        val = [score(params, x, y) for x, y in VAL_POINTS]
        val_accuracy = sum((1 if s > 0 else -1) == t for s, t in zip(val, VAL_LABELS)) / len(VAL_LABELS)
        val_cost = sum(point_loss(s, t) for s, t in zip(val, VAL_LABELS)) / len(val)  #[!weights]
        val_cost = sum(CLASS_WEIGHTS[t] * point_loss(s, t) for s, t in zip(val, VAL_LABELS)) / len(val)  #[weights]
    return cost, sum(right) / len(right), per_class, val_accuracy, val_cost


def diverged(forces, hidden, x, grads, cost, val_cost):
    """The first number that is not finite, in words (None when all are finite)."""
    for f in forces or ():
        for what in ("score", "pull"):
            if not math.isfinite(f[what]):
                return f"the {what} of point {f['index']} became {f[what]}"
    return model_diverged(hidden, [("cost", val_cost)], x, grads, cost)
'''

LINE = '''
    def line(step, grads, inside):
        cost, accuracy, per_class, val_accuracy, val_cost = measures(x)
        forces, data, springs, hidden = inside or (None, None, None, None)
        return {"step": step, "strategy": STRATEGY, "output": cost, "values": dict(zip(PARAMS, x)),
                "grads": None if grads is None else dict(zip(PARAMS, grads)),
                "forward_passes": forward_passes, "backward_passes": backward_passes, "accuracy": accuracy,
                "val_accuracy": val_accuracy, "val_cost": val_cost, "class_accuracy": per_class, "batch": forces,
                "data_pull": None if data is None else dict(zip(PARAMS, data)),
                "spring_pull": None if springs is None else dict(zip(PARAMS, springs))}  #[!hidden]
                "spring_pull": None if springs is None else dict(zip(PARAMS, springs)),  #[hidden]
                "hidden": hidden, "dead": dead_neurons(x)}  # one point's hidden outputs; the dead ReLUs  #[hidden]
'''


def classifier_program(scenario, strategy: str) -> str:
    spec, s = scenario.spec, scenario.settings
    on = features(spec)
    model = make_model(spec.model, spec.hidden, spec.layers)
    code = keep(MODEL.strip("\n"), on).replace("__FORCE__", FORCE[spec.loss]).replace("__LOSS__", LOSS[spec.loss])
    main = batch_main(scenario, strategy, keep(LINE, on), "POINTS", bool(spec.dropout),
                      'now["batch"], now.get("hidden"), x, now["grads"], now["output"], now["val_cost"]',
                      ["accuracy", "val_accuracy", "val_cost"])
    if spec.model == "mlp":
        score = [*model_code(spec, model), MLP]
    else:
        score = [circuit_start(spec, model), SVM if spec.model == "svm" else NET]
    parts = [head(scenario, strategy), _data(spec, scenario, strategy, model), *score,
             *regularizer_code(spec, cost=False), strategy_code(s, strategy), code, main]
    return "\n\n\n".join(p.strip("\n") for p in parts) + "\n"
