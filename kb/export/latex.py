"""Escaping untrusted text for LaTeX and BibTeX, so that it typesets as itself and runs nothing.

Every character TeX treats specially is replaced by a macro that prints it. A backslash becomes
`\\textbackslash{}`, so `\\input{...}`, `\\write18` or `\\catcode` in a record can only ever be
printed, never executed; `^` becomes `\\textasciicircum{}`, so TeX's `^^5c` character notation
cannot form either. Braces become `\\textbraceleft{}` and `\\textbraceright{}` rather than `\\{`
and `\\}`: BibTeX counts `\\{` as a brace, so an unbalanced brace in a title would otherwise break
the whole `.bib` file.

Non-ASCII text is kept as UTF-8 (`ascii=False`, for modern BibTeX tools and biber) or turned into
LaTeX accents and symbols (`ascii=True`, for legacy BibTeX and pdfLaTeX) with pylatexenc. Only
conversions known to compile with `LATEX_PREAMBLE` are used (a test compiles every one of them);
any other character is shown as its code point, e.g. `[U+1F600]`, rather than failing the build.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from functools import lru_cache

from pylatexenc.latexencode import unicode_to_latex

__all__ = [
    "ASCII_RANGES",
    "LATEX_PREAMBLE",
    "SPECIALS",
    "latex_char",
    "latex_escape",
    "latex_unescape",
]

# What each character special to TeX or BibTeX becomes; each replacement prints the character.
SPECIALS: dict[str, str] = {
    "\\": r"\textbackslash{}",
    "{": r"\textbraceleft{}",
    "}": r"\textbraceright{}",
    "$": r"\$",
    "&": r"\&",
    "#": r"\#",
    "^": r"\textasciicircum{}",
    "_": r"\_",
    "%": r"\%",
    "~": r"\textasciitilde{}",
}

# The packages every document we write loads; the accepted conversions compile with them.
LATEX_PREAMBLE = "\\usepackage[T1]{fontenc}\n\\usepackage{lmodern}\n\\usepackage{amssymb}\n"

# Unicode blocks whose pylatexenc conversions we use: Latin-1 Supplement, Latin Extended-A and B,
# Greek letters, general punctuation, arrows and mathematical operators.
ASCII_RANGES: tuple[tuple[int, int], ...] = (
    (0x00A0, 0x024F),
    (0x0391, 0x03C9),
    (0x2010, 0x205E),
    (0x2190, 0x21FF),
    (0x2200, 0x22FF),
)

# NOTE: characters in those ranges whose pylatexenc conversion needs a package we do not load
# (found by compiling every conversion once); they fall back to the code-point form.
_UNSUPPORTED = frozenset(
    chr(code)
    for code in (
        *(0x149, 0x195, 0x19E, 0x219C, 0x219D, 0x21C5, 0x21F5, 0x221F, 0x222C, 0x222D),
        *(0x222F, 0x2230, 0x2231, 0x223B, 0x223E, 0x2246, 0x224B, 0x224C, 0x2259, 0x225B),
        *(0x2278, 0x2279, 0x22A7, 0x22A8, 0x22AB, 0x22B6, 0x22B7, 0x22B9, 0x22BE, 0x22D8),
        *(0x22D9, 0x22E8, 0x22F0),
    )
)
# A few characters whose pylatexenc form is awkward in BibTeX or needs a package.
_OVERRIDES: dict[str, str] = {"\u2011": "-", "\u00a0": "~"}

_UNESCAPE = re.compile(
    r"\\textbackslash\{\}|\\textbraceleft\{\}|\\textbraceright\{\}|\\textasciicircum\{\}"
    r"|\\textasciitilde\{\}|\\[$&#_%]|[{}]|[^\\{}]+|\\"
)
_REVERSE = {value: key for key, value in SPECIALS.items()}
_NEWLINES = re.compile(r"\s*[\r\n]+\s*")

# pylatexenc logs every character it cannot convert; we handle those ourselves.
logging.getLogger("pylatexenc.latexencode").setLevel(logging.ERROR)


def _code_point(char: str) -> str:
    return f"\\texttt{{[U+{ord(char):04X}]}}"


@lru_cache(maxsize=4096)
def latex_char(char: str) -> str:
    """LaTeX for one non-ASCII character, safe to compile with `LATEX_PREAMBLE`.

    Args:
        char: a single character outside ASCII.

    Returns:
        A pylatexenc conversion in braces (`{\\"u}`) where one is known to compile, else the
        code point in typewriter type (`\\texttt{[U+1F600]}`).
    """
    if char in _OVERRIDES:
        return _OVERRIDES[char]
    code = ord(char)
    if char in _UNSUPPORTED or not any(low <= code <= high for low, high in ASCII_RANGES):
        return _code_point(char)
    converted: str = unicode_to_latex(
        char,
        non_ascii_only=True,
        replacement_latex_protection="braces-all",
        unknown_char_policy=lambda _: "",
    )
    return converted or _code_point(char)


class _AsciiTable(dict[int, str]):
    """A `str.translate` table that converts every non-ASCII character with `latex_char`."""

    def __missing__(self, code: int) -> str:
        return latex_char(chr(code))


# NOTE: `str.translate` replaces each character once, as a loop over the characters would: a
# replacement is never escaped again. The ASCII table maps every ASCII character (most to
# itself), so that only non-ASCII ones reach `__missing__`.
_SPECIALS_TABLE: dict[int, str] = {ord(char): value for char, value in SPECIALS.items()}
_ASCII_TABLE = _AsciiTable({code: chr(code) for code in range(128)} | _SPECIALS_TABLE)


def latex_escape(text: str, ascii: bool = True) -> str:
    """`text` as LaTeX (or BibTeX field content) that prints exactly `text` and runs nothing.

    Line breaks become single spaces: a blank line would end a paragraph, or a table cell.

    Args:
        text: untrusted text from a record or a vocabulary.
        ascii: convert non-ASCII characters to LaTeX (for pdfLaTeX and legacy BibTeX); when
            False they are kept as UTF-8 and `latex_unescape` inverts the result exactly.

    Returns:
        The escaped text.
    """
    if "\n" in text or "\r" in text:
        text = _NEWLINES.sub(" ", text)
    if not ascii or text.isascii():
        return text.translate(_SPECIALS_TABLE)
    return unicodedata.normalize("NFC", text).translate(_ASCII_TABLE)


def latex_unescape(text: str) -> str:
    """Invert `latex_escape(..., ascii=False)`, also dropping braces added for case protection.

    Used to check that BibTeX read back by a parser holds the record's own values.
    """
    parts: list[str] = []
    for match in _UNESCAPE.finditer(text):
        token = match.group(0)
        if token in _REVERSE:
            parts.append(_REVERSE[token])
        elif token in ("{", "}"):
            continue
        else:
            parts.append(token)
    return "".join(parts)
