"""The binary classifier written out as a standalone program (engine.export): its data inline, its score (the
svm's a*x + b*y + c, or the net's ReLU neurons and top weights), the force specification on the score (the
hinge's pull) backpropagated to every parameter, the spring on the weights, and the same JSON lines as
`hnn-tui run --json` (lessons/classifier.py and objectives.py: the same operations in the same order). The mlp,
the numpy engine and chapter 3's L1, dropout and class weights are refused: not_exported names them."""
from __future__ import annotations

from .export_steps import PRINT, head, step_lines, step_settings, strategy_code, wrap
from .models import make_model


def not_exported(spec) -> str | None:
    """What of a binary classifier's spec this module does not write out yet (None: all of it is)."""
    checks = [(spec.model not in ("svm", "net"), f"the {spec.model} model"),
              (spec.engine != "python", "the numpy engine"), (spec.l1 != 0.0, "L1"), (spec.dropout != 0.0, "dropout"),
              (spec.class_weights is not None or spec.class_weights_mode is not None, "class weights")]
    return next((what for bad, what in checks if bad), None)


def _start(spec, model) -> str:
    """start(rng): the parameters as init_params gives them: the file's init, else drawn in order."""
    given = dict(spec.init or ())
    lines = ["def start(rng):", '    """The starting parameters: the file\'s own, else drawn (in this order, from '
             'the run\'s rng)."""']
    for p in model.params:
        fans = model.fans.get(p)  # None: a bias
        if p in given:
            value = repr(float(given[p]))
        elif fans is None and spec.bias_start is not None:
            value = f"{float(spec.bias_start)!r}  # every bias's start"
        elif spec.init_scheme == "uniform":
            value = f"(rng.random() * 2 - 1) * {spec.init_scale!r}  # uniform in +-init_scale"
        elif fans is None:
            value = "0.0  # a bias starts at 0"
        elif spec.init_scheme == "xavier":
            value = f"(rng.random() * 2 - 1) * math.sqrt(6.0 / ({fans[0]} + {fans[1]}))  # Xavier: fans in, out"
        else:
            value = f"rng.gauss(0.0, math.sqrt(2.0 / {fans[0]}))  # He: fan in {fans[0]}"
        lines.append(f"    {p} = {value}")
    return "\n".join(lines + wrap("return [", list(model.params), "]"))


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
        *wrap("PARAMS = [", [repr(p) for p in model.params], "]", ""),
        *wrap("REGULARIZED = [", [str(model.params.index(p)) for p in model.regularized], "]", ""),
        "# (the indexes of the weights, which feel the spring; the biases do not)",
        *([f"HIDDEN = {spec.hidden!r}  # hidden ReLU neurons"] if spec.model == "net" else []),
        f"REG = {spec.reg!r}  # the spring's strength", f"LOSS = {spec.loss!r}  # {loss} loss",
        f"BATCH = {spec.batch!r}  # " + ("one random point a step" if spec.batch == "sgd" else "every point a step"),
        *step_settings(scenario, strategy)])


FORCE = {"hinge": "return float(label)  # +1 pulls the score up, -1 down",
         "squared_hinge": "return 2.0 * label * margin  # the squared hinge pulls harder the farther it is"}
LOSS = {"hinge": "return m", "squared_hinge": "return m * m"}

