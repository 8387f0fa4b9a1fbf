"""The multiclass classifier written out as a standalone program (engine.export): its points and classes inline,
its K scores (a linear score per class, the small ReLU net, the mlp: layers of neurons, export_common), the force
specification on every score (softmax's [k == y] - p_k, or the multiclass hinge's -1 / +1 per violated margin),
backpropagated to every parameter, the spring (and L1, class weights, dropout when the file has them), and the same
JSON lines as `hnn-tui run --json` (lessons/multiclass.py, multiclass_objective.py, multiclass_losses.py: the same
operations in the same order). The numpy engine computes the same numbers (to rounding): it is written out as
the Python engine."""
from __future__ import annotations

from .export_common import batch_main, model_code, model_settings, regularizer_code, training_settings
from .export_steps import head, step_settings, strategy_code, wrap
from .multiclass_objective import class_hidden_names, make_class_model
from .penalties import weights_of


def _data(scenario, strategy: str, model) -> list[str]:
    spec = scenario.spec
    layers = (spec.hidden,) if spec.model == "net" else spec.layers if spec.model == "mlp" else ()
    names = class_hidden_names(spec.model, layers)
    weights = weights_of(spec)
    loss = "softmax (cross-entropy)" if spec.loss == "softmax" else "the multiclass hinge (Weston-Watkins SVM)"
    return ["# ---- the data, the model and its settings ----", "",
            f"CLASSES = {list(spec.classes)!r}  # the class names: a label is an index into CLASSES",
            "# the training points (x, y) and their labels",
            *wrap("POINTS = [", [f"({x!r}, {y!r})" for x, y in spec.points], "]", ""),
            *wrap("LABELS = [", list(map(str, spec.labels)), "]", ""),
            "# held out: measured, never trained on",
            *wrap("VAL_POINTS = [", [f"({x!r}, {y!r})" for x, y in spec.val_points], "]", ""),
            *wrap("VAL_LABELS = [", list(map(str, spec.val_labels)), "]", ""),
            *model_settings(spec, model, "x, y", "one score per class", WORDS[spec.model]), *training_settings(spec),
            *(["HIDDEN_NAMES = [  # the hidden neurons' names, layer by layer"]
              + [line for layer in names for line in wrap("[", [repr(n) for n in layer], "],")] + ["]"]
              if names else ["HIDDEN_NAMES = []  # no hidden neurons"]),
            f"LOSS = {spec.loss!r}  # {loss}",
            *([] if weights is None else
              [*wrap("CLASS_WEIGHTS = [", [repr(weights[c]) for c in range(len(spec.classes))], "]", ""),
               "# (each class's weight on its points' loss and pull" + (": N / (K * n_c), balanced)"
                                                                       if spec.class_weights_mode else ")")]),
            *step_settings(scenario, strategy)]


WORDS = {"svm": "a linear score per class, s_k = a_k*x + b_k*y + c_k (one neuron per class, no ReLU)",
         "net": "the guide's small net: hidden ReLU neurons n_i = max(0, a_i*x + b_i*y + c_i), a score per class on "
                "top",
         "mlp": "an mlp: layers of ReLU neurons, a score per class on top"}

SOFTMAX = '''
# ---- the loss and its force specification: softmax ----


def log_sum_exp(scores):
    """log sum_k exp(s_k), without overflow: m + log sum_k exp(s_k - m), m the highest score."""
    m = max(scores)
    if math.isinf(m):
        return m
    return m + math.log(sum(math.exp(s - m) for s in scores))


def softmax(scores):
    """The class probabilities p_k = exp(s_k) / sum_j exp(s_j)."""
    lse = log_sum_exp(scores)
    return [math.exp(s - lse) for s in scores]


def point_loss(scores, y):
    """-log p_y = log sum_k exp(s_k) - s_y."""
    return log_sum_exp(scores) - scores[y]


def force(scores, y):
    """The force specification on each score, -d loss / d s_k = [k == y] - p_k: the right class's score pulled up
    by 1 - p_y, every other one down by its own probability (even a point already right keeps pulling)."""
    return [(1.0 if k == y else 0.0) - p for k, p in enumerate(softmax(scores))]
'''

HINGE = '''
# ---- the loss and its force specification: the multiclass hinge ----


def violators(scores, y):
    """The wrong classes whose score comes within the margin (1) of the right one's: s_k - s_y + 1 > 0."""
    return [k for k, s in enumerate(scores) if k != y and s - scores[y] + 1.0 > 0.0]


def point_loss(scores, y):
    """sum over the wrong classes k of max(0, s_k - s_y + 1)."""
    return sum(scores[k] - scores[y] + 1.0 for k in violators(scores, y))


def force(scores, y):
    """The force specification on each score, -d loss / d s_k: each violating wrong class pulled down by 1, the
    right class up by 1 for each of them; a point whose right score wins by the margin pulls nothing."""
    pull = [0.0] * len(scores)
    for k in violators(scores, y):
        pull[k] -= 1.0
        pull[y] += 1.0
    return pull
'''

