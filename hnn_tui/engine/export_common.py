"""What the exported classifiers (binary and multiclass) and the regression share: the model as layers of neurons
(models.MLP: the mlp, and the multiclass linear score and small net), its forward and backward pass written out in
plain Python in the engine's order of operations (vectors.Linear, VecRelu), its start drawn as
initialization.init_params draws it, dropout's masks, the spring and L1 (penalties, updates.shrink) and L1's part of
a step (strategies.PullStrategy); and the loop over batches: the draw of a batch, the objective on it, the analytic
pull, the summary's keys and the check that the model's numbers stay finite (in the engine's order and words). Each
program takes only the pieces its lesson switches on."""
from __future__ import annotations

from .export_steps import main_code, step_lines, wrap


def model_settings(spec, model, inputs: str, outputs: str, words: str) -> list[str]:
    """The model's constants: its layer sizes, parameter names, which of them are weights, how they start; `words`
    says what the model computes, for a comment."""
    sizes = [model.n_in, *model.layers, model.n_out]
    given = {p: float(v) for p, v in spec.init or ()}
    lines = [f"# the model: {words}",
             f"SIZES = {sizes!r}  # {inputs} -> " + "".join(f"{n} ReLU neurons -> " for n in model.layers)
             + outputs,
             "# every parameter: each neuron's weights then its bias, neuron by neuron, layer by layer",
             *wrap("PARAMS = [", [repr(p) for p in model.params], "]", ""),
             "# the weights (not the biases): the spring" + (" and L1" if spec.l1 else "") + " pull on these",
             *wrap("REGULARIZED = [", [str(model.params.index(p)) for p in model.regularized], "]", ""),
             *wrap("INIT = {", [f"{p!r}: {v!r}" for p, v in given.items()], "}", ""),
             "# (the file's own starting values; every other parameter is drawn by start())"]
    if spec.init_scheme == "uniform":
        lines.append(f"INIT_SCALE = {spec.init_scale!r}  # the others start uniform in +-INIT_SCALE")
    if spec.bias_start is not None:
        lines.append(f"BIAS_START = {float(spec.bias_start)!r}  # every bias starts here (no draw)")
    return lines


def training_settings(spec) -> list[str]:
    """The constants of the training: the spring's strength, L1's and dropout's when the lesson has them, the
    batch."""
    lines = [f"REG = {spec.reg!r}  # the spring's strength: the objective has -REG/2 * w^2 for each weight"]
    if spec.l1:
        lines.append(f"L1 = {spec.l1!r}  # L1's strength: -L1 * |w| for each weight (a proximal step shrinks w)")
    if spec.dropout:
        lines.append(f"DROPOUT = {spec.dropout!r}  # the share of hidden units dropped in each training pass (each "
                     "point of a step its own mask)")
    return lines + [f"BATCH = {spec.batch!r}  # " + ("one random point a step" if spec.batch == "sgd" else
                                                      "every point a step")]


def start_code(spec, model) -> str:
    """start(rng): init_params in the program's words, only the branches this spec takes."""
    zero_biases = bool(model.zero_start)  # the mlp: its biases start at 0 under the uniform draw
    draw = {"uniform": ["values.append((rng.random() * 2 - 1) * INIT_SCALE)  # uniform in +-INIT_SCALE"],
            "xavier": ["values.append((rng.random() * 2 - 1) * math.sqrt(6.0 / (fans[0] + fans[1])))  "
                       "# Xavier: by fans in and out"],
            "he": ["values.append(rng.gauss(0.0, math.sqrt(2.0 / fans[0])))  # He: sd sqrt(2 / fan in)"]}
    lines = ["def start(rng):",
             '    """The starting parameters in PARAMS\' order: the file\'s own (INIT), else drawn one by one from the '
             'run\'s rng."""',
             "    shapes, values = [], []  # each parameter's (fan in, fan out): its layer's inputs and neurons; None: "
             "a bias",
             "    for n_in, n_out in zip(SIZES, SIZES[1:]):",
             "        shapes += ([(n_in, n_out)] * n_in + [None]) * n_out",
             "    for name, fans in zip(PARAMS, shapes):",
             "        if name in INIT:",
             "            values.append(INIT[name])"]
    if spec.bias_start is not None:
        lines += ["        elif fans is None:", "            values.append(BIAS_START)"]
    elif spec.init_scheme != "uniform" or zero_biases:
        lines += ["        elif fans is None:", "            values.append(0.0)  # a bias starts at 0"]
    lines += ["        else:", *(f"            {line}" for line in draw[spec.init_scheme])]
    return "\n".join(lines + ["    return values"])


