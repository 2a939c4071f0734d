"""What a user may ask pip or uv to install.

Typed requirements (the install box, `venvdeck install ENV REQ ...`): PEP 508 specifiers only
(`rich`, `rich==13.3.1`, `requests[socks]>=2.31`, `pkg @ https://...`). Options, anything pip would
read as a local path or archive, and shell syntax are refused, so nothing typed becomes an option
of pip or uv: indexes and find-links belong in their own config.

Requirements files are read as pip reads them (byte-order marks, line continuations, comments,
nested `-r` and `-c` files with cycles detected, `-e`, `--hash` and the other options pip allows
there), checked line by line first, and every option line is shown before anything runs.
"""

from __future__ import annotations

import codecs
import os
import re
from dataclasses import dataclass
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement

from venvdeck.errors import InvalidRequirementError, UnreadableFile
from venvdeck.formatting import shown
from venvdeck.services import fsio

MAX_SPEC_LENGTH = 400
MAX_FILE_BYTES = 1_000_000
MAX_NESTED_FILES = 50
# pip/_internal/utils/filetypes.py ARCHIVE_EXTENSIONS: a "name" ending so is a file to pip.
ARCHIVE_SUFFIXES = (
    ".zip",
    ".whl",
    ".tar.bz2",
    ".tbz",
    ".tar.gz",
    ".tgz",
    ".tar",
    ".tar.xz",
    ".txz",
    ".tlz",
    ".tar.lz",
    ".tar.lzma",
)
_URL_SCHEMES = ("https://", "http://", "file://")
_VCS_PREFIXES = ("git+", "hg+", "svn+", "bzr+")
_ENV_VAR = re.compile(r"\$\{([A-Z0-9_]+)\}")  # pip expands ${NAME} (upper case only) in files
# Options pip accepts in a requirements file, and whether each takes a value.
_FILE_OPTIONS = {
    "-r": True,
    "--requirement": True,
    "-c": True,
    "--constraint": True,
    "-e": True,
    "--editable": True,
    "-i": True,
    "--index-url": True,
    "--extra-index-url": True,
    "--no-index": False,
    "-f": True,
    "--find-links": True,
    "--trusted-host": True,
    "--pre": False,
    "--prefer-binary": False,
    "--only-binary": True,
    "--no-binary": True,
    "--require-hashes": False,
    "--use-feature": True,
    "--hash": True,
    "--global-option": True,
    "--config-settings": True,
}


def _shown(text: str) -> str:
    return repr(text if len(text) <= 60 else text[:57] + "...")


def looks_like_a_file(text: str) -> bool:
    """What pip reads as a local path or archive rather than a project name."""
    name = text.split(";", 1)[0].strip()
    name = re.sub(r"\[[^\]]*\]$", "", name)  # extras
    lowered = name.lower()
    return (
        os.sep in name
        or (os.altsep is not None and os.altsep in name)
        or "\\" in name
        or name.startswith((".", "~"))
        or lowered.endswith(ARCHIVE_SUFFIXES)
    )


def _as_direct_reference(spec: str) -> str:
    """How to ask for a local file: for a wheel, its own name and URL, ready to use (the name is in
    its file name); for anything else, the pattern."""
    from packaging.utils import InvalidWheelFilename, parse_wheel_filename

    path = Path(os.path.expanduser(spec.split(";", 1)[0].strip()))
    if path.name.lower().endswith(".whl"):
        try:
            name = parse_wheel_filename(path.name)[0]
        except InvalidWheelFilename:
            pass
        else:
            return repr(f"{name} @ {path.absolute().as_uri()}")
    return "'name @ file:///path/to/it'"


def _named_url(url: str) -> str:
    """'name @ URL', named from a wheel's file name where the URL ends in one."""
    from packaging.utils import InvalidWheelFilename, parse_wheel_filename

    try:
        name: str = parse_wheel_filename(url.rsplit("/", 1)[-1].split("#", 1)[0])[0]
    except InvalidWheelFilename:
        name = "name"
    return repr(f"{name} @ {url}")


