"""How engine.rewind keeps a lesson's state: pickled, with what never changes shared rather than copied.

Not copy.deepcopy: a deep copy shares every closure as it is (e.g. the objective's reader of a model's hidden
units would go on reading the live model), and pickled bytes are compact. Here a closure is rebuilt around copies
of its cells, so it reads the restored objects; locks, Events and nested functions without cells are kept by
reference; read-only mappings are pickled as the dicts they show; the objects `shared_ids` names (the stage, the
spec and its data, the session's stop) are named by number in the keyframe's `refs`, not copied; and numpy arrays
equal to one of step 0's big arrays are kept once in a pool and copied out on restore.
"""
from __future__ import annotations

import io
import pickle
import threading
import types
from dataclasses import fields, is_dataclass
from typing import Any

import numpy as np

POOL_MIN = 256  # numpy arrays of at least this many numbers are looked up in step 0's pool instead of copied

_LOCK_TYPES = (type(threading.Lock()), type(threading.RLock()), threading.Event, threading.Condition)


class _Shared:
    """A reference to an object the keyframe shares rather than copies (a function's code, a lock, an Event)."""

    __slots__ = ("obj",)

    def __init__(self, obj):
        self.obj = obj


def _closure(f, contents):
    """`f` again, its cells holding `contents` (the copies): the copied objects, not the live ones."""
    cells = tuple(types.CellType() if c is _EMPTY else types.CellType(c) for c in contents)
    g = types.FunctionType(f.__code__, f.__globals__, f.__name__, f.__defaults__, cells)
    g.__kwdefaults__, g.__dict__ = f.__kwdefaults__, dict(f.__dict__)
    return g


def _mapping(d):
    return types.MappingProxyType(d)


class _Empty:
    """An empty closure cell, pickled."""

    def __reduce__(self):
        return "_EMPTY"


_EMPTY = _Empty()


class _Pickler(pickle.Pickler):
    def __init__(self, file, shared: dict[int, Any], pool: dict | None, pooling: bool):
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.shared, self.pool, self.pooling = shared, pool, pooling
        self.refs: list = []  # what the pickle names by number: shared objects and pooled arrays
        self._ref_of: dict[int, int] = {}

    def _ref(self, obj) -> int:
        n = self._ref_of.get(id(obj))
        if n is None:
            n = self._ref_of[id(obj)] = len(self.refs)
            self.refs.append(obj)
        return n

    def persistent_id(self, obj):
        if isinstance(obj, _Shared):
            return self._ref(obj.obj)
        if id(obj) in self.shared:
            return self._ref(self.shared[id(obj)])
        if type(obj) is np.ndarray and obj.size >= POOL_MIN and self.pool is not None:
            key = (obj.dtype.str, obj.shape, hash(obj.tobytes()))
            kept = self.pool.get(key)
            if kept is None and self.pooling:  # step 0: the pool takes a frozen copy
                kept = self.pool[key] = obj.copy()
                kept.setflags(write=False)
            if kept is not None and np.array_equal(kept, obj):
                return self._ref(kept)
        return None

    def reducer_override(self, obj):
        if isinstance(obj, types.FunctionType):
            if not obj.__closure__:  # a module's function goes by its name; a nested one by reference
                return NotImplemented if "<" not in obj.__qualname__ else (_same, (_Shared(obj),))
            contents = []
            for cell in obj.__closure__:
                try:
                    contents.append(cell.cell_contents)
                except ValueError:  # a cell not filled yet
                    contents.append(_EMPTY)
            return _closure, (_Shared(obj), tuple(contents))
        if isinstance(obj, _LOCK_TYPES):
            return _same, (_Shared(obj),)
        if isinstance(obj, types.MappingProxyType):
            return _mapping, (dict(obj),)
        return NotImplemented


def _same(obj):
    return obj


class _Unpickler(pickle.Unpickler):
    def __init__(self, file, refs):
        super().__init__(file)
        self.refs, self._copies = refs, {}

    def persistent_load(self, n):
        obj = self.refs[n]
        if type(obj) is np.ndarray and not obj.flags.writeable:  # a pooled array: a copy of its own, once per load
            copy = self._copies.get(n)
            if copy is None:
                copy = self._copies[n] = obj.copy()
            return copy
        return obj


def shared_ids(lesson, scenario, stop, forced: bool) -> dict[int, Any]:
    """What a keyframe shares: the stage, the spec and its field values (frozen data), the session's stop; the
    objective's parameter names (and their index), which never change; and its record of the last pull
    (`inside`), which only a measurement reads (a new step starts a new one): a forced keyframe shares it (a knob
    turned right after a restore measures again), a regular one keeps None in its place (never restored without
    a step replayed after it: see locate), so the records of many steps are not kept alive."""
    shared = {id(stop): stop, id(lesson.stage): lesson.stage}
    for name in ("inside", "names", "index"):
        value = getattr(lesson.objective, name, None)
        if value is not None:
            shared[id(value)] = value if forced or name != "inside" else None
    for spec in {id(s): s for s in (scenario.spec, getattr(lesson, "spec", None)) if s is not None}.values():
        shared[id(spec)] = spec
        if is_dataclass(spec):
            for f in fields(spec):
                value = getattr(spec, f.name)
                if isinstance(value, (tuple, str)):
                    shared[id(value)] = value
    return shared




def dump(state, pool: dict, pooling: bool, shared: dict[int, Any]) -> tuple[bytes, tuple]:
    """(the pickled bytes of `state`, the objects they name by number); `pooling`: big arrays join `pool` (step 0)."""
    buf = io.BytesIO()
    p = _Pickler(buf, shared, pool, pooling)
    p.dump(state)
    return buf.getvalue(), tuple(p.refs)


def load(blob: bytes, refs: tuple):
    """A fresh copy of the state `dump` kept: shared objects as they are, pooled arrays copied."""
    return _Unpickler(io.BytesIO(blob), refs).load()
