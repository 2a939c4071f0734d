"""Human-readable sizes and times, shared by the dashboard and the CLI."""

from __future__ import annotations

import re
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


_NAMED_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\x1b": "\\e"}


def _is_control(ch: str) -> bool:
    code = ord(ch)
    # C0, DEL, C1, and the invisible format characters that reorder or hide text (bidi overrides).
    return (
        code < 32
        or 0x7F <= code < 0xA0
        or 0x200B <= code <= 0x200F
        or 0x202A <= code <= 0x202E
        or (0x2066 <= code <= 0x2069)
    )


def shown(text: object) -> str:
    """Text from disk as it may be shown on a terminal: control characters (newlines, escape
    sequences, bidi overrides) made visible as escapes, and bytes that are not UTF-8 as \\xNN."""
    value = str(text).encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    if not any(_is_control(ch) for ch in value):
        return value
    out = []
    for ch in value:
        if _is_control(ch):
            out.append(
                _NAMED_ESCAPES.get(ch) or (f"\\x{ord(ch):02x}" if ord(ch) < 256 else f"\\u{ord(ch):04x}")
            )
        else:
            out.append(ch)
    return "".join(out)


def counted(count: int, word: str, plural: str | None = None) -> str:
    """'1 folder', '2 folders'."""
    return f"{count} {word if count == 1 else plural or word + 's'}"


def field(text: object) -> str:
    """A value for a tab-separated line that scripts read back, escaped so that it can be undone
    and two names never print alike: a backslash as \\\\, a byte that is not UTF-8 as \\xNN, a
    control character as \\n \\r \\t or \\uNNNN (a folder named with a newline and one named with
    a backslash and an n printed alike; so did the character U+0085 and the byte 0x85)."""
    out: list[str] = []
    for ch in str(text):
        code = ord(ch)
        if ch == "\\":
            out.append("\\\\")
        elif 0xDC80 <= code <= 0xDCFF:  # a byte os.fsdecode could not decode (surrogateescape)
            out.append(f"\\x{code - 0xDC00:02x}")
        elif ch in "\n\r\t":
            out.append(_NAMED_ESCAPES[ch])
        elif _is_control(ch) or 0xD800 <= code <= 0xDFFF:
            out.append(f"\\u{code:04x}")
        else:
            out.append(ch)
    return "".join(out)


def natural_key(text: str) -> tuple[tuple[int, int | str], ...]:
    """'3.9' sorts before '3.10', 'py3' before 'py10'."""
    parts = re.split(r"(\d+)", text.casefold())
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in parts if p)