def parse_requirement(text: str) -> Requirement:
    """One typed specifier, or InvalidRequirementError saying in one line what is wrong with it."""
    spec = text.strip()
    if not spec:
        raise InvalidRequirementError("an empty requirement")
    if len(spec) > MAX_SPEC_LENGTH:
        raise InvalidRequirementError(
            f"a requirement of {len(spec)} characters is too long (at most {MAX_SPEC_LENGTH})"
        )
    if any(ord(c) < 32 or ord(c) == 127 for c in spec):
        raise InvalidRequirementError(f"{_shown(spec)} holds control characters")
    if spec.startswith(("-e", "--editable")):
        raise InvalidRequirementError(
            f"{_shown(spec)}: an editable install goes in a requirements file "
            "(a line '-e /path/to/project'), installed with -r (I in the dashboard)"
        )
    if spec.startswith("-"):
        raise InvalidRequirementError(
            f"{_shown(spec)} is an option, not a requirement: "
            "indexes and find-links belong in pip's or uv's own config (pip.conf, uv.toml, PIP_*/UV_*)"
        )
    if "://" in spec.split(";", 1)[0] and "@" not in spec.split("://", 1)[0]:
        url = spec.split(";", 1)[0].strip()
        raise InvalidRequirementError(
            f"{_shown(spec)} is a bare URL; name what it installs: {_named_url(url)}"
        )
    if " @ " not in spec and "@" not in spec.split(";", 1)[0] and looks_like_a_file(spec):
        raise InvalidRequirementError(
            f"{_shown(spec)} looks like a file or folder, which pip would install from disk; "
            f"install a local file as {_as_direct_reference(spec)}"
        )
    try:
        requirement = Requirement(spec)
    except InvalidRequirement as exc:
        first_line = str(exc).splitlines()[0]
        raise InvalidRequirementError(
            f"{_shown(spec)} is not a requirement specifier ({first_line})"
        ) from None
    if requirement.url is None and looks_like_a_file(requirement.name):
        raise InvalidRequirementError(
            f"{_shown(spec)} looks like a file, which pip would install from disk; "
            "install a local file as 'name @ file:///path/to/it'"
        )
    if requirement.url is not None:
        url = requirement.url
        scheme_ok = url.startswith(_URL_SCHEMES) or (
            url.startswith(_VCS_PREFIXES) and url.split("+", 1)[1].startswith((*_URL_SCHEMES, "ssh://"))
        )
        if not scheme_ok:
            raise InvalidRequirementError(f"{_shown(spec)}: only https, http, file and VCS URLs are accepted")
    return requirement


def parse_requirements(texts: list[str] | tuple[str, ...]) -> list[Requirement]:
    if not texts:
        raise InvalidRequirementError("no requirements given")
    return [parse_requirement(text) for text in texts]


def split_specifiers(line: str) -> list[str]:
    """What a user typed in the install box, as specifiers: 'requests[socks]>=2.31 rich' → two.

    Spaces inside one specifier are fine where they cannot start a new one: around operators
    ('rich >= 13'), after a comma ('pkg>=1, <2'), and in a marker after ';'.
    """
    joiners = ("=", "<", ">", "!", "~", ",", ";", "@", "[", "(")
    parts: list[str] = []
    for token in line.split():
        previous = parts[-1] if parts else ""
        if previous and (
            ";" in previous or previous.endswith(joiners) or token.startswith((*joiners, ")", "]"))
        ):
            parts[-1] = f"{previous} {token}"
        else:
            parts.append(token)
    return parts


def check_typed(text: str) -> tuple[list[str], str | None]:
    """What the install box holds: (the specifiers, None) when every one is a requirement; else
    ([], what is wrong)."""
    specifiers = split_specifiers(text)
    if not specifiers:
        return [], "type one or more requirements, e.g. rich  requests[socks]>=2.31"
    try:
        return [str(parse_requirement(s)) for s in specifiers], None
    except InvalidRequirementError as exc:
        return [], str(exc)


# ---- requirements files ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RequirementLine:
    """One logical line of a requirements file that pip acts on."""

    file: Path
    number: int
    text: str  # as pip reads it: continuations joined, comment removed, ${VARS} expanded
    installs: bool  # a requirement, an editable, a local path or a URL (not a bare option)
    requirement: Requirement | None = None  # the parsed specifier, for a requirement line

    @property
    def shows_an_option(self) -> bool:
        """Shown before anything runs: options, editables, paths, URLs, per-line --hash."""
        return self.requirement is None or " --" in self.text


@dataclass(frozen=True, slots=True)
class RequirementsFile:
    path: Path
    lines: tuple[RequirementLine, ...]
    files: tuple[Path, ...]  # this file and every file it pulls in

    @property
    def requirement_count(self) -> int:
        return sum(line.installs for line in self.lines)

    @property
    def option_lines(self) -> list[str]:
        return [f"{line.file.name}:{line.number}: {line.text}" for line in self.lines if line.shows_an_option]


def _decode(data: bytes, path: Path) -> str:
    """pip's auto_decode: a byte-order mark names the encoding; otherwise UTF-8."""
    boms = (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    )
    bom, encoding = next(((b, e) for b, e in boms if data.startswith(b)), (b"", "utf-8"))
    data = data[len(bom) :]
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        raise InvalidRequirementError(f"{path} is not a text file (not {encoding.upper()})") from None


def _read(path: Path) -> str:
    try:
        data = fsio.read_bytes(path, MAX_FILE_BYTES)
    except FileNotFoundError:
        raise InvalidRequirementError(f"requirements file not found: {path}") from None
    except IsADirectoryError:
        raise InvalidRequirementError(f"{path} is a folder, not a requirements file") from None
    except UnreadableFile as exc:
        raise InvalidRequirementError(f"{exc}, not a requirements file") from None
    except OSError as exc:
        raise InvalidRequirementError(f"cannot read {path}: {exc.strerror or exc}") from None
    return _decode(data, path)


