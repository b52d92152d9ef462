"""Prose that relates papers instead of listing them, for the survey and related-work exports.

A scope (a category, or any selection of records) is discussed by method: the papers are
grouped by the method they use first, groups in lineage and time order (a method's family,
oldest work first, then the methods extending it), each paper introduced once by its tldr.
Relations between records become sentences ("X extends Y: note"), the trade-off answers become
contrasts ("A and B work without training, whereas C trains a probe"), and located results a
sentence of best reported values. `Said` remembers what a document has said, so nothing is said
twice: a paper is introduced once, a method described once, a relation stated once.

Every sentence the program writes opens with something particular to it (a method name, a
category name, a citation), so no formula repeats as an opener; the tests check this.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from kb.core.records import Answer, Paper
from kb.core.taxonomy import Property, Taxonomy, citation_groups
from kb.core.validate import KnowledgeBase
from kb.export.related_work import Format, Markup, leaf_papers, markup, method_family
from kb.graph.evidence import boards_of, gain, number_text

__all__ = [
    "RELATION_VERBS",
    "Group",
    "Said",
    "contrasts",
    "discussion",
    "method_groups",
    "open_problems",
    "overview_text",
    "paper_sentence",
    "related_work",
    "results_sentence",
]

RELATION_VERBS = {
    "extends": "extends",
    "improves-on": "improves on",
    "compares-with": "compares itself with",
    "contradicts": "contradicts",
    "reproduces": "reproduces",
    "applies": "applies",
}

# NOTE: more citations than this in one place read as a list; the rest are counted.
CITE_LIMIT = 4


@dataclass
class Said:
    """What a document has already said: papers introduced, methods described, relations."""

    papers: set[str] = field(default_factory=set)
    methods: set[str] = field(default_factory=set)
    relations: set[tuple[str, str, str]] = field(default_factory=set)


@dataclass(frozen=True)
class Group:
    """The papers of a scope whose first method is `method`, oldest first."""

    method: str
    papers: tuple[Paper, ...]


def _depth(taxonomy: Taxonomy, method: str) -> int:
    depth, seen = 0, {method}
    node = taxonomy.methods.get(method)
    while node is not None and node.extends and node.extends[0] not in seen:
        seen.add(node.extends[0])
        node = taxonomy.methods.get(node.extends[0])
        depth += 1
    return depth


def method_groups(taxonomy: Taxonomy, papers: Iterable[Paper]) -> list[Group]:
    """`papers` grouped by their first method, in lineage and time order.

    Families (methods sharing the root of their `extends` lineage) come in the order of their
    oldest paper; inside a family, a method comes after the methods it extends, then by its
    oldest paper. Papers inside a group are oldest first, then by id.
    """
    groups: dict[str, list[Paper]] = {}
    for paper in papers:
        groups.setdefault(paper.methods[0], []).append(paper)
    oldest = {m: min(p.year for p in members) for m, members in groups.items()}
    family_of = {m: method_family(taxonomy, m) for m in groups}
    family_oldest: dict[str, int] = {}
    for method, family in family_of.items():
        family_oldest[family] = min(family_oldest.get(family, oldest[method]), oldest[method])

    def order(method: str) -> tuple[int, str, int, int, str]:
        family = family_of[method]
        return (family_oldest[family], family, _depth(taxonomy, method), oldest[method], method)

    return [
        Group(m, tuple(sorted(groups[m], key=lambda p: (p.year, p.id))))
        for m in sorted(groups, key=order)
    ]


def _join(items: list[str]) -> str:
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _citing(ids: list[str], mark: Markup, named: set[str] | None = None) -> str:
    """Records as the subject of a sentence: their in-text citations, or a count of them with
    a few examples, preferring records `named` does not hold yet (and adding those shown)."""
    if len(ids) <= CITE_LIMIT:
        chosen = ids
    else:
        fresh = [i for i in ids if named is None or i not in named]
        chosen = sorted(
            (fresh + [i for i in ids if i not in fresh])[: CITE_LIMIT - 1], key=ids.index
        )
    if named is not None:
        named.update(chosen)
    if len(ids) <= CITE_LIMIT:
        return mark.cite_text(chosen)
    return mark.cite_text(chosen) + mark.text(f" and {len(ids) - len(chosen)} other records")


def _sentence(text: str) -> str:
    text = text.rstrip()
    return text if text.endswith((".", "!", "?")) else text + "."


def _with_citation(sentence: str, citation: str) -> str:
    body = sentence.rstrip()
    end = body[-1] if body and body[-1] in ".!?" else "."
    body = body[:-1] if body and body[-1] in ".!?" else body
    return f"{body} {citation}{end}"


def paper_sentence(paper: Paper, mark: Markup) -> str:
    """The record's tldr with its citation; without a tldr, its title does."""
    if paper.tldr:
        return _with_citation(mark.text(paper.tldr), mark.cite([paper.id]))
    return _with_citation(mark.text(f"{paper.title}."), mark.cite([paper.id]))


