"""Generate ``docs/queries.md``, the reference page of the saved research queries.

Everything on the page comes from the query files' headers (``# title@zh:``, ``# title@en:``,
``# description:``, ``# cq:``, ``# param:``) and from the competency questions and coverage
notes below, so the page cannot drift from the queries: ``tests/test_query_library.py``
regenerates it and compares.

Run ``python -m fazhi_graph.querydocs`` to rewrite the page, ``--check`` to only compare
(exit status 1 when it is out of date).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from fazhi_graph.sparql import ANY, SavedQuery, saved_queries

__all__ = ["COMPETENCY_QUESTIONS", "COVERAGE", "competency_numbers", "main", "render"]

ROOT = Path(__file__).resolve().parents[2]
"""The project checkout (``src/fazhi_graph/querydocs.py`` → two levels up)."""

COMPETENCY_QUESTIONS: dict[int, str] = {
    1: "Which bodies are responsible for implementations of initiatives under 放管服 "
    "(narrower*), by district and year, and in which sentences?",
    2: "What was the mediation success rate in 城东区 in 2020, with what numerator and "
    "denominator, and which sentence states it?",
    3: "Compare 负责人出庭率 across districts and years, with qualifier, as-of date and whether "
    "a denominator was stated.",
    4: "Which stated rates match numerator ÷ denominator within 0.1 pp?",
    5: "Which facts are stated more than once in a report, and are the values consistent?",
    6: "Which 《》 documents did a report say were 制定/印发/审议, by which body, of what type, "
    "at which meeting?",
    7: "Which documents recur across districts (upper-level policy versus local)?",
    8: "Which coordinating bodies were set up or adjusted in a year, and which post leads each "
    "ex officio?",
    9: "What does each report attribute to posts named 第一责任人 (meetings chaired, reports "
    "heard, lectures held)?",
    10: "How many 学法/专题讲座 sessions were held, by district and year?",
    11: "Which area gets the most facts per report?",
    12: "Which areas have S2 problems but no S4 measure addressing them?",
    13: "Which S4 measures of year t have a matching implementation or observation in year t+1?",
    14: "Which problems recur in consecutive reports of the same district?",
    15: "建议 and 提案 handled, with 办复率, per district and year; which reports give counts "
    "without rates?",
    16: "Which observations are year-on-year changes, and does the previous report contain the "
    "base value?",
    17: "行政复议 received / concluded / settled, and 应诉 cases with the 区政府 as defendant.",
    18: "Which townships, villages and communities are named, at what level, with which facts "
    "(e.g. 法律顾问 coverage in 乐家湾镇)?",
    19: "Which places were designated 法治小区 or 法治教育基地, and when?",
    20: "Which reports mention 枫桥经验, and what mediation network (center → 镇 → 村) do they "
    "describe?",
    21: "Numbers of certified enforcement staff, and the problems reported with 三项制度.",
    22: "Which values are hedged (近/余/约), and what range does each allow?",
    23: "Which facts from extractor version X lack a sentence whose anchorOf still matches the "
    "current source hash?",
    24: "Which districts first reported a national initiative (e.g. 证照分离), and in what year?",
    25: "Which reports follow the five parts of 督察规定 §24, and which lack S2 or S4?",
}
"""The competency questions of the design (``ONTOLOGY.md`` §5), numbered as there."""

ANSWERED = "answered"
PARTLY = "partly"

COVERAGE: dict[int, tuple[str, str]] = {
    1: (ANSWERED, "Bodies are those the implementation's sentence names as responsible; an "
        "implementation whose sentence names none is listed with an empty body."),
    2: (ANSWERED, "Give `--param area=城东区 --param year=2020`; without parameters the query "
        "compares every report."),
    3: (ANSWERED, "The as-of date exists only where the text says 截至 (`fz:asOf`); whether a "
        "denominator was stated is `fz:denominator` being present, never inferred."),
    4: (ANSWERED, "Only rates whose parts the extractor linked (`fz:numerator`, "
        "`fz:denominator`); a wrongly linked part shows up as an inconsistency to read."),
    5: (ANSWERED, "The same value stated twice is one observation with several sentences "
        "(`stated-twice`); different values for one indicator, period, statistic type and unit "
        "in one report are listed by `conflicting-values`."),
    6: (PARTLY, "Type, issuer (`fz:issuedBy`) and deliberating meeting (`fz:deliberatedAt`) "
        "are in the graph, but the verb (制定, 印发, 审议) is not: the extractor writes no "
        "document action, so the query gives the sentence to read it in."),
    7: (ANSWERED, "Titles are matched with full-width and half-width brackets made equal. The "
        "extractor shares only national laws across reports; an upper-level outline such as "
        "《法治政府建设实施纲要（2021—2025年）》 is stored once per area, so it recurs with scope "
        "`local` and several entities."),
    8: (PARTLY, "No change events are stored: set up versus adjusted is read from the words "
        "just before the body's name in the sentence (成立/组建/设立 versus 调整/充实). The "
        "lead post is known only where the extractor writes `fz:leadPost` (由…任组长)."),
    9: (ANSWERED, "Meetings chaired by a 第一责任人/主要负责人 post (`fz:chairedBy`) and every "
        "fact in a section typed as the first responsible persons' part. Reports heard (听取汇报) "
        "are not a typed activity: they appear as the meetings and sentences that state them."),
    10: (ANSWERED, "Sums the stated counts of the 学法 and 专题讲座 indicators (narrower ones "
         "included) for the report's own year."),
    11: (ANSWERED, "Counts observations, implementations, meetings, problems and measures per "
         "work area (`fz:area`)."),
    12: (ANSWERED, "A problem counts as addressed when a measure says so (`fz:addresses`) or "
         "when a measure is in its work area."),
    13: (ANSWERED, "Needs reports of the same issuer for consecutive years. The shipped "
         "catalogue holds one report per area, so the query returns nothing on it today; the "
         "tests use a fictional re-dated copy. Matching is by work area and by initiatives "
         "named in the measure, not by meaning."),
    14: (ANSWERED, "Needs consecutive reports of the same issuer (see 13). Problems match by "
         "work area; whether the wording is identical is a column. SPARQL cannot judge that "
         "two differently worded problems are the same."),
    15: (ANSWERED, "A reply rate stated once for suggestions and proposals together (办复率均为) "
         "is one value."),
    16: (ANSWERED, "The base value is looked for in the same report (a table's previous-year "
         "column) and in the issuer's report for the base year when the store holds it; "
         "otherwise only the base implied by the change is given."),
    17: (ANSWERED, "Cases with the government as defendant come from `fzi:litigation-as-defendant` "
         "or from a litigation count whose counted thing names 被告: the data model has no "
         "subject-body dimension (the optional `fz:subjectBody` of the design is not written)."),
    18: (ANSWERED, "Facts are the observations stated in the sentence that names the place."),
    19: (PARTLY, "Venues and their kind are in the graph; when they were designated is only the "
         "year of the report that names them (no designation date is extracted)."),
    20: (ANSWERED, "The network is the `org:subOrganizationOf` links the extractor writes "
         "(村调委会 → 镇调委会 → 区中心); organisations named without a parent are listed at "
         "level 1."),
    21: (ANSWERED, "Two queries: the staff numbers, and the problems whose sentence names 三项制度 "
         "(or a narrower initiative) or whose wording contains one of its names."),
    22: (ANSWERED, "The range follows the qualifier definitions in "
         "`ontology/vocab/qualifiers.ttl`; the upper bound of X余 (next step of the last "
         "non-zero digit) is a reading convention, stated in the query."),
    23: (ANSWERED, "Checked against the text stored in the graph: `anchorOf` against the text "
         "between the offsets, and SHA-256 of the stored text against the recorded source hash. "
         "A file changed on disk after ingest is caught by ingesting it again (which replaces "
         "the graph), not by a query."),
    24: (ANSWERED, "“First” is the first year among the reports in the store, not the first "
         "year ever."),
    25: (ANSWERED, "A part counts when a section at any level has its type; 其他 (S5) is "
         "reported but not required."),
}
"""How fully each competency question is answered, and what to know when reading the answer."""

_HEADER_LINE = re.compile(r"^\s*#")


def competency_numbers(query: SavedQuery) -> list[int]:
    """The competency questions a query answers, from its ``# cq:`` header line."""
    return [int(n) for n in re.findall(r"\d+", query.header.get("cq", ""))]