SVM = '''
def score(params, x, y):
    """The SVM's score: a*x + b*y + c; above 0 it says +1, below -1."""
    a, b, c = params
    return a * x + b * y + c


def backward(params, x, y, p):
    """The pull p on the score, sent back to each parameter (local derivative x p): d score/da = x,
    d score/db = y, d score/dc = 1. Also the hidden neurons' outputs: the svm has none."""
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


def backward(params, x, y, p):
    """Backprop of the pull p on the score to every parameter, gate by gate: the top bias gets p (d/dbias = 1),
    each top weight n_i * p (d/dw_i = n_i), each neuron w_i * p (d/dn_i = w_i), which its ReLU passes on only
    where it fired (d/dsum = 1 if sum > 0 else 0), to a_i, b_i, c_i (d sum/da = x, /db = y, /dc = 1). Also the
    neurons' outputs."""
    sums, outs = neurons(params, x, y)
    top = params[3 * HIDDEN:]
    grads = []
    for i in range(HIDDEN):
        dn = top[i] * p
        dsum = (1.0 if sums[i] > 0.0 else 0.0) * dn
        grads += [x * dsum, y * dsum, dsum]
    return grads + [n * p for n in outs] + [p], outs


def dead_neurons(params):
    """The hidden neurons whose output is 0 on every training point (a dead ReLU passes no pull back)."""
    fired = [any(n != 0.0 for n in column) for column in zip(*(neurons(params, x, y)[1] for x, y in POINTS))]
    return [f"n{i + 1}" for i, f in enumerate(fired) if not f]
'''

MODEL = '''
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


def objective(params, batch):
    """What every strategy makes higher: minus the batch's mean loss, minus the spring's REG/2 * (a^2 + b^2)."""
    total = 0.0
    for i in batch:
        x, y = POINTS[i]
        total += point_loss(score(params, x, y), LABELS[i])
    return -(total / len(batch) + 0.5 * REG * sum(params[j] ** 2 for j in REGULARIZED))


def pull(params, batch):
    """The guide's forces: each point's pull on its score flows back through the score's gates (backward),
    summed over the batch and averaged (the data's pull); then the spring, -REG * w on each weight (d/dw of
    -REG/2 * w^2). Returns the grads, the batch's forces, data and spring, and one point's hidden outputs."""
    data, forces = [0.0] * len(params), []
    for i in batch:
        x, y = POINTS[i]
        s = score(params, x, y)
        p = force(s, LABELS[i])
        point_grads, hidden = backward(params, x, y, p)
        data = [d + g for d, g in zip(data, point_grads)]  # summed over the batch
        forces.append({"index": i, "point": [x, y], "label": LABELS[i], "score": s, "pull": p})
    data = [g / len(batch) for g in data]
    spring, grads = [0.0] * len(params), list(data)
    for j in REGULARIZED:
        spring[j] = -REG * params[j]
        grads[j] += spring[j]
    return grads, forces, data, spring, hidden if len(batch) == 1 else None


def measures(params):
    """The cost on the training points (their losses' sum + alpha * (a^2 + b^2), alpha = REG * N / 2), the
    accuracy (score > 0 means +1) overall and in each class, and the held-out accuracy and mean loss."""
    scores = [score(params, x, y) for x, y in POINTS]
    alpha = REG * len(LABELS) / 2
    cost = sum(point_loss(s, t) for s, t in zip(scores, LABELS)) + alpha * sum(params[j] * params[j]
                                                                             for j in REGULARIZED)
    right = [(1 if s > 0 else -1) == t for s, t in zip(scores, LABELS)]
    per_class = {}
    for c in (1, -1):
        mine = [r for r, t in zip(right, LABELS) if t == c]
        per_class[f"{c:+d}"] = sum(mine) / len(mine) if mine else None
    val_accuracy = val_cost = None
    if VAL_POINTS:
        val = [score(params, x, y) for x, y in VAL_POINTS]
        val_accuracy = sum((1 if s > 0 else -1) == t for s, t in zip(val, VAL_LABELS)) / len(VAL_LABELS)
        val_cost = sum(point_loss(s, t) for s, t in zip(val, VAL_LABELS)) / len(VAL_LABELS)
    return cost, sum(right) / len(right), per_class, val_accuracy, val_cost


def diverged(forces, hidden, x, grads, cost, val_cost):
    """The first number that is not finite, in words (None when all are finite)."""
    for f in forces or ():
        for what in ("score", "pull"):
            if not math.isfinite(f[what]):
                return f"the {what} of point {f['index']} became {f[what]}"
    for i, n in enumerate(hidden[0] if hidden else ()):
        if not math.isfinite(n):
            return f"hidden neuron {i + 1} of layer 1 became {n}"
    if val_cost is not None and not math.isfinite(val_cost):
        return f"the held-out cost became {val_cost}"
    for what, table in (("parameter", dict(zip(PARAMS, x))), ("gradient of", grads or {})):
        for name, v in table.items():
            if not math.isfinite(v):
                return f"{what} {name!r} became {v}"
    return None if math.isfinite(cost) else f"the cost became {cost}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=STEPS, help="steps to take (default: the lesson's)")
    parser.add_argument("--seed", type=int, default=SEED, help="the random seed (default: the lesson's)")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    x = start(rng)  # the parameters a, b, c
    velocity = [0.0] * len(x)
    forward_passes = backward_passes = 0

    def line(step, grads, inside):
        cost, accuracy, per_class, val_accuracy, val_cost = measures(x)
        forces, data, spring, hidden = inside or (None, None, None, None)
        return {"step": step, "strategy": STRATEGY, "output": cost, "values": dict(zip(PARAMS, x)),
                "grads": None if grads is None else dict(zip(PARAMS, grads)),
                "forward_passes": forward_passes, "backward_passes": backward_passes, "accuracy": accuracy,
                "val_accuracy": val_accuracy, "val_cost": val_cost, "class_accuracy": per_class, "batch": forces,
                "data_pull": None if data is None else dict(zip(PARAMS, data)),
                "spring_pull": None if spring is None else dict(zip(PARAMS, spring)),__HIDDEN__}

    last, stopped, t0 = line(0, None, None), None, time.perf_counter()
    __PRINT_LAST__
    for k in range(args.steps):
        batch = __BATCH__
        grads = inside = None

        def f(p):  # the objective on this step's batch
            return objective(p, batch)

__STEP__
        now = line(k + 1, grads, inside)
        bad = diverged(now["batch"], now.get("hidden"), x, now["grads"], now["output"], now["val_cost"])
        if bad:
            stopped = f"diverged at step {k + 1:,}: {bad}"
            break
        last = now
        __PRINT_NOW__
    summary = {"steps": last["step"], "strategy": STRATEGY, "output": last["output"],
               "forward_passes": last["forward_passes"], "backward_passes": last["backward_passes"],
               "seconds": round(time.perf_counter() - t0, 6), "stopped": stopped, "accuracy": last["accuracy"],
               "val_accuracy": last["val_accuracy"], "val_cost": last["val_cost"], "train_points": len(POINTS),
               "val_points": len(VAL_POINTS)}
    __PRINT_SUMMARY__
    if stopped:
        print(f"{stopped}; the last finite state is step {last['step']:,}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
'''

