"""The one number formatter of the app and the CLI table (JSON carries full floats)."""
from __future__ import annotations

import math


def num(x: float | None, places: int = 4, significant: int | None = None, none: str = "·") -> str:
    """A number as the screens and the tables write it; `none` for a missing one.

    By default whole numbers bare (-4, 3, as the guide writes them), others to `places` decimals, and scientific
    from 1e5 and below 1e-4, so a tiny value stays visible (-4e-10). With `significant`, that many significant
    digits instead (the CLI table's columns: 0.880797, -601550, 1.5e-07).
    """
    if x is None:
        return none
    if not math.isfinite(x):
        return str(x)
    if significant is not None:
        return f"{x:.{significant}g}"
    if abs(x) >= 1e5:
        return f"{x:.3e}"
    if x == round(x):
        return str(int(x))
    return f"{x:.{places}f}" if abs(x) >= 1e-4 else f"{x:.0e}"
