"""Human-readable sizes and times, shared by the dashboard and the CLI."""

from __future__ import annotations

import time

_UNITS = ("B", "kB", "MB", "GB", "TB")


def human_size(size: int | None) -> str:
    """1234567 → '1.2 MB' (decimal units, as `du -h --si` and file managers show)."""
    if size is None:
        return ""
    value = float(size)
    for unit in _UNITS:
        if value < 1000 or unit == _UNITS[-1]:
            return f"{value:.0f} {unit}" if unit == "B" or value >= 100 else f"{value:.1f} {unit}"
        value /= 1000
    raise AssertionError("unreachable")


def age(timestamp: float | None, now: float) -> str:
    """How long ago, in the largest whole unit: 'today', '3 days ago', '2 months ago'."""
    if timestamp is None:
        return ""
    days = int((now - timestamp) // 86400)
    if days < 1:
        return "today"
    if days < 2:
        return "yesterday"
    if days < 60:
        return f"{days} days ago"
    if days < 730:
        return f"{days // 30} months ago"
    return f"{days // 365} years ago"


def local_time(timestamp: float | None) -> str:
    if timestamp is None:
        return ""
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(timestamp))