ANALYTIC = ["grads, forces, data, spring, hidden = pull({at}, batch)", "inside = forces, data, spring, hidden",
            "forward_passes += len(batch)", "backward_passes += len(batch)"]
BATCHES = {"sgd": "[rng.randrange(len(POINTS))]  # one random point", "full": "list(range(len(POINTS)))"}


def classifier_program(scenario, strategy: str) -> str:
    spec, s = scenario.spec, scenario.settings
    step = step_lines(s, strategy, "f", " * len(batch)", ANALYTIC)
    hidden = ('\n                "hidden": None if hidden is None else [hidden], "dead": dead_neurons(x)'
              if spec.model == "net" else "")
    main = (MODEL.strip("\n").replace("__HIDDEN__", hidden)
            .replace("__FORCE__", FORCE[spec.loss]).replace("__LOSS__", LOSS[spec.loss])
            .replace("__BATCH__", BATCHES[spec.batch])
            .replace("__STEP__", "\n".join(f"        {line}" for line in step))
            .replace("__PRINT_LAST__", PRINT.format("last")).replace("__PRINT_NOW__", PRINT.format("now"))
            .replace("__PRINT_SUMMARY__", PRINT.format('{"summary": summary}')))
    model = make_model(spec.model, spec.hidden, spec.layers)
    parts = [head(scenario, strategy), _data(spec, scenario, strategy, model), _start(spec, model),
             (SVM if spec.model == "svm" else NET).strip("\n"), strategy_code(s, strategy), main]
    return "\n\n\n".join(p.strip("\n") for p in parts) + "\n"