def overview_text(text: str, mark: Markup) -> str:
    """Curated prose with its `[@id]` citations written as citations of the format."""
    out: list[str] = []
    position = 0
    for start, end, ids in citation_groups(text):
        out.append(mark.text(text[position:start]))
        out.append(mark.cite(ids))
        position = end
    out.append(mark.text(text[position:]))
    return "".join(out)


def _relation_sentences(paper: Paper, kb: KnowledgeBase, mark: Markup, said: Said) -> Iterable[str]:
    """One sentence per relation type of `paper`: "A extends B: note", or for several targets
    "A compares itself with B and C: note on B [B]; note on C [C]"."""
    by_type: dict[str, list[tuple[str, str]]] = {}
    for relation in paper.relations:
        key = (paper.id, relation.type, relation.target)
        if relation.target not in kb.papers or key in said.relations:
            continue
        said.relations.add(key)
        by_type.setdefault(relation.type, []).append((relation.target, relation.note))
    for kind, targets in by_type.items():
        subject = f"{mark.cite_text([paper.id])} {mark.text(RELATION_VERBS[kind])} "
        if len(targets) == 1:
            target, note = targets[0]
            yield subject + mark.cite_text([target]) + mark.text(": " + _sentence(note))
            continue
        notes = "; ".join(
            mark.text(_sentence(note).rstrip(".")) + " " + mark.cite([target])
            for target, note in targets
        )
        yield subject + mark.cite_text([t for t, _ in targets]) + mark.text(": ") + notes + "."


def _group_paragraph(group: Group, kb: KnowledgeBase, mark: Markup, said: Said) -> str:
    taxonomy = kb.taxonomy
    method = taxonomy.methods.get(group.method)
    name = method.name if method else group.method
    parts = [mark.bold(mark.text(f"{name}."))]
    if method is not None and group.method not in said.methods:
        said.methods.add(group.method)
        parts.append(mark.text(_sentence(method.description)))
        parents = [taxonomy.methods[p].name for p in method.extends if p in taxonomy.methods]
        if parents:
            lowered = [p if p[1:2].isupper() else p[:1].lower() + p[1:] for p in parents]
            parts.append(mark.text(f"{name} builds on {_join(lowered)}."))
    for paper in group.papers:
        said.papers.add(paper.id)
        parts.append(paper_sentence(paper, mark))
        parts.extend(_relation_sentences(paper, kb, mark, said))
    return " ".join(parts)


def _answer_word(answer: Answer | None) -> str | None:
    if answer is None or not isinstance(answer.value, bool):
        return None
    return answer.word


def contrasts(
    papers: list[Paper], taxonomy: Taxonomy, scope: str, mark: Markup, most: int = 3
) -> str | None:
    """One sentence setting the records that answer a trade-off question yes against those
    answering no, for the (at most `most`) questions that split `papers` most evenly."""
    found: list[tuple[int, str, list[str], list[str], Property]] = []
    for prop in taxonomy.properties.values():
        if prop.answers or not prop.when_yes or not prop.when_no:
            continue
        split: dict[str, list[str]] = {"yes": [], "no": []}
        for paper in papers:
            word = _answer_word(paper.properties.get(prop.id))
            if word is not None:
                split[word].append(paper.id)
        if split["yes"] and split["no"]:
            balance = min(len(split["yes"]), len(split["no"]))
            found.append((-balance, prop.id, split["yes"], split["no"], prop))
    if not found:
        return None
    named: set[str] = set()
    clauses = [
        f"{_citing(yes, mark, named)} {mark.text(prop.when_yes or '')}, whereas "
        f"{_citing(no, mark, named)} {mark.text(prop.when_no or '')}"
        for _, _, yes, no, prop in sorted(found)[:most]
    ]
    return "; ".join(clauses) + "."