def _logical_lines(text: str) -> list[tuple[int, str]]:
    """pip's join_lines + ignore_comments + expand_env_variables."""
    out: list[tuple[int, str]] = []
    pending: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        if not pending:
            start = number
        if not pending and raw.lstrip().startswith("#"):
            continue
        if raw.endswith("\\"):
            pending.append(raw[:-1])
            continue
        line = "".join([*pending, raw])
        pending = []
        line = re.sub(r"(^|\s+)#.*$", "", line).strip()
        if line:
            out.append((start, _ENV_VAR.sub(lambda m: os.environ.get(m[1], m[0]), line)))
    if pending:
        line = re.sub(r"(^|\s+)#.*$", "", "".join(pending)).strip()
        if line:
            out.append((start, line))
    return out


def _split_option(line: str) -> tuple[str, str]:
    option, sep, value = line.partition("=") if line.startswith("--") else (line, "", "")
    if sep and " " not in option:
        return option, value.strip()
    parts = line.split(None, 1)
    if parts[0].startswith("-") and not parts[0].startswith("--") and len(parts[0]) > 2:
        return parts[0][:2], parts[0][2:] + (" " + parts[1] if len(parts) > 1 else "")
    return parts[0], parts[1].strip() if len(parts) > 1 else ""


def _include_loop(includes: dict[Path, list[Path]], top: Path) -> list[Path]:
    """A loop of -r / -c includes reachable from top, as the files in it (the first again at the
    end); empty when there is none. An iterative depth-first search: no recursion on crafted input."""
    state: dict[Path, int] = {}  # 1: on the current path, 2: done
    path: list[Path] = []
    stack: list[tuple[Path, int]] = [(top, 0)]
    while stack:
        node, index = stack.pop()
        if index == 0:
            state[node] = 1
            path.append(node)
        children = includes.get(node, [])
        if index < len(children):
            stack.append((node, index + 1))
            child = children[index]
            if state.get(child) == 1:
                return [*path[path.index(child) :], child]
            if child not in state:
                stack.append((child, 0))
            continue
        state[node] = 2
        path.pop()
    return []


def read_requirements_file(path: Path) -> RequirementsFile:
    """A requirements file checked line by line as pip reads it; an error names file and line.

    Reads nothing but text: no file pip would run (a local project, an archive) is opened here.
    """
    top = Path(os.path.expanduser(str(path))).absolute()
    lines: list[RequirementLine] = []
    files: list[Path] = []
    includes: dict[
        Path, list[Path]
    ] = {}  # what each file pulls in (real paths): pip follows a loop without end
    pending: list[tuple[Path, bool, Path | None]] = [(top, False, None)]  # (file, constraints, includer)
    while pending:
        file, constraints, includer = pending.pop(0)
        real = Path(os.path.realpath(file))
        if includer is not None:
            includes.setdefault(includer, []).append(real)
        if real in files:
            continue  # read already (included twice); a loop is found below
        if len(files) >= MAX_NESTED_FILES:
            raise InvalidRequirementError(f"{top} pulls in more than {MAX_NESTED_FILES} files")
        files.append(real)
        for number, text in _logical_lines(_read(file)):
            where = f"{file}, line {number}"
            if text.startswith("-"):
                option, value = _split_option(text)
                if option not in _FILE_OPTIONS:
                    raise InvalidRequirementError(f"{where}: pip does not accept {option} in a file")
                if _FILE_OPTIONS[option] and not value:
                    raise InvalidRequirementError(f"{where}: {option} needs a value")
                if option in {"-r", "--requirement", "-c", "--constraint"}:
                    nested = Path(os.path.expanduser(value))
                    nested = nested if nested.is_absolute() else file.parent / nested
                    if "://" in value:
                        raise InvalidRequirementError(f"{where}: a file from a URL is not read here")
                    pending.append((nested, constraints or option in {"-c", "--constraint"}, real))
                editable = option in {"-e", "--editable"}
                lines.append(RequirementLine(file, number, text, installs=editable and not constraints))
                continue
            spec = text.partition(" --")[0]
            try:
                requirement = Requirement(spec.strip())
            except InvalidRequirement:
                if looks_like_a_file(spec) or "://" in spec:
                    lines.append(RequirementLine(file, number, text, installs=not constraints))  # path, URL
                    continue
                raise InvalidRequirementError(
                    f"{where}: {_shown(spec.strip())} is not a requirement specifier"
                ) from None
            if requirement.url is not None and not re.match(r"[a-z][a-z0-9+.-]*:", requirement.url):
                raise InvalidRequirementError(  # packaging takes any text after @; pip wants a URL
                    f"{where}: {_shown(spec.strip())} names no URL after @ "
                    "(name @ https://… or name @ file:///…, the scheme in lower case, as pip needs it)"
                )
            lines.append(RequirementLine(file, number, text, not constraints, requirement))
    loop = _include_loop(includes, Path(os.path.realpath(top)))
    if loop:
        raise InvalidRequirementError(
            f"these requirements files include each other in a loop, which pip reads without end: "
            f"{' → '.join(shown(str(p)) for p in loop)}"
        )
    if not any(line.installs for line in lines):
        raise InvalidRequirementError(f"{top} lists no requirements")
    return RequirementsFile(top, tuple(lines), tuple(files))
