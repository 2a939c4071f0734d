"""`venvdeck` and its subcommands, from one parser. Textual is imported only when the dashboard opens.

`venvdeck [ROOT ...]` opens the dashboard; `venvdeck SUBCOMMAND ...` prints or acts. Global options
(`--config FILE`) work before and after the subcommand. Every failure is one line on stderr.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

from venvdeck import __version__
from venvdeck.errors import VenvDeckError

Handler = Callable[[argparse.Namespace], int]
# subcommand → (module in venvdeck.cli, function); modules are imported only when their command runs.
COMMANDS: dict[str, tuple[str, str]] = {
    "list": ("read", "list_environments"),
    "packages": ("read", "packages"),
    "freeze": ("read", "freeze"),
    "create": ("actions", "create"),
    "install": ("actions", "install"),
    "upgrade": ("actions", "upgrade"),
    "uninstall": ("actions", "uninstall"),
    "ensurepip": ("actions", "ensurepip"),
    "export": ("actions", "export"),
    "delete": ("actions", "delete"),
    "activate": ("actions", "activate"),
    "shell": ("actions", "shell"),
    "check": ("insight", "check"),
    "deps": ("insight", "deps"),
    "show": ("insight", "show"),
    "find": ("insight", "find"),
    "usage": ("insight", "usage"),
    "interpreters": ("repair", "interpreters"),
    "recreate": ("repair", "recreate"),
    "kernels": ("repair", "kernels"),
}
_PARSER_MODULES = ("read", "actions", "insight", "repair")
_GLOBAL_WITH_VALUE = ("--config",)


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage error as one line, exit status 2."""

    def error(self, message: str) -> NoReturn:
        from venvdeck.formatting import shown

        self.exit(2, f"{self.prog}: error: {shown(message)}\n")


def _global_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    default: Any = argparse.SUPPRESS if suppress else None
    parser.add_argument(
        "--config",
        type=Path,
        default=default,
        metavar="FILE",
        help="config file (default: the user config dir)",
    )


def _parser(only: str | None = None) -> argparse.ArgumentParser:
    """The whole parser, or (only: a module of COMMANDS) just that module's subcommands, so a
    subcommand's run imports no other command module."""
    parser = _Parser(
        prog="venvdeck",
        description="Every Python environment on this machine. Without a subcommand "
        "(`venvdeck [ROOT ...]`) it opens the dashboard.",
    )
    parser.add_argument("--version", action="version", version=f"venvdeck {__version__}")
    _global_options(parser, suppress=False)
    common = argparse.ArgumentParser(add_help=False)
    _global_options(common, suppress=True)
    sub = parser.add_subparsers(dest="command", parser_class=_Parser, metavar="COMMAND")
    import importlib

    for name in _PARSER_MODULES if only is None else (only,):
        importlib.import_module(f"venvdeck.cli.{name}").add_parsers(sub, common)
    return parser


def _subcommand(argv: Sequence[str]) -> tuple[int, str | None]:
    """Where the first word that is not an option (nor a global option's value) is, and what it is."""
    skip = False
    for index, word in enumerate(argv):
        if skip:
            skip = False
            continue
        if word == "--":
            return -1, None
        if word in _GLOBAL_WITH_VALUE:
            skip = True
            continue
        if word.startswith("-"):
            continue
        return index, word
    return -1, None


def _dashboard(argv: Sequence[str]) -> int:
    parser = _Parser(
        prog="venvdeck", description="Open the dashboard (or run a subcommand: venvdeck --help)."
    )
    parser.add_argument("--version", action="version", version=f"venvdeck {__version__}")
    _global_options(parser, suppress=False)
    parser.add_argument("roots", nargs="*", type=Path, metavar="ROOT", help="look only below these folders")
    args = parser.parse_args(argv)
    from venvdeck.config import load_config
    from venvdeck.services.find.discovery import check_roots

    config = load_config(args.config)
    roots = tuple(check_roots(args.roots))
    from venvdeck.app import run_dashboard

    code = run_dashboard(config, roots)
    # The terminal is restored and every operation stopped: end the process now. Finalizing the
    # interpreter (Textual's and Rich's modules and objects, idle daemon threads) took longer than
    # the app's own teardown, and nothing needs it: files are written whole or not at all.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def _unknown(word: str) -> str | None:
    """'did you mean' for a word that is neither a subcommand nor an existing folder."""
    if os.path.lexists(word):
        return None
    import difflib  # only for a mistyped command

    close = difflib.get_close_matches(word, list(COMMANDS), n=1, cutoff=0.6)
    if close:
        return f"unknown command {word!r}; did you mean {close[0]!r}? (venvdeck --help lists them)"
    if os.sep not in word and not word.startswith((".", "~")):
        return f"unknown command {word!r}, and no folder of that name here (venvdeck --help lists commands)"
    return None


def _fold_extras(parser: argparse.ArgumentParser, args: argparse.Namespace, extras: list[str]) -> None:
    """argparse cannot take more positionals after an option ('install ENV --backend uv rich'): the
    words left over are more requirements or names; anything else is an error."""
    field = {"install": "requirements", "upgrade": "names", "uninstall": "names", "deps": "packages"}.get(
        args.command or ""
    )
    after_dash = extras[extras.index("--") + 1 :] if "--" in extras else []
    before_dash = extras[: extras.index("--")] if "--" in extras else extras
    if extras and (field is None or any(e.startswith("-") for e in before_dash)):
        parser.error(f"unrecognized arguments: {' '.join(extras)}")
    words = [*before_dash, *after_dash]  # after '--' everything is a requirement (and is checked as one)
    if words and field is not None:
        setattr(args, field, [*getattr(args, field), *words])


class _Stopped(KeyboardInterrupt):
    """A signal other than SIGINT, carried to the exit status (128 + its number, as shells say)."""

    def __init__(self, signum: int) -> None:
        super().__init__()
        self.signum = signum


def _stop_on_signal(signum: int, _frame: object) -> None:
    """SIGTERM / SIGHUP: stop every process an operation started, as Ctrl-C does, then exit."""
    from venvdeck.services import process

    process.stop_all()
    raise _Stopped(signum)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    from venvdeck.formatting import shown

    for signum in (getattr(signal, "SIGTERM", None), getattr(signal, "SIGHUP", None)):
        if signum is not None:
            signal.signal(signum, _stop_on_signal)
    try:
        index, word = _subcommand(argv)
        if word is None or word not in COMMANDS:
            if word is not None and not {"-h", "--help"} & set(argv):
                problem = _unknown(word)
                if problem:
                    print(f"venvdeck: error: {shown(problem)}", file=sys.stderr)
                    return 2
            if {"-h", "--help"} & set(argv[: index if index >= 0 else len(argv)]):
                _parser().print_help()
                return 0
            return _dashboard(argv)
        parser = _parser(COMMANDS[word][0])
        args, extras = parser.parse_known_args(argv)
        _fold_extras(parser, args, extras)
        if not hasattr(args, "config"):
            args.config = None
        module_name, function = COMMANDS[args.command]
        import importlib

        module = importlib.import_module(f"venvdeck.cli.{module_name}")
        handler: Handler = getattr(module, function)
        return handler(args)
    except VenvDeckError as exc:
        print(f"venvdeck: error: {shown(exc)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt as exc:
        print("venvdeck: stopped", file=sys.stderr)
        return 128 + (exc.signum if isinstance(exc, _Stopped) else signal.SIGINT)
    except BrokenPipeError:
        # The reader went away (e.g. `| head`); point stdout at devnull so the exit flush is quiet.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