def results_sentence(
    papers: list[Paper], taxonomy: Taxonomy, scope: str, mark: Markup, most: int = 4
) -> str | None:
    """The best located result per benchmark and metric among `papers` (the top of their
    leaderboard), with its setting and its gain over the paper's own baseline, for the `most`
    benchmarks with most results."""
    boards = [board for found in boards_of(papers, taxonomy).values() for board in found]
    if not boards:
        return None
    chosen = sorted(boards, key=lambda b: (-len(b.entries), b.benchmark, b.metric.id))[:most]
    clauses: list[str] = []
    for position, board in enumerate(chosen):
        best = board.entries[0]
        result, metric = best.result, board.metric
        benchmark = taxonomy.benchmarks[board.benchmark]
        model = taxonomy.models[result.model].name if result.model in taxonomy.models else ""
        where = ", ".join(x for x in (model, result.setting or "") if x)
        count = len(board.entries)
        of = f", best of {count}" if count > 1 else ""
        improvement = gain(result, metric)
        gained = ""
        if improvement is not None:
            sign = "+" if improvement >= 0 else "-"
            gained = f", {sign}{abs(improvement)} over its own baseline"
        value = f"{number_text(result.value)} ({where}{of}{gained})"
        what = f"{benchmark.name} ({metric.name}, {metric.direction} is better)"
        if position == 0:
            clauses.append(
                mark.cite_text([best.paper])
                + mark.text(f" reports the best located value of {scope} on {what}: {value}")
            )
        else:
            clauses.append(
                mark.text(f"on {what} it is {value}, from ") + mark.cite_text([best.paper])
            )
    return "; ".join(clauses) + "."


def discussion(
    kb: KnowledgeBase, papers: list[Paper], scope: str, mark: Markup, said: Said
) -> list[str]:
    """Paragraphs on `papers` (those `said` has not introduced yet): one per method group,
    then the contrasts and the results of the scope."""
    fresh = [p for p in papers if p.id not in said.papers]
    paragraphs = [
        _group_paragraph(group, kb, mark, said) for group in method_groups(kb.taxonomy, fresh)
    ]
    closing = [
        sentence
        for sentence in (
            contrasts(papers, kb.taxonomy, scope, mark),
            results_sentence(papers, kb.taxonomy, scope, mark),
        )
        if sentence is not None
    ]
    if closing:
        paragraphs.append(" ".join(closing))
    return paragraphs


def open_problems(kb: KnowledgeBase, mark: Markup) -> list[str]:
    """One item per trade-off question whose shortcoming answer some records give: how many of
    the records answering it give that answer, and which."""
    items: list[str] = []
    for prop in kb.taxonomy.properties.values():
        if prop.open_problem is None or prop.answers:
            continue
        phrase = prop.when_yes if prop.open_problem else prop.when_no
        if not phrase:
            continue
        answered = [p for p in kb.papers.values() if _answer_word(p.properties.get(prop.id))]
        hit = sorted(
            (p for p in answered if p.properties[prop.id].value is prop.open_problem),
            key=lambda p: (-p.year, p.id),
        )
        if not hit:
            continue
        shown = [p.id for p in hit[:6]]
        more = (", namely " if len(hit) <= 6 else ", the newest of them ") + mark.cite(shown)
        items.append(
            mark.bold(mark.text(f"{prop.name}."))
            + mark.text(f" {len(hit)} of the {len(answered)} records answering the question ")
            + mark.text(f"{phrase}")
            + more
            + "."
        )
    return items


def related_work(
    kb: KnowledgeBase,
    leaf: str | None = None,
    ids: Iterable[str] = (),
    fmt: Format = "md",
) -> str:
    """Related-work paragraphs for a category (`leaf`) or for any records (`ids`), written
    like the survey's: the curators' overview, then the discussion.

    Args:
        kb: the knowledge base.
        leaf: a leaf id of taxonomy/perspectives.yaml; or None with `ids`.
        ids: record ids, for a selection instead of a category.
        fmt: "md" for pandoc Markdown (`[@id]`), "tex" for LaTeX with natbib (`\\citep{id}`).

    Returns:
        The text, paragraphs separated by blank lines, ending in a newline.
    """
    mark = markup(fmt)
    comment = "<!-- {} -->" if fmt == "md" else "% {}"
    if leaf is not None:
        node = kb.taxonomy.perspectives[leaf]
        papers = leaf_papers(kb, leaf)
        heading, scope, command = node.name, node.name.lower(), f"--category {leaf}"
        opening = (
            overview_text(node.overview, mark) if node.overview else mark.text(node.description)
        )
    else:
        chosen = list(dict.fromkeys(ids))
        papers = sorted((kb.papers[i] for i in chosen), key=lambda p: (p.year, p.id))
        heading, scope, command = "Selected work", "the selected work", "--ids " + ",".join(chosen)
        opening = None
    title = f"Related work: {heading}"
    head = f"## {mark.text(title)}" if fmt == "md" else f"\\section*{{{mark.text(title)}}}"
    blocks = [
        comment.format(f"Generated by `kb export related-work {command}`; edit freely."),
        head,
    ]
    if opening is not None:
        blocks.append(opening)
    if not papers:
        blocks.append(mark.text(f"No record of the knowledge base is filed under {leaf} yet."))
    blocks += discussion(kb, papers, scope, mark, Said())
    return "\n\n".join(blocks) + "\n"
