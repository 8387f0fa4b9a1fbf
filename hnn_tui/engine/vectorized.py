"""The vectorized engine: the guide's chapter 3, "Writing a Neural Net classifier in Python with numpy".

The pure-Python engine (objectives.ClassifierObjective, multiclass_objective.MulticlassObjective) runs the model
one point at a time: a forward pass through every gate, the force specification on the score, a backward pass
adding each parameter's pull. Here the same model runs the whole batch at once, one numpy expression per layer:

    forward   H_0 = X (n points x 2);  Z_l = H_(l-1) @ W_l.T + b_l;  H_l = max(0, Z_l)  (no ReLU on the scores)
    backward  G = the pulls on the scores (n x K); for each layer from the top, by the chain rule:
              pull on W_l = G.T @ H_(l-1)  (d z_i / d w_ij = h_j, added over the points by the product)
              pull on b_l = G summed over the points  (d z_i / d b_i = 1)
              G <- (G @ W_l) * [Z_(l-1) > 0]  (d z_i / d h_j = w_ij, then the ReLU's gradient switch)

The loops over points and over neurons became matrix products; the numbers are the same as the Python engine's
(to rounding), and so are the counted passes (one forward and one backward per batch point), the `inside` record
of an analytic step, the spring and the regularizers. The parameters start from the model object's, then live in
one flat array of the objective's own (get/set convert whole lists, no Python loop over the parameters); the
lesson reads them through the objective and gives them back to the model when the engine is switched. The Python
engine stays the default and the one the circuit views explain.

Every classifier model is a stack of such layers over the parameters in the model's own order: the svm is one
layer (a, b, c: weights then bias), the guide's net two (a_i, b_i, c_i per hidden neuron, then the top weights
and bias), the mlp its layers (models.mlp_matrices's order); the multiclass models the same with K scores.
"""
from __future__ import annotations

from dataclasses import fields, replace

import numpy as np

from .inside import ForcePoint
from .objectives import LOSSES, NEVER, Interrupted
from .penalties import tune
from .table import ScenarioError
from .vectorized_inside import LazyInside, NamedValues, hidden_of_one, record_of

ENGINES = ("python", "numpy")


def model_layers(model) -> tuple[int, ...]:
    """The hidden layer sizes of any classifier model: () for the svm, (H,) for the guide's net."""
    if model.kind == "net" and not hasattr(model, "layers"):
        return (model.hidden,)  # models.ReluNet: a circuit, laid out as a one-hidden-layer mlp
    return tuple(getattr(model, "layers", ()))


