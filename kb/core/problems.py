"""Problems are values: every stage returns them instead of raising or printing."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal, NamedTuple

__all__ = ["Loc", "Position", "Problem", "Severity", "sort_problems"]

# A notice is information about the knowledge base as a whole (e.g. an isolated record): it is
# listed on request and never fails a run, not even a --strict one.
Severity = Literal["error", "warning", "notice"]
Loc = tuple[str | int, ...]


class Position(NamedTuple):
    """A 1-based line and column in a file (a tuple: cheap to make for every value)."""

    line: int = 1
    col: int = 1


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, located in a file, with a stable code."""

    code: str
    path: str
    message: str
    line: int = 1
    col: int = 1
    hint: str | None = None
    severity: Severity = "error"
    loc: Loc = field(default=())

    def render(self) -> str:
        """`path:line:col: error[code]: message`, then an indented hint line where there is one."""
        text = f"{self.path}:{self.line}:{self.col}: {self.severity}[{self.code}]: {self.message}"
        return f"{text}\n  hint: {self.hint}" if self.hint else text

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready mapping with every field, `loc` as a dotted path."""
        return {
            "path": self.path,
            "line": self.line,
            "col": self.col,
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
            "hint": self.hint,
            "loc": ".".join(str(part) for part in self.loc),
        }

    def as_warning(self) -> Problem:
        """The same problem downgraded to a warning."""
        return Problem(
            self.code, self.path, self.message, self.line, self.col, self.hint, "warning", self.loc
        )


def sort_problems(problems: Iterable[Problem]) -> list[Problem]:
    """Problems ordered by file, line, column and code: stable output for humans and CI."""
    return sorted(problems, key=lambda p: (p.path, p.line, p.col, p.code, p.message))