def _body(text: str) -> str:
    """The query text after its header comment lines."""
    lines = text.splitlines()
    i = 0
    while i < len(lines) and (not lines[i].strip() or _HEADER_LINE.match(lines[i])):
        i += 1
    return "\n".join(lines[i:]).rstrip() + "\n"


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return text.replace("|", "\\|").replace("\n", " ")


def _default(value: str) -> str:
    return "`*` (unbound: every value)" if value == ANY else f"`{value}`"


def render(queries: Mapping[str, SavedQuery]) -> str:
    """The whole Markdown page for ``queries`` (as returned by :func:`saved_queries`)."""
    by_cq: dict[int, list[str]] = {n: [] for n in COMPETENCY_QUESTIONS}
    for name, query in queries.items():
        for n in competency_numbers(query):
            by_cq.setdefault(n, []).append(name)
    out: list[str] = []
    add = out.append
    add("# Research query library")
    add("")
    add("<!-- Generated by `python -m fazhi_graph.querydocs` from the headers of queries/*.rq;"
        " do not edit by hand. -->")
    add("")
    add(f"{len(queries)} saved SPARQL queries in [`queries/`](../queries) answer the competency "
        "questions of the design across reports: most compare areas and years, and each row "
        "names the report it comes from and, for facts, the sentence that states it.")
    add("")
    add("## Running a query")
    add("")
    add("```sh")
    add("fazhi-graph query --list                                   # names, titles, parameters")
    add("fazhi-graph query compare-indicator                        # defaults")
    add("fazhi-graph query compare-indicator --param indicator=fzi:reply-rate --param year=2020")
    add("fazhi-graph query mediation-rate -p area=城东区 -p year=2020 --format csv")
    add("```")
    add("")
    add("In the web explorer, `/query?saved=NAME` opens a query in the editor and "
        "`/query/saved/NAME.rq?name=value` returns its runnable text. From Python:")
    add("")
    add("```python")
    add("from pathlib import Path")
    add("from fazhi_graph.sparql import bind, load_query, run_query")
    add("from fazhi_graph.store import open_store")
    add("")
    add('query = load_query("compare-indicator", Path("queries"))')
    add('text = bind(query, {"indicator": "fzi:mediation-success-rate", "year": "2020"})')
    add('with open_store(Path("var/store"), read_only=True) as store:')
    add('    print(run_query(store, text, fmt="csv"))')
    add("```")
    add("")
    add("## Parameters")
    add("")
    add("A header line `# param: name = default — meaning` declares a parameter; in the query it "
        "is the variable `?name`. The runner (`fazhi_graph.sparql.bind`) turns each value into a "
        "typed RDF term and puts `VALUES (?name …) { (term …) }` at the start of the query's "
        "outermost `WHERE` group. Values are never pasted into the query text: IRIs are "
        "validated and literals escaped by pyoxigraph. (pyoxigraph's own `substitutions=` "
        "accepts only variables of the `SELECT` projection, and parameters are mostly used in "
        "filters and joins.)")
    add("")
    add("- The default's form gives the kind: an IRI (`fzi:reply-rate`, any project prefix, or "
        "`<…>`), an integer, a decimal or text. A value must be of its parameter's kind.")
    add("- `*` leaves the variable unbound, which the queries read as *every* area, year, "
        "indicator …; the area and year filters are written `FILTER (!BOUND(?area) || …)`. "
        "Numeric parameters (thresholds) cannot be `*`.")
    add("- `area` is the Chinese name of the reporting area (城东区); `year` is the "
        "reporting year (2020). A query pasted elsewhere as it is runs with every parameter "
        "unbound.")
    add("")
    add("## Test data (fictional reports marked)")
    add("")
    add("`tests/test_query_library.py` runs every query with its defaults and checks expected "
        "rows on a store holding the real seed report (城东区人民政府, 2020) and the three "
        "sample reports in `tests/data/samples/` (fictional: 河阳区人民政府 2021, "
        "青禾县人民政府 2022 and 云川市司法局 2022). **The three sample reports are "
        "fictional** — realistic texts about governments that do not exist — and so is every "
        "figure from them. Questions about "
        "consecutive years are tested with a further **fictional** report: the 河阳区 text "
        "re-dated to 2022, with a few facts altered in its graph. None of the fictional reports "
        "is in the shipped catalogue.")
    add("")
    add("## Competency questions and the queries that answer them")
    add("")
    add("| # | Question | Queries | Answered | Notes |")
    add("|---|---|---|---|---|")
    for n, question in COMPETENCY_QUESTIONS.items():
        names = ", ".join(f"[`{q}`](#{q})" for q in sorted(by_cq.get(n, []))) or "—"
        status, note = COVERAGE.get(n, ("no", "No query answers it yet."))
        if not by_cq.get(n):
            status = "no"
        add(f"| {n} | {_cell(question)} | {names} | {status} | {_cell(note)} |")
    general = sorted(name for name, q in queries.items() if not competency_numbers(q))
    if general:
        add("")
        add("General-purpose queries (no single question): "
            + ", ".join(f"[`{q}`](#{q})" for q in general) + ".")
    add("")
    add("## What the data model cannot answer")
    add("")
    add("The questions marked *partly* need facts the extractor does not write (see "
        "[data-model.md](data-model.md)); the queries answer the rest and point to the "
        "sentence for the missing part rather than guess:")
    add("")
    for n, (status, note) in COVERAGE.items():
        if status == PARTLY:
            add(f"- **{n}.** {note}")
    add("- **13, 14 and the previous-report part of 16** compare a report with the same "
        "issuer's report of the year before. The queries answer them, but the shipped "
        "catalogue holds one report per area, so on it they return no pairs until more years "
        "are ingested.")
    add("")
    add("## The queries")
    for name, query in queries.items():
        add("")
        add(f"### {name}")
        add("")
        if query.title_zh:
            add(f"**{query.title_zh}**  ")
        if query.title_en:
            add(f"*{query.title_en}*")
        add("")
        if query.description:
            add(query.description)
            add("")
        numbers = competency_numbers(query)
        if numbers:
            add("Competency question" + ("s " if len(numbers) > 1 else " ")
                + ", ".join(str(n) for n in numbers) + ".")
            add("")
        if query.params:
            add("| Parameter | Default | Meaning |")
            add("|---|---|---|")
            for p in query.params:
                add(f"| `{p.name}` | {_cell(_default(p.default))} | {_cell(p.description)} |")
            add("")
        add(f"Run: `fazhi-graph query {name}"
            + "".join(f" [--param {p.name}=…]" for p in query.params) + "`")
        add("")
        add("```sparql")
        add(_body(query.text).rstrip())
        add("```")
    return "\n".join(out) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Write ``docs/queries.md`` (or, with ``--check``, say whether it is up to date)."""
    parser = argparse.ArgumentParser(prog="python -m fazhi_graph.querydocs", description=__doc__)
    parser.add_argument("--queries", type=Path, default=ROOT / "queries",
                        help="directory of saved queries (default: queries/)")
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "queries.md",
                        help="page to write (default: docs/queries.md)")
    parser.add_argument("--check", action="store_true",
                        help="only compare; exit status 1 when the page is out of date")
    args = parser.parse_args(argv)
    page = render(saved_queries(args.queries))
    current = args.output.read_text(encoding="utf-8") if args.output.exists() else None
    if args.check:
        if current != page:
            print(f"{args.output} is out of date; run python -m fazhi_graph.querydocs",
                  file=sys.stderr)
            return 1
        return 0
    if current != page:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(page, encoding="utf-8")
    print(f"{args.output}: {len(saved_queries(args.queries))} queries")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