class Layout:
    """Where each layer's weights W (out x in) and biases b sit in the model's flat parameter list: each neuron's
    weights, then its bias, layer by layer; so layer l is one contiguous block, the matrix [W | b] row by row, and
    its W and b are views of the flat array (no copy), and its pulls go back the same way."""

    def __init__(self, layers, n_out: int, n_in: int = 2):
        sizes, at = [n_in, *layers, n_out], 0
        self.blocks = []  # (start, end, neurons, inputs) of each layer's block
        for a, b in zip(sizes, sizes[1:]):
            self.blocks.append((at, at + b * (a + 1), b, a))
            at += b * (a + 1)
        self.size = at

    def matrices(self, flat: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        out = []
        for start, end, b, a in self.blocks:
            Wb = flat[start:end].reshape(b, a + 1)
            out.append((Wb[:, :a], Wb[:, a]))
        return out

    def grad_views(self, g: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        """Views (W, b) of each layer's block of a flat gradient array `g`, for backward() to fill in place."""
        return self.matrices(g)


def forward(mats, X: np.ndarray, masks=None):
    """The scores of every point (n x K) and each hidden layer's (pre-activation Z, output H), the batch at once.
    `masks`: one (n x width) array of dropout multipliers per hidden layer, or None."""
    h, hidden = X, []
    for k, (W, b) in enumerate(mats[:-1]):
        pre = h @ W.T + b  # z_i = w_i . h + b_i for every neuron i and every point at once
        h = np.maximum(0.0, pre)  # out_i = max(0, z_i)
        if masks is not None:
            h = h * masks[k]  # inverted dropout: out_i * (1/(1-p) or 0), the step's own mask
        hidden.append((pre, h))
    W, b = mats[-1]
    return h @ W.T + b, hidden  # s_k = w_k . h + b_k: no ReLU on the scores


def backward(mats, X: np.ndarray, hidden, G: np.ndarray, out, masks=None) -> None:
    """The pulls on every layer's (W, b), summed over the points, from G: the pulls on the scores (n x K), written
    into `out` (one (W, b) pair of arrays per layer, e.g. Layout.grad_views). The chain rule a layer at a time:
    what arrives at a layer's output times its local derivative."""
    inputs = [X] + [h for _, h in hidden]  # what each layer multiplied
    for k in range(len(mats) - 1, -1, -1):
        gW, gb = out[k]
        gW[...] = G.T @ inputs[k]  # d/dw_ij = h_j: the pull g_i on neuron i times its input h_j, summed over points
        gb[...] = G.sum(axis=0)  # d/db_i = 1: the pulls on neuron i, summed over the points
        if k:
            pre = hidden[k - 1][0]
            G = (G @ mats[k][0]) * (pre > 0.0)  # d/dh_j = sum_i g_i * w_ij; through the ReLU: d/dz = [z > 0]
            if masks is not None:
                G = G * masks[k - 1]  # the dropped units pass nothing back, the kept ones 1/(1-p) of it


class BatchedObjective:
    """What both numpy objectives share: the Objective protocol over the same model object (get/set), the batch,
    the counted passes, `stop`, the spring, L1 and dropout masks; each kind adds its loss and its pull on the
    scores (`_point_losses`, `_score_pulls`) and its `inside` record (`_record`)."""

    def __init__(self, model, points, labels, reg: float, loss: str, n_out: int):
        self.model, self.points, self.labels, self.reg, self.loss = model, points, labels, reg, loss
        self.names = list(model.params)
        self.index = {name: j for j, name in enumerate(self.names)}  # name -> place, for NamedValues
        self.batch: list[int] = []
        self.forward_passes = self.backward_passes = 0
        self.stop = NEVER
        self.inside = None  # what the last pull() did; the lesson resets it before every step
        self._layout = Layout(model_layers(model), n_out)
        self._reg_idx = np.array([model.params.index(p) for p in model.regularized], int)
        self.l1, self.l1_idx = 0.0, self._reg_idx.tolist()  # L1 on the weights (see updates: the proximal step)
        self.masks = None  # dropout: per batch point, per hidden layer, the units' multipliers (None: off)
        self.class_weights = None  # a weight per class label (None: every class 1)
        self._flat = np.array(model.get(), float)  # the parameters, in the model's order: see get/set
        self._X = np.array(points, float).reshape(-1, 2)
        self._y = np.array(labels, float if n_out == 1 else int)
        self._masks_of, self._mask_arrays = None, None
        self._batch_of, self._batch_data = None, None
        self._weights_of, self._point_weights = None, None

    def get(self):
        return self._flat.tolist()

    def set(self, values):
        self._flat = np.array(values, float)  # the parameters' home while this objective runs

    # ---- pieces -------------------------------------------------------------------------------
    def _at(self, at) -> tuple[np.ndarray, np.ndarray]:
        """The batch's points (n x 2) and labels, picked once per batch (a step's evaluations share its batch;
        the full batch is the training data itself, no copy)."""
        if at is not self._batch_of or len(at) != len(self._batch_data[1]):
            full = len(at) == len(self._X) and at == list(range(len(at)))
            self._batch_of, self._batch_data = at, (self._X, self._y) if full else (self._X[at], self._y[at])
        return self._batch_data

    def _mask_layers(self):
        """The step's dropout masks as one (n x width) array per hidden layer (cached: a step reuses them)."""
        masks = self.masks
        if not masks:
            return None
        if masks is not self._masks_of:
            self._masks_of = masks
            self._mask_arrays = [np.array([m[k] for m in masks], float) for k in range(len(masks[0]))]
        return self._mask_arrays

    def picked(self, at) -> tuple:
        """The batch's points and labels as the spec holds them (the full batch: the spec's own tuples)."""
        if self._at(at)[0] is self._X:
            return self.points, self.labels
        return [self.points[i] for i in at], [self.labels[i] for i in at]

    def _weights(self, at) -> np.ndarray | None:
        """Each batch point's class weight (None: all 1), from `class_weights` (label -> weight)."""
        cw = self.class_weights
        if cw is None:
            return None
        if cw is not self._weights_of:  # worked out once per setting, for every training point
            self._weights_of, self._point_weights = cw, np.array([cw[y] for y in self.labels], float)
        return self._point_weights[at]

    def _penalty(self, params: np.ndarray) -> float:
        """The spring reg/2 * |w|^2 and L1's l1 * |w|_1 on the weights (biases feel neither)."""
        w = params[self._reg_idx]
        total = 0.5 * self.reg * float(w @ w)
        if self.l1:
            total += self.l1 * float(np.sum(np.abs(params[np.array(self.l1_idx, int)])))
        return total

    # ---- the Objective protocol ---------------------------------------------------------------
    def evaluate(self) -> float:
        """Minus (the mean point loss over the batch + the penalties); one forward pass per point, counted so."""
        if self.stop.is_set():
            raise Interrupted
        at, params = self.batch, self._flat
        with np.errstate(all="ignore"):  # overflow shows as a non-finite cost: the session reports divergence
            X, y = self._at(at)
            S, _ = forward(self._layout.matrices(params), X, self._mask_layers())
            losses = self._point_losses(S, y)
            weights = self._weights(at)
            total = float(np.sum(losses if weights is None else losses * weights))
        self.forward_passes += len(at)
        return -(total / len(at) + self._penalty(params))

    def pull(self) -> list[float]:
        """The loss's pull on every score backpropagated through the layers, averaged over the batch, plus the
        spring -reg * w (and L1's -l1 * sign(w)). What it did is left in `inside`, as the Python engine leaves it."""
        if self.stop.is_set():
            raise Interrupted
        at, n = self.batch, len(self.batch)
        params = self._flat
        mats, masks = self._layout.matrices(params), self._mask_layers()
        X, y = self._at(at)
        with np.errstate(all="ignore"):
            S, hidden = forward(mats, X, masks)
            G = self._score_pulls(S, y)  # -d loss / d score: the force spec on every score at once
            weights = self._weights(at)
            if weights is not None:
                G = G * weights[:, None]  # a class's weight scales its points' pulls
            data = np.empty(self._layout.size)
            backward(mats, X, hidden, G, self._layout.grad_views(data), masks)
            data /= n  # the mean over the batch
        self.forward_passes += n
        self.backward_passes += n
        spring = np.zeros_like(data)
        spring[self._reg_idx] = -self.reg * params[self._reg_idx]  # d/dw of -reg/2 * w^2
        if self.l1:
            l1_idx = np.array(self.l1_idx, int)
            spring[l1_idx] += -self.l1 * np.sign(params[l1_idx])  # d/dw of -l1 * |w| (sign(0) = 0)
        grads = data + spring  # the very sum data_pull + spring_pull
        self.inside = self._record(at, S, G, NamedValues(self.index, data), NamedValues(self.index, spring),
                                   hidden_of_one(hidden) if n == 1 else None)
        return grads.tolist()

    def _point_losses(self, S, y) -> np.ndarray:
        raise NotImplementedError  # each kind its loss

    def _score_pulls(self, S, y) -> np.ndarray:
        raise NotImplementedError

    def _record(self, at, S, G, data, spring, hidden):
        raise NotImplementedError


class NumpyClassifierObjective(BatchedObjective):
    """The binary classifier's objective (objectives.ClassifierObjective) over numpy arrays: one score per point,
    the hinge (or squared hinge) on the margin 1 - y * score."""

    def __init__(self, model, points, labels, reg: float, loss: str = "hinge"):
        if loss not in LOSSES:
            raise ValueError(f"unknown loss {loss!r}; expected one of {', '.join(LOSSES)}")
        super().__init__(model, points, labels, reg, loss, 1)

    def _point_losses(self, S, y):
        margins = np.maximum(0.0, 1.0 - y * S[:, 0])  # max(0, 1 - y*score)
        return margins if self.loss == "hinge" else margins * margins

    def _score_pulls(self, S, y):
        margin = 1.0 - y * S[:, 0]  # > 0 where the margin is violated
        pull = y if self.loss == "hinge" else 2.0 * y * margin  # -d/dscore of max(0, margin) (squared)
        return np.where(margin > 0.0, pull, 0.0)[:, None]

    def _record(self, at, S, G, data, spring, hidden):
        (points, labels), scores, pulls = self.picked(at), S[:, 0], G[:, 0]

        def rows():  # as objectives.ClassifierObjective records them: index, point, label, score, pull
            return tuple(map(record_of(ForcePoint), zip(at, points, labels, scores.tolist(), pulls.tolist())))
        return LazyInside(rows, data, spring, hidden)


def numpy_objective(model, spec):
    """The numpy objective for `spec`'s kind (binary or multiclass) over `model`, with the spec's spring and loss
    and its regularizers (l1, class weights) where the spec has them."""
    if hasattr(spec, "classes"):
        from .vectorized_multiclass import NumpyMulticlassObjective
        obj = NumpyMulticlassObjective(model, spec.points, spec.labels, spec.reg, spec.loss)
    else:
        obj = NumpyClassifierObjective(model, spec.points, spec.labels, spec.reg, spec.loss)
    return tune(obj, spec)  # l1 and the class weights as the Python engine's objective takes them


def engine_of(spec) -> str:
    return getattr(spec, "engine", "python")


def with_engine(scenario, name: str):
    """`scenario` running on engine `name` (the CLI's `run --engine`); ScenarioError for an unknown engine or a
    kind that has no engine (circuits and regressions run the Python engine only)."""
    source = scenario.source or scenario.name
    if name not in ENGINES:
        raise ScenarioError(source, "engine", f"expected one of {', '.join(ENGINES)}, got {name!r}")
    if scenario.kind != "classifier":
        raise ScenarioError(source, "engine", f"applies to classifier scenarios only; this is a {scenario.kind}")
    if engine_of(scenario.spec) == name:
        return scenario
    if "engine" not in {f.name for f in fields(scenario.spec)}:
        raise ScenarioError(source, "engine", "this classifier cannot choose its engine yet")
    return replace(scenario, spec=replace(scenario.spec, engine=name))
