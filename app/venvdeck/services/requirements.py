"""What a user may ask pip or uv to install: requirement specifiers, checked before anything runs.

Only PEP 508 requirements pass (`rich`, `rich==13.3.1`, `requests[socks]>=2.31`, `pkg @ https://...`).
Options (`--index-url`, `-e`), bare paths and archives, and shell syntax are refused, so nothing a
user types can become an option of pip or uv: indexes and find-links belong in their own config.
"""

from __future__ import annotations

from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement

from venvdeck.errors import InvalidRequirementError

MAX_SPEC_LENGTH = 400
MAX_FILE_BYTES = 1_000_000
# pip reads a "name" with one of these endings as a file to install, not a project on an index.
_ARCHIVE_SUFFIXES = (".whl", ".zip", ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz", ".tar.xz", ".txz")
_URL_SCHEMES = ("https://", "http://", "file://")
_VCS_PREFIXES = ("git+", "hg+", "svn+", "bzr+")


def _shown(text: str) -> str:
    return repr(text if len(text) <= 60 else text[:57] + "...")


def parse_requirement(text: str) -> Requirement:
    """One specifier, or InvalidRequirementError saying in one line what is wrong with it."""
    spec = text.strip()
    if not spec:
        raise InvalidRequirementError("an empty requirement")
    if len(spec) > MAX_SPEC_LENGTH:
        raise InvalidRequirementError(
            f"a requirement of {len(spec)} characters is too long (at most {MAX_SPEC_LENGTH})"
        )
    if any(ord(c) < 32 or ord(c) == 127 for c in spec):
        raise InvalidRequirementError(f"{_shown(spec)} holds control characters")
    if spec.startswith("-"):
        raise InvalidRequirementError(
            f"{_shown(spec)} is an option, not a requirement: "
            "indexes and find-links belong in pip's or uv's own config (pip.conf, uv.toml, PIP_*/UV_*)"
        )
    try:
        requirement = Requirement(spec)
    except InvalidRequirement as exc:
        first_line = str(exc).splitlines()[0]
        raise InvalidRequirementError(
            f"{_shown(spec)} is not a requirement specifier ({first_line})"
        ) from None
    if requirement.name.lower().endswith(_ARCHIVE_SUFFIXES):
        raise InvalidRequirementError(
            f"{_shown(spec)} looks like a file; install a local file as 'name @ file:///path/to/it'"
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


def read_requirements_file(path: Path) -> list[Requirement]:
    """A requirements file of specifiers only; an error names the line (and never runs anything)."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InvalidRequirementError(f"{path} is {size:,} bytes: too big for a requirements file")
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InvalidRequirementError(f"requirements file not found: {path}") from None
    except IsADirectoryError:
        raise InvalidRequirementError(f"{path} is a folder, not a requirements file") from None
    except UnicodeDecodeError:
        raise InvalidRequirementError(f"{path} is not a UTF-8 text file") from None
    except OSError as exc:
        raise InvalidRequirementError(f"cannot read {path}: {exc.strerror}") from None
    requirements: list[Requirement] = []
    pending = ""
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        if not pending:
            start = number
        line = raw.rstrip()
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line = (pending + line).strip()
        pending = ""
        if line.startswith("#") or not line:
            continue
        line = line.split(" #", 1)[0].split("\t#", 1)[0].strip()
        if line.startswith("-"):
            option = line.split()[0]
            what = "editable installs" if option in {"-e", "--editable"} else f"the option {option}"
            raise InvalidRequirementError(
                f"{path}, line {start}: {what} cannot be installed from a file here; "
                "only requirement specifiers (indexes belong in pip's or uv's own config)"
            )
        try:
            requirements.append(parse_requirement(line))
        except InvalidRequirementError as exc:
            raise InvalidRequirementError(f"{path}, line {start}: {exc}") from None
    if not requirements:
        raise InvalidRequirementError(f"{path} lists no requirements")
    return requirements