MODEL = '''
# ---- the objective, the forces on a batch, the measures and the run ----


def winner(scores):
    """The class with the highest score (the first on a tie)."""
    best = 0
    for k, s in enumerate(scores):
        if s > scores[best]:
            best = k
    return best


def objective(params, batch, masks):
    """What every strategy makes higher: minus the batch's mean loss, minus the regularizers."""
    total = 0.0
    for b, i in enumerate(batch):
        scores, _ = forward(params, POINTS[i], None if masks is None else masks[b])
        total += point_loss(scores, LABELS[i])__WEIGHT__
    return -(total / len(batch) + penalty(params))


def pull(params, batch, masks):
    """The guide's forces: each point's pull on its scores (force) flows back through the layers (backward),
    summed over the batch and averaged (the data's pull); then the spring on each weight. Returns the grads and what
    a step's line shows: the batch's scores and pulls, the data's and the spring's parts, and the hidden outputs of
    a one-point batch."""
    data, rows, hidden = [0.0] * len(params), [], None
    for b, i in enumerate(batch):
        mask = None if masks is None else masks[b]
        scores, layers = forward(params, POINTS[i], mask)
        y = LABELS[i]
        p = force(scores, y)__WEIGHT_PULL__
        backward(params, POINTS[i], layers, p, data, mask)
        row = {"index": i, "point": list(POINTS[i]), "label": CLASSES[y], "scores": scores}__PROBS__
        row["pull"] = p
        rows.append(row)
        hidden = [out for _, out in layers]
    data = [g / len(batch) for g in data]  # the mean over the batch
    springs, grads = spring(params), list(data)
    for j in REGULARIZED:
        grads[j] += springs[j]  # data + spring
    return grads, (rows, data, springs, hidden if len(batch) == 1 else None)


def measures(params):
    """The cost on the training points (their losses' sum + the regularizers, N times the objective's), the accuracy
    (the winning class is the highest score) overall and in each class, the confusion matrix (row: the true class,
    column: the winner), the hidden neurons dead on every point, and the held-out accuracy and mean loss."""
    k, total, outs = len(CLASSES), 0.0, []
    confusion = [[0] * k for _ in range(k)]
    for point, y in zip(POINTS, LABELS):
        scores, hidden = forward(params, point)
        total += point_loss(scores, y)__WEIGHT_Y__
        confusion[y][winner(scores)] += 1
        outs.append([o for _, out in hidden for o in out])
    cost = total + cost_penalty(params, len(POINTS))
    per_class = {name: confusion[c][c] / sum(confusion[c]) if sum(confusion[c]) else None
                 for c, name in enumerate(CLASSES)}
    names = [n for layer in HIDDEN_NAMES for n in layer]
    dead = [n for n, column in zip(names, zip(*outs)) if all(o == 0.0 for o in column)]
    val_accuracy = val_cost = None
    if VAL_POINTS:
        right = val_total = 0.0
        for point, y in zip(VAL_POINTS, VAL_LABELS):
            scores, _ = forward(params, point)
            right += winner(scores) == y
            val_total += point_loss(scores, y)__WEIGHT_Y__
        val_accuracy, val_cost = right / len(VAL_POINTS), val_total / len(VAL_POINTS)
    accuracy = sum(confusion[c][c] for c in range(k)) / len(POINTS)
    return cost, accuracy, per_class, confusion, dead, val_accuracy, val_cost


def diverged(rows, hidden, x, grads, cost, val_cost):
    """The first number that is not finite, in words (None when all are finite)."""
    for r in rows or ():
        for what in ("scores", "pull"):
            for k, v in enumerate(r[what]):
                if not math.isfinite(v):
                    return f"the {what.rstrip('s')} of class {k + 1} on point {r['index']} became {v}"
    return model_diverged(hidden, [("cost", val_cost)], x, grads, cost)
'''

LINE = '''
    def line(step, grads, inside):
        cost, accuracy, per_class, confusion, dead, val_accuracy, val_cost = measures(x)
        rows, data, springs, hidden = inside or (None, None, None, None)
        out = {"step": step, "strategy": STRATEGY, "output": cost, "values": dict(zip(PARAMS, x)),
               "grads": None if grads is None else dict(zip(PARAMS, grads)),
               "forward_passes": forward_passes, "backward_passes": backward_passes, "accuracy": accuracy,
               "val_accuracy": val_accuracy, "val_cost": val_cost, "class_accuracy": per_class,
               "confusion": confusion, "batch": rows, "data_pull": None if data is None else dict(zip(PARAMS, data)),
               "spring_pull": None if springs is None else dict(zip(PARAMS, springs))}
        if HIDDEN_NAMES:  # the net and the mlp: the one point's hidden outputs, the dead neurons
            out.update(hidden=hidden, dead=dead)
        return out
'''


def multiclass_program(scenario, strategy: str) -> str:
    spec, s = scenario.spec, scenario.settings
    model = make_class_model(spec.model, len(spec.classes), spec.hidden, spec.layers)
    weighted = weights_of(spec) is not None
    code = (MODEL.strip("\n")
            .replace("__WEIGHT__", " * CLASS_WEIGHTS[LABELS[i]]  # each class's weight" if weighted else "")
            .replace("__WEIGHT_PULL__", "\n        p = [CLASS_WEIGHTS[y] * g for g in p]  # d/ds_k of w_y * loss"
                     if weighted else "")
            .replace("__WEIGHT_Y__", " * CLASS_WEIGHTS[y]" if weighted else "")
            .replace("__PROBS__", '\n        row["probs"] = softmax(scores)' if spec.loss == "softmax" else ""))
    main = batch_main(scenario, strategy, LINE, "POINTS", True,
                      'now["batch"], now.get("hidden"), x, now["grads"], now["output"], now["val_cost"]',
                      ["accuracy", "val_accuracy", "val_cost"])
    parts = [head(scenario, strategy), "\n".join(_data(scenario, strategy, model)), *model_code(spec, model),
             (SOFTMAX if spec.loss == "softmax" else HINGE), *regularizer_code(spec), strategy_code(s, strategy), code,
             main]
    return "\n\n\n".join(p.strip("\n") for p in parts) + "\n"