LAYERS = '''
# ---- the model: layers of neurons, the forward pass and the backward pass ----


def forward(params, inputs, mask=None):
    """One forward pass: the inputs through each layer of neurons, pre_i = w_i . h + b_i (neuron i's weights,
    then its bias, in PARAMS' order), a ReLU out_i = max(0, pre_i) after every layer but the last (times dropout's
    multiplier m_i while training). Returns the outputs and each hidden layer's (pre-activations, outputs)."""
    h, hidden, at = list(inputs), [], 0
    for k in range(len(SIZES) - 1):
        pre = []
        for _ in range(SIZES[k + 1]):
            w, b = params[at:at + len(h)], params[at + len(h)]
            at += len(h) + 1
            pre.append(sum(wj * hj for wj, hj in zip(w, h)) + b)  # the neuron: its dot product plus its bias
        if k == len(SIZES) - 2:
            return pre, hidden  # the last layer: no ReLU
        out = [p if p > 0.0 else 0.0 for p in pre]  # ReLU: max(0, pre)
        if mask is not None:
            out = [o * m for o, m in zip(out, mask[k])]  # dropout: m = 0 drops the unit, 1/(1-p) keeps it
        hidden.append((pre, out))
        h = out


def backward(params, inputs, hidden, pulls, grads, mask=None):
    """Backprop: the pulls on the outputs sent back layer by layer from the top, each neuron's pull g_i added
    into grads (+=: the batch's points add up): d pre_i/d b_i = 1, d pre_i/d w_ij = h_j (its input), and on to
    each input h_j as w_ij * g_i, which a ReLU passes on only where it fired (d out/d pre = 1 if pre > 0 else 0)
    and dropout times the same m_i. `hidden` is this point's forward pass."""
    ins = [list(inputs)] + [out for _, out in hidden]  # each layer's input
    starts = [0]  # where each layer's parameters start in PARAMS
    for n_in, n_out in zip(SIZES, SIZES[1:]):
        starts.append(starts[-1] + n_out * (n_in + 1))
    g = list(pulls)
    for k in reversed(range(len(SIZES) - 1)):
        h, dh = ins[k], [0.0] * len(ins[k])
        for i, gi in enumerate(g):
            at = starts[k] + i * (len(h) + 1)  # neuron i: its weights, then its bias
            grads[at + len(h)] += gi  # d/db = 1
            if gi == 0.0:
                continue  # a neuron with no pull passes nothing back
            for j, hj in enumerate(h):
                grads[at + j] += hj * gi  # d/dw_ij = h_j
                dh[j] += params[at + j] * gi  # d/dh_j = w_ij
        if k == 0:
            return  # the inputs x, y: nothing wants their pull
        pre, _ = hidden[k - 1]
        if mask is not None:
            dh = [d * m for d, m in zip(dh, mask[k - 1])]  # dropout: d out/d relu = m
        g = [d if p > 0.0 else 0.0 for d, p in zip(dh, pre)]  # the ReLU's switch
'''

MASKS = '''
def draw_masks(rng, n):
    """Dropout's multipliers for a step of n points: for each point, each hidden layer, each unit in order, kept
    when rng.random() >= DROPOUT, as 1/(1-DROPOUT) (inverted dropout: the expected output is the full net's), else
    dropped, 0.0."""
    scale = 1.0 / (1.0 - DROPOUT)
    return [[[scale if rng.random() >= DROPOUT else 0.0 for _ in range(w)] for w in SIZES[1:-1]] for _ in range(n)]
'''


def masks_line(spec) -> str:
    """The loop's line that draws (or not) this step's dropout masks, after the batch."""
    return ("masks = draw_masks(rng, len(batch))  # this step's dropout masks, one per batch point" if spec.dropout
            else "masks = None  # no dropout")


def penalty_code(spec, cost: bool = True) -> str:
    """penalty() and spring(): the regularizers on the weights, in the objective and in the pull; and (`cost`)
    cost_penalty(), their part of the cost shown."""
    l1 = bool(spec.l1)
    return "\n".join([
        "# ---- the regularizers: the spring" + (" and L1" if l1 else "") + " on the weights ----", "", "",
        "def penalty(params):",
        '    """The regularizers in the objective: REG/2 * w^2' + (" + L1 * |w|" if l1 else "")
        + ' summed over the weights."""',
        "    out = 0.5 * REG * sum(params[j] ** 2 for j in REGULARIZED)",
        *(["    out += L1 * sum(abs(params[j]) for j in REGULARIZED)"] if l1 else []),
        "    return out", "", "",
        "def spring(params):",
        '    """The regularizers\' pull on each weight, d/dw of -(REG/2 * w^2' + (" + L1 * |w|" if l1 else "")
        + '):', '    -REG * w' + (" - L1 * sign(w)" if l1 else "") + '; 0 on a bias."""',
        "    out = [0.0] * len(params)",
        "    for j in REGULARIZED:",
        "        out[j] = -REG * params[j]  # the spring",
        *(["        out[j] -= L1 * sign(params[j])  # L1, 0 at w = 0"] if l1 else []),
        "    return out",
        *(["", "", "def cost_penalty(params, n):",
           '    """The regularizers in the cost shown: alpha * sum w^2 with alpha = REG * N / 2'
           + (", + L1 * N * sum |w|" if l1 else "") + '."""',
           "    out = REG * n / 2 * sum(params[j] * params[j] for j in REGULARIZED)",
           *(["    out += L1 * n * sum(abs(params[j]) for j in REGULARIZED)"] if l1 else []),
           "    return out"] if cost else [])])


