"""Plain-text tables for terminals and text reports (no dependencies)."""

from __future__ import annotations

from collections.abc import Sequence


def table(headers: Sequence[str], rows: Sequence[Sequence[object]], align: str | None = None) -> str:
    """An aligned text table. ``align`` has one letter per column: ``l`` or ``r`` (default: text
    left, numbers right)."""
    cells = [[_cell(v) for v in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in cells:
        for i, v in enumerate(row):
            widths[i] = max(widths[i], len(v))
    if align is None:
        align = "".join(
            "r" if rows and isinstance(rows[0][i], (int, float)) and not isinstance(rows[0][i], bool) else "l"
            for i in range(len(headers))
        )

    def fmt(row: Sequence[str]) -> str:
        parts = [v.rjust(w) if a == "r" else v.ljust(w) for v, w, a in zip(row, widths, align)]
        return "  ".join(parts).rstrip()

    lines = [fmt(list(headers)), fmt(["-" * w for w in widths])]
    lines.extend(fmt(r) for r in cells)
    return "\n".join(lines)


def _cell(v: object) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        if v != v:  # NaN
            return "-"
        return f"{v:.1f}"
    return str(v)
