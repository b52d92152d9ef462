"""Paper pages made from one page the builder renders: the shell.

Every paper page has the same layout (header, tabs, table of contents, footer) and lives at the
same depth (`papers/<id>/`), so its HTML differs from any other paper page only in the title,
the URL and the article. The builder (MkDocs or Zensical) renders one shell page,
`papers/kb-shell.md`, whose article is a fixed skeleton of the paper sections between two
comments; kb fills in each paper. The builder then does the work of about 200 pages instead of
one per paper, which keeps `kb build` linear and well under the cost of the builder alone
(benchmarks/README.md).

Paper ids are lower-case letters and digits only, so `kb-shell` is never a paper's page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "PAPER_SECTIONS",
    "SHELL_PAGE",
    "SHELL_TITLE",
    "Shell",
    "parse_shell",
    "shell_markdown",
]

SHELL_PAGE = "papers/kb-shell.md"
SHELL_URL = "papers/kb-shell/"
SHELL_TITLE = "kbshelltitle"
_START = "<!--kb-shell-start-->"
_END = "<!--kb-shell-end-->"

# NOTE: the theme builds the table of contents from the shell's headings, so every paper page
# has exactly these sections (a section with nothing to show says so), with these ids.
PAPER_SECTIONS: tuple[tuple[str, str], ...] = (
    ("summary", "Summary"),
    ("findings", "Findings"),
    ("strengths-and-limitations", "Strengths and limitations"),
    ("trade-offs", "Trade-offs"),
    ("results", "Results"),
    ("relations", "Relations"),
    ("methods-models-modalities", "Methods, models, modalities"),
    ("cite", "Cite"),
    ("sources", "Sources"),
    ("cites", "Cites"),
    ("cited-by", "Cited by"),
    ("related-papers", "Related papers"),
)

_HEADING = re.compile(r'<h2 id="([^"]+)"')


def shell_markdown() -> str:
    """The shell page's Markdown: the title and section headings between two markers."""
    sections = "\n\n".join(f"## {title}" for _, title in PAPER_SECTIONS)
    return (
        f"---\ntitle: {SHELL_TITLE}\nhide: [navigation]\n---\n\n"
        f"{_START}\n\n# {SHELL_TITLE}\n\n{sections}\n\n{_END}\n"
    )


@dataclass(frozen=True)
class Shell:
    """The built shell page cut around its article: `head` + article + `tail`."""

    head: str
    tail: str

    def fill(self, paper_id: str, title: str, article: str) -> str:
        """The page of `paper_id`: `title` and `article` are HTML, already escaped."""
        url = f"papers/{paper_id}/"
        # NOTE: the URL first, so that a title that happens to hold the shell's URL stays as is.
        head = self.head.replace(SHELL_URL, url).replace(SHELL_TITLE, title)
        return head + article + self.tail.replace(SHELL_URL, url)


def parse_shell(page: str) -> Shell | str:
    """The shell of a built shell page, or why the page cannot serve as one.

    The article's headings must be the paper sections in order, or the table of contents the
    theme made would point at sections the paper pages do not have.
    """
    start, end = page.find(_START), page.find(_END)
    if start < 0 or end < start or page.count(_START) != 1:
        return "the builder dropped the shell page's markers"
    article = page[start:end]
    found = tuple(_HEADING.findall(article))
    expected = tuple(anchor for anchor, _ in PAPER_SECTIONS)
    if found != expected:
        return f"the shell page's sections are {found}, expected {expected}"
    return Shell(page[:start], page[end + len(_END) :])