SIGN = '''
def sign(w):
    """-1, 0 or +1: the slope of |w| that backprop takes (0 at the kink)."""
    return 1.0 if w > 0 else (-1.0 if w < 0 else 0.0)
'''


SHRINK = '''
def shrink(w, by):
    """L1's proximal step: w moved toward 0 by `by`, and exactly 0.0 if it would cross (soft thresholding)."""
    left = abs(w) - by
    return math.copysign(left, w) if left > 0 else 0.0
'''

L1_SLOPE = {"analytic": ("(w > 0) - (w < 0)", "sign(w), 0 at 0: what backprop put in the pull"),
            "numerical": ("(abs(w + H) - abs(w)) / H", "the probe's own slope of |w|"),
            "centered": ("(abs(w + H) - abs(w - H)) / (2 * H)", "the probe's own slope of |w|")}


def l1_step(spec, s, strategy: str, lines: list[str]) -> list[str]:
    """A pull strategy's loop body (export_steps.step_lines) with L1 done as the engine does it: L1's slope taken
    out of the pull, the smooth step, then every weight shrunk toward 0 by lr * L1."""
    if not spec.l1 or strategy == "random":
        return lines  # random search has no pull to move along: L1 is only in the objective it compares
    at = "at" if s.update == "nesterov" else "x"
    slope, words = L1_SLOPE["centered" if strategy == "numerical" and s.centered else strategy]
    return lines[:-1] + ["smooth = list(grads)  # the pull without L1's slope: the shrink below does L1's part",
                         "for j in REGULARIZED:",
                         f"    w = {at}[j]",
                         f"    smooth[j] += L1 * ({slope})  # {words}",
                         "x = move(x, smooth, lr, velocity)",
                         "for j in REGULARIZED:",
                         "    x[j] = shrink(x[j], lr * L1)"]


def model_code(spec, model) -> list[str]:
    """The layered model's functions: start(), forward() and backward()."""
    return [start_code(spec, model), LAYERS]


def regularizer_code(spec, cost: bool = True) -> list[str]:
    """The regularizers' functions (penalty_code), and the helpers this spec needs: dropout's masks, L1's sign and
    shrink."""
    return [penalty_code(spec, cost), *([MASKS] if spec.dropout else []), *([SIGN, SHRINK] if spec.l1 else [])]


# ---- the loop over batches ----

BATCHES = {"sgd": "[rng.randrange(len({}))]  # one random point", "full": "list(range(len({})))"}


def batch_loop(spec, s, strategy: str, points: str, masks: str | None) -> list[str]:
    """A step of a model trained on batches of `points`: the batch, `masks` (the line that draws dropout's masks, or
    None: the objective and the pull take none), the objective f on the batch, the strategy's step (the analytic
    one calls pull(), which returns the grads and what the step's line shows inside) and L1's shrink."""
    args = "batch" if masks is None else "batch, masks"
    analytic = [f"grads, inside = pull({{at}}, {args})", "forward_passes += len(batch)",
                "backward_passes += len(batch)"]
    step = l1_step(spec, s, strategy, step_lines(s, strategy, "f", " * len(batch)", analytic))
    return [f"batch = {BATCHES[spec.batch].format(points)}", *([masks] if masks else []), "grads = inside = None",
            "", "def f(p):  # the objective on this step's batch", f"    return objective(p, {args})", "", *step]


def batch_main(scenario, strategy: str, line: str, points: str, masks: bool, check: str, measures: list[str]) -> str:
    """model_diverged() and main() of a model trained on batches of `points` (export_steps.main_code): `line` makes
    a step's JSON line, `masks` says whether the objective and the pull take dropout's masks, `check` is what
    diverged() is given, `measures` the last line's keys the summary repeats."""
    spec, s = scenario.spec, scenario.settings
    loop = batch_loop(spec, s, strategy, points, masks_line(spec) if masks else None)
    keys = [f'"{m}": last["{m}"]' for m in measures] + [f'"train_points": len({points})',
                                                       f'"val_points": len(VAL_{points})']
    return MODEL_DIVERGED.strip("\n") + "\n\n\n" + main_code("x = start(rng)  # the parameters, in PARAMS' order",
                                                             line, loop, "grads, inside", check, keys)


MODEL_DIVERGED = '''
def model_diverged(hidden, held_out, x, grads, cost):
    """After the batch's own numbers, the first that is not finite, in words (None when all are finite): a hidden
    neuron's output, a held-out measure (held_out: its (name, value) pairs), a parameter, a gradient, the cost."""
    for k, layer in enumerate(hidden or (), start=1):
        for i, n in enumerate(layer):
            if not math.isfinite(n):
                return f"hidden neuron {i + 1} of layer {k} became {n}"
    for what, v in held_out:
        if v is not None and not math.isfinite(v):
            return f"the held-out {what} became {v}"
    for what, table in (("parameter", dict(zip(PARAMS, x))), ("gradient of", grads or {})):
        for name, v in table.items():
            if not math.isfinite(v):
                return f"{what} {name!r} became {v}"
    return None if math.isfinite(cost) else f"the cost became {cost}"
'''
