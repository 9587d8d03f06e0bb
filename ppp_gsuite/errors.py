"""One exception tree for the library: each error carries the exit code the CLI leaves with.

As click's exceptions do: 1 when something needs a person (the message says what), 2 when the
config, specs or templates are wrong.
"""

from __future__ import annotations

from dataclasses import dataclass

EXIT_NEEDS_A_PERSON = 1
EXIT_INVALID = 2


class PppError(Exception):
    """Base of every error the library raises on purpose: something a person must look at."""

    exit_code = EXIT_NEEDS_A_PERSON


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    message: str
    level: str = "error"  # or "warning"

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        prefix = "warning: " if self.level == "warning" else ""
        return f"{where}: {prefix}{self.message}"


class ValidationFailed(PppError):
    """Config, specs or templates are wrong; `problems` says where and what to write instead."""

    exit_code = EXIT_INVALID

    def __init__(self, problems: list[Problem]):
        self.problems = _one_per_line(problems)
        super().__init__("\n".join(str(p) for p in problems))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "error"]


class ConfigNotFound(PppError):
    exit_code = EXIT_INVALID


def _one_per_line(problems: list[Problem]) -> list[Problem]:
    """One problem per file and line: the same mistake found twice (say, once per opportunity) shows once."""
    kept: dict[tuple[str, int, str] | Problem, Problem] = {}
    extra: dict[tuple[str, int, str] | Problem, int] = {}
    for problem in problems:
        where = (problem.file, problem.line, problem.level) if problem.line else problem
        if where in kept:
            extra[where] = extra.get(where, 0) + (kept[where].message != problem.message)
        else:
            kept[where] = problem
    return [
        Problem(p.file, p.line, f"{p.message} (and {extra[w]} more on this line)", p.level) if extra.get(w) else p
        for w, p in kept.items()
    ]
