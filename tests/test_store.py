"""Store backends, atomic writes, the version token, export round-trips and stats.

The same tests run against every registered backend (``store`` fixture); ``build_store`` is
on-disk by nature and is tested on its own.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib import BNode, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import QB, RDF, RDFS

from fazhi_graph import store as store_module
from fazhi_graph.errors import (
    FazhiError,
    FormatError,
    QuerySyntaxError,
    ReportFileError,
    StoreError,
    StoreLockedError,
)
from fazhi_graph.export import (
    export,
    get_format,
    known_formats,
    to_rdflib_dataset,
    to_rdflib_graph,
)
from fazhi_graph.namespaces import DATA, FZ, GRAPH, NIF
from fazhi_graph.stats import stats
from fazhi_graph.store import (
    META_GRAPH,
    UNVERSIONED,
    Store,
    available_backends,
    build_store,
    open_store,
)

G1 = str(GRAPH["report/alpha-2020"])
G2 = str(GRAPH["report/beta-2021"])
ONTOLOGY = str(GRAPH["ontology"])


def report_graph(tag: str, *, docs: int = 2, obs: int = 3, extra: int = 0) -> rdflib.Graph:
    """A small report-like graph with awkward literals and a few blank nodes."""
    g = rdflib.Graph()
    report = DATA[f"report/{tag}"]
    g.add((report, RDF.type, FZ.AnnualReport))
    g.add((report, FZ.reportingYear, Literal("2020", datatype=rdflib.XSD.gYear)))
    g.add((report, RDFS.label, Literal(f'{tag} 年度报告 "引号" \\ 反斜杠\n新行 𠀀', lang="zh")))
    for i in range(docs):
        doc = DATA[f"doc/{tag}/{i}"]
        g.add((doc, RDF.type, FZ.PolicyDocument))
        g.add((doc, RDFS.label, Literal(f"《{tag}办法{i}》", lang="zh")))
        g.add((report, FZ.mentions, doc))
    for i in range(obs):
        o = DATA[f"obs/{tag}/{i}"]
        g.add((o, RDF.type, QB.Observation))
        g.add((o, FZ.surfaceForm, Literal(f"{i}件")))
        g.add((o, FZ.ordinal, Literal(i, datatype=rdflib.XSD.integer)))
        g.add((o, FZ.numerator, Literal("72.7", datatype=rdflib.XSD.decimal)))
    sentence = DATA[f"text/{tag}/char/0-10"]
    g.add((sentence, RDF.type, NIF.Sentence))
    span = BNode()  # a couple of blank nodes, some nested
    g.add((sentence, FZ.about, span))
    g.add((span, RDFS.comment, Literal("blank")))
    inner = BNode()
    g.add((span, FZ.area, inner))
    g.add((inner, RDFS.label, Literal("inner", lang="en")))
    for i in range(extra):
        g.add((report, RDFS.seeAlso, DATA[f"extra/{tag}/{i}"]))
    return g


def ontology_graph() -> rdflib.Graph:
    g = rdflib.Graph()
    g.add((FZ.PolicyDocument, RDFS.label, Literal("policy document", lang="en")))
    g.add((FZ.PolicyDocument, RDFS.label, Literal("政策文件", lang="zh")))
    return g


def quad_set(store: Store, graph: str | None = None) -> set[str]:
    return {str(q) for q in store.quads(graph)}


def tree_digest(path: Path) -> dict[str, str]:
    return {
        str(p.relative_to(path)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(path.rglob("*"))
        if p.is_file()
    }


def leftovers(path: Path) -> list[str]:
    return sorted(p.name for p in path.parent.iterdir() if p.name.startswith(f".{path.name}."))


@pytest.fixture(params=[b for b in available_backends() if b != "remote"])  # remote: its own file
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    with open_store(tmp_path / "store", backend=request.param) as opened:
        yield opened


@pytest.fixture
def filled(store: Store) -> Store:
    store.replace_graph(G1, report_graph("alpha"))
    store.replace_graph(G2, report_graph("beta", docs=1, obs=5))
    store.replace_graph(ONTOLOGY, ontology_graph())
    return store


# --------------------------------------------------------------------------- registry


def test_registry_lists_backends() -> None:
    assert {"oxigraph", "memory"} <= set(available_backends())
    with pytest.raises(StoreError, match="available backends: memory, oxigraph, remote"):
        open_store(backend="nope")


def test_read_only_open_of_missing_store_says_build(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="fazhi-graph build"):
        open_store(tmp_path / "missing", read_only=True)
    assert not (tmp_path / "missing").exists()


# --------------------------------------------------------------------------- basics


def test_replace_graph_and_count(filled: Store) -> None:
    assert filled.count(G1) == len(report_graph("alpha"))
    assert filled.count(G2) == len(report_graph("beta", docs=1, obs=5))
    assert filled.graph_names() == sorted([G1, G2, ONTOLOGY, META_GRAPH])
    assert filled.count() == sum(filled.count(g) for g in filled.graph_names())
    assert filled.count("default") == 0


def test_replace_graph_replaces_only_that_graph(filled: Store) -> None:
    before_g2 = quad_set(filled, G2)
    filled.replace_graph(G1, report_graph("alpha", docs=0, obs=1))
    assert filled.count(G1) == len(report_graph("alpha", docs=0, obs=1))
    assert quad_set(filled, G2) == before_g2


def test_replace_graph_failure_leaves_previous_graph(filled: Store) -> None:
    before, version = quad_set(filled, G1), filled.version()
    bad = report_graph("alpha", docs=5)
    bad.add((URIRef("http://example.org/not an iri"), RDFS.label, Literal("x")))
    with pytest.raises(StoreError):
        filled.replace_graph(G1, bad)
    assert quad_set(filled, G1) == before
    assert filled.version() == version


def test_replace_graph_failure_in_meta_step_rolls_back(
    filled: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The drop, the insert and the meta rewrite are one transaction: a failure in the last
    step leaves the graph as it was."""
    before = quad_set(filled, G1)
    monkeypatch.setattr(store_module, "_meta_update", lambda *a, **k: "INSERT DATA { oops")
    with pytest.raises(StoreError):
        filled.replace_graph(G1, report_graph("alpha", docs=9))
    assert quad_set(filled, G1) == before


def test_readers_never_see_half_a_graph(store: Store) -> None:
    small, large = report_graph("alpha", extra=300), report_graph("alpha", extra=900)
    sizes = {len(small), len(large)}
    store.replace_graph(G1, small)
    seen: set[int] = set()
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            seen.add(store.count(G1))

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for i in range(20):
            store.replace_graph(G1, large if i % 2 == 0 else small)
    finally:
        stop.set()
        reader.join()
    assert seen <= sizes, f"a reader saw a partial graph: {sorted(seen - sizes)}"


def test_replace_graph_refuses_meta_and_bad_names(store: Store) -> None:
    for name in (META_GRAPH, "default", "not an iri"):
        with pytest.raises(StoreError):
            store.replace_graph(name, report_graph("x"))


def test_read_only_store_refuses_writes(tmp_path: Path) -> None:
    path = tmp_path / "store"
    build_store(path, [(G1, report_graph("alpha"))])
    with open_store(path, read_only=True) as ro:
        assert ro.count(G1) == len(report_graph("alpha"))
        with pytest.raises(StoreError, match="read-only"):
            ro.replace_graph(G1, report_graph("beta"))
        with pytest.raises(StoreError, match="read-only"):
            ro.update("CLEAR ALL")


def test_second_writer_gets_store_locked_error(tmp_path: Path) -> None:
    with open_store(tmp_path / "store"), pytest.raises(StoreLockedError, match="already open"):
        open_store(tmp_path / "store")


def test_closed_store_raises(tmp_path: Path) -> None:
    opened = open_store(backend="memory")
    opened.close()
    with pytest.raises(StoreError, match="closed"):
        opened.count()


# --------------------------------------------------------------------------- queries


def ask_count(store: Store, sparql: str, **options: object) -> int:
    result = store.query(sparql, **options)  # type: ignore[arg-type]
    assert isinstance(result, ox.QuerySolutions)
    return len(list(result))


def test_default_graph_is_the_union(filled: Store) -> None:
    q = f"SELECT ?d {{ ?d a <{FZ.PolicyDocument}> }}"
    assert ask_count(filled, q) == 3
    assert ask_count(filled, q, union_default=False) == 0
    assert ask_count(filled, q, default_graph=[G1]) == 2
    assert ask_count(filled, q, default_graph=[G1, G2]) == 3


def test_graph_clause(filled: Store) -> None:
    q = f"SELECT DISTINCT ?g {{ GRAPH ?g {{ ?d a <{FZ.PolicyDocument}> }} }}"
    result = filled.query(q)
    assert isinstance(result, ox.QuerySolutions)
    assert sorted(row["g"].value for row in result) == [G1, G2]  # type: ignore[union-attr]
    assert ask_count(filled, q, named_graphs=[G2]) == 1


def test_substitutions_and_prefixes(filled: Store) -> None:
    q = "SELECT ?d ?l { ?d a fz:PolicyDocument ; rdfs:label ?l }"
    subs = {"l": ox.Literal("《beta办法0》", language="zh")}
    prefixes = {"fz": str(FZ._NS), "rdfs": str(RDFS)}
    assert ask_count(filled, q, substitutions=subs, prefixes=prefixes) == 1


def test_bad_query_raises_query_syntax_error(store: Store) -> None:
    with pytest.raises(QuerySyntaxError) as info:
        store.query("SELECT WHERE {")
    assert isinstance(info.value, FazhiError)


def test_quads_of_one_graph_all_and_default(filled: Store) -> None:
    assert {q.graph_name.value for q in filled.quads(G1)} == {G1}  # type: ignore[union-attr]
    assert len(list(filled.quads())) == filled.count()
    assert list(filled.quads("default")) == []


# --------------------------------------------------------------------------- version


def test_version_changes_on_every_write(store: Store) -> None:
    versions = [store.version()]
    assert versions[0] == UNVERSIONED
    store.replace_graph(G1, report_graph("alpha"))
    versions.append(store.version())
    store.replace_graph(G1, report_graph("alpha"))  # same content: still a write
    versions.append(store.version())
    store.update(f"INSERT DATA {{ GRAPH <{G2}> {{ <{DATA['x']}> <{RDFS.label}> 'x' }} }}")
    versions.append(store.version())
    assert len(set(versions)) == len(versions), versions


def test_meta_graph_records_graph_hashes(filled: Store) -> None:
    result = filled.query(
        "SELECT ?g ?h { GRAPH ?m { ?g <http://purl.org/dc/terms/identifier> ?h } }",
        default_graph=["default"],
    )
    assert isinstance(result, ox.QuerySolutions)
    hashes = {row["g"].value: row["h"].value for row in result}  # type: ignore[union-attr]
    assert hashes[META_GRAPH] == filled.version()
    assert all(hashes[g].startswith("sha256:") for g in (G1, G2, ONTOLOGY))


def test_load_into_memory_copies_everything(filled: Store) -> None:
    memory = filled.load_into_memory()
    assert quad_set(memory) == quad_set(filled)
    assert memory.version() == filled.version()
    memory.replace_graph(G1, report_graph("gamma"))
    assert memory.version() != filled.version()


def test_store_normalises_derived_integer_datatypes(store: Store) -> None:
    """Characterisation of oxigraph 0.5: typed literals are stored in canonical form, and
    derived integer types (xsd:nonNegativeInteger, xsd:int) come back as xsd:integer. SHACL
    shapes that demand xsd:nonNegativeInteger therefore fail on stored data. If this test
    starts failing, oxigraph keeps datatypes now: update the shapes note in the report."""
    g = rdflib.Graph()
    g.add((DATA["s"], NIF.beginIndex, Literal("0", datatype=rdflib.XSD.nonNegativeInteger)))
    g.add((DATA["s"], NIF.endIndex, Literal("3.50", datatype=rdflib.XSD.decimal, normalize=False)))
    store.replace_graph(G1, g)
    objects = {q.object for q in store.quads(G1)}
    assert objects == {
        ox.Literal("0", datatype=ox.NamedNode(str(rdflib.XSD.integer))),
        ox.Literal("3.5", datatype=ox.NamedNode(str(rdflib.XSD.decimal))),
    }


# --------------------------------------------------------------------------- build_store


def test_build_store_writes_graphs_and_version(tmp_path: Path) -> None:
    path = tmp_path / "var" / "store"
    graphs = [(G1, report_graph("alpha")), (G2, report_graph("beta")), (ONTOLOGY, rdflib.Graph())]
    summary = build_store(path, graphs)
    assert summary.graphs == [G1, G2, ONTOLOGY]
    assert summary.triples[G1] == len(graphs[0][1])
    assert summary.total_triples == sum(len(g) for _, g in graphs)
    assert summary.seconds > 0
    with open_store(path, read_only=True) as built:
        assert built.version() == summary.version != UNVERSIONED
        assert built.graph_names() == sorted([G1, G2, ONTOLOGY, META_GRAPH])
        assert built.count(G2) == len(graphs[1][1])
    assert leftovers(path) == []


def test_build_store_replaces_previous_store(tmp_path: Path) -> None:
    path = tmp_path / "store"
    first = build_store(path, [(G1, report_graph("alpha"))])
    second = build_store(path, [(G2, report_graph("beta"))])
    assert first.version != second.version
    with open_store(path, read_only=True) as built:
        assert G1 not in built.graph_names()
        assert built.count(G2) == len(report_graph("beta"))
    assert leftovers(path) == []


def _previous_store(path: Path) -> tuple[dict[str, str], set[str], str]:
    build_store(path, [(G1, report_graph("alpha")), (G2, report_graph("beta"))])
    with open_store(path, read_only=True) as old:
        quads, version = quad_set(old), old.version()
    return tree_digest(path), quads, version


def _assert_unchanged(path: Path, before: tuple[dict[str, str], set[str], str]) -> None:
    digest, quads, version = before
    assert tree_digest(path) == digest, "the store's files changed"
    with open_store(path, read_only=True) as old:
        assert quad_set(old) == quads
        assert old.version() == version
    assert leftovers(path) == [], "a temporary directory was left behind"


def test_build_store_keeps_old_store_when_graphs_raise_midway(tmp_path: Path) -> None:
    path = tmp_path / "store"
    before = _previous_store(path)

    def graphs() -> Iterator[tuple[str, rdflib.Graph]]:
        yield G1, report_graph("gamma")
        raise ReportFileError("data/reports/bad.txt", "not UTF-8 (byte 3)")

    with pytest.raises(ReportFileError, match=r"bad\.txt"):
        build_store(path, graphs())
    _assert_unchanged(path, before)


def test_build_store_keeps_old_store_when_a_graph_is_invalid(tmp_path: Path) -> None:
    path = tmp_path / "store"
    before = _previous_store(path)
    bad = report_graph("gamma")
    bad.add((URIRef("http://example.org/not an iri"), RDFS.label, Literal("x")))
    with pytest.raises(StoreError, match=re.escape(G2)):
        build_store(path, [(G1, report_graph("gamma")), (G2, bad)])
    _assert_unchanged(path, before)


def test_build_store_keeps_old_store_on_interrupt(tmp_path: Path) -> None:
    path = tmp_path / "store"
    before = _previous_store(path)

    def graphs() -> Iterator[tuple[str, rdflib.Graph]]:
        yield G1, report_graph("gamma")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        build_store(path, graphs())
    _assert_unchanged(path, before)


def test_build_store_refuses_duplicate_graphs(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="duplicate"):
        build_store(tmp_path / "s", [(G1, report_graph("a")), (G1, report_graph("b"))])
    assert not (tmp_path / "s").exists()
    assert leftovers(tmp_path / "s") == []


def test_build_store_refuses_to_replace_a_non_store_directory(tmp_path: Path) -> None:
    precious = tmp_path / "home"
    precious.mkdir()
    (precious / "thesis.txt").write_text("do not delete")
    with pytest.raises(StoreError, match="not a fazhi-graph store"):
        build_store(precious, [(G1, report_graph("a"))])
    assert (precious / "thesis.txt").read_text() == "do not delete"


# --------------------------------------------------------------------------- export

RDFLIB_FORMAT = {
    "turtle": "turtle",
    "trig": "trig",
    "nquads": "nquads",
    "ntriples": "nt",
    "jsonld": "json-ld",
    "rdfxml": "xml",
}


def exported(store: Store, fmt: str, graph: str | None = None) -> bytes:
    out = io.BytesIO()
    export(store, fmt, graph=graph, out=out)
    return out.getvalue()


def meta_graph(store: Store) -> rdflib.Graph:
    """The meta graph, read independently of the exporters (pyoxigraph N-Triples → rdflib)."""
    data = ox.serialize(
        (ox.Triple(q.subject, q.predicate, q.object) for q in store.quads(META_GRAPH)),
        format=ox.RdfFormat.N_TRIPLES,
    )
    return rdflib.Graph().parse(data=data, format="nt")


def expected_graphs(store: Store) -> dict[str, rdflib.Graph]:
    return {
        G1: report_graph("alpha"),
        G2: report_graph("beta", docs=1, obs=5),
        ONTOLOGY: ontology_graph(),
        META_GRAPH: meta_graph(store),
    }


def test_known_formats_and_aliases() -> None:
    rdf = ["turtle", "trig", "nquads", "ntriples", "jsonld", "rdfxml"]
    assert known_formats() == [*rdf, "csv", "graphml", "gexf"]  # tables and networks last
    for alias, name in [
        ("ttl", "turtle"),
        ("nq", "nquads"),
        ("nt", "ntriples"),
        ("json-ld", "jsonld"),
        ("xml", "rdfxml"),
        ("TURTLE", "turtle"),
    ]:
        assert get_format(alias).name == name
    assert {get_format(n).dataset for n in ("trig", "nquads")} == {True}


@pytest.mark.parametrize("fmt", list(RDFLIB_FORMAT))
def test_export_whole_store_round_trips(filled: Store, fmt: str) -> None:
    data = exported(filled, fmt)
    expected = expected_graphs(filled)
    if get_format(fmt).dataset:
        parsed = rdflib.Dataset()
        parsed.parse(data=data, format=RDFLIB_FORMAT[fmt])
        names = {str(c.identifier) for c in parsed.graphs() if len(c)}
        assert names == set(expected)
        for name, graph in expected.items():
            assert isomorphic(parsed.graph(URIRef(name)), graph), name
    else:
        parsed_graph = rdflib.Graph().parse(data=data, format=RDFLIB_FORMAT[fmt])
        union = rdflib.Graph()
        for graph in expected.values():
            union += graph
        assert isomorphic(parsed_graph, union)


@pytest.mark.parametrize("fmt", list(RDFLIB_FORMAT))
def test_export_one_graph_round_trips(filled: Store, fmt: str) -> None:
    data = exported(filled, fmt, graph=G2)
    if get_format(fmt).dataset:
        parsed = rdflib.Dataset()
        parsed.parse(data=data, format=RDFLIB_FORMAT[fmt])
        assert {str(c.identifier) for c in parsed.graphs() if len(c)} == {G2}
        back = parsed.graph(URIRef(G2))
    else:
        back = rdflib.Graph().parse(data=data, format=RDFLIB_FORMAT[fmt])
    assert isomorphic(back, report_graph("beta", docs=1, obs=5))


def test_turtle_is_prefixed_and_readable(filled: Store) -> None:
    text = exported(filled, "turtle", graph=G1).decode("utf-8")
    assert "@prefix fz: <https://w3id.org/fazhi-graph/ontology#> ." in text
    assert "fz:PolicyDocument" in text
    assert "ns1:" not in text
    assert "[" in text  # blank nodes nested, not _:labels


def test_line_formats_are_sorted_and_deduplicated(filled: Store) -> None:
    shared = rdflib.Graph()
    shared.add((DATA["shared"], RDFS.label, Literal("same triple in two graphs")))
    filled.replace_graph(str(GRAPH["report/x"]), shared)
    filled.replace_graph(str(GRAPH["report/y"]), shared)
    lines = exported(filled, "ntriples").decode("utf-8").splitlines()
    assert lines == sorted(lines)
    assert sum("same triple in two graphs" in line for line in lines) == 1
    quads = exported(filled, "nquads").decode("utf-8").splitlines()
    assert sum("same triple in two graphs" in line for line in quads) == 2


def test_unknown_format_lists_formats(filled: Store) -> None:
    with pytest.raises(FormatError) as info:
        exported(filled, "n3")
    assert info.value.known == known_formats()
    assert "turtle, trig, nquads, ntriples, jsonld, rdfxml" in str(info.value)


def test_unknown_graph_lists_graphs(filled: Store) -> None:
    with pytest.raises(StoreError) as info:
        exported(filled, "turtle", graph=str(GRAPH["report/nope"]))
    assert G1 in str(info.value) and G2 in str(info.value)
    assert "\n" not in str(info.value)


def test_rdflib_copies(filled: Store) -> None:
    assert isomorphic(to_rdflib_graph(filled, G1), report_graph("alpha"))
    assert len(to_rdflib_graph(filled)) == filled.count()  # no triple shared across graphs
    dataset = to_rdflib_dataset(filled)
    named = {str(g.identifier) for g in dataset.graphs() if len(g)}
    assert named == {G1, G2, ONTOLOGY, META_GRAPH}
    assert dataset.namespace_manager.store.namespace("fz") == URIRef(str(FZ._NS))


def test_store_module_export_wrapper(filled: Store) -> None:
    out = io.BytesIO()
    store_module.export(filled, "nt", graph=G1, out=out)
    assert len(out.getvalue().splitlines()) == len(report_graph("alpha"))


# --------------------------------------------------------------------------- stats


def test_stats_counts(filled: Store) -> None:
    result = stats(filled)
    assert result.version == filled.version()
    assert result.graphs[G1] == len(report_graph("alpha"))
    assert result.total_triples == filled.count()
    by_class = {c.curie: c for c in result.classes}
    assert by_class["fz:PolicyDocument"].instances == 3
    assert by_class["fz:PolicyDocument"].label == "policy document"
    assert by_class["qb:Observation"].instances == 8
    assert by_class["qb:Observation"].label is None
    reports = {r.graph: r for r in result.reports}
    assert set(reports) == {G1, G2}
    assert reports[G1].counts["fz:PolicyDocument"] == 2
    assert reports[G2].counts["qb:Observation"] == 5
    assert reports[G2].counts["fz:Problem"] == 0
    assert reports[G2].triples == len(report_graph("beta", docs=1, obs=5))
    assert list(reports[G1].counts) == list(result.main_classes)
    json.dumps(result.to_dict())  # JSON-ready


def test_stats_of_empty_store(store: Store) -> None:
    result = stats(store)
    assert result.graphs == {} and result.classes == () and result.reports == ()
    assert store_module.stats(store).total_triples == 0


def test_a_bulk_write_cut_before_its_hashes_is_repaired(tmp_path: Path) -> None:
    """add_graphs(atomic=False) writes triples with the bulk loader, then the hashes: a crash
    in between leaves graphs without a hash; repair drops the report graph (maybe partial)
    and re-hashes the shared graph (writes only add to it)."""
    from fazhi_graph.shared import SHARED_GRAPH
    from fazhi_graph.store import add_graphs, graph_hashes, ntriples_digest, repair_unhashed

    report = str(GRAPH["report/x-2020"])
    own = f"<{DATA['report/x-2020']}> <{RDF.type}> <{FZ.AnnualReport}> .\n".encode()
    shared = f"<{DATA['period/2020']}> <{RDFS.label}> \"2020\" .\n".encode()
    with open_store(tmp_path / "store") as store:
        add_graphs(store, {report: (own, ntriples_digest(own))}, seed="a", atomic=False,
                   merge={SHARED_GRAPH: shared})  # fmt: skip
        hashes = graph_hashes(store)
        assert hashes[report] == ntriples_digest(own) and SHARED_GRAPH in hashes
        assert repair_unhashed(store) == []  # nothing to repair after a whole write
        store.update(  # what a crash between the triples and their hashes leaves
            f"DELETE WHERE {{ GRAPH <{store_module.META_GRAPH}> {{ ?g ?p ?o }} }}"
        )
        assert sorted(repair_unhashed(store)) == sorted([report, SHARED_GRAPH])
        assert report not in store.graph_names()
        assert store.count(SHARED_GRAPH) == 1
        assert graph_hashes(store) == {SHARED_GRAPH: ntriples_digest(shared)}


def test_merging_several_documents_is_merging_them_one_write_after_another() -> None:
    """add_graphs(merge={g: [doc, doc, …]}) stores and hashes what one write per document
    stores and hashes (empty documents add nothing, as a write of one does)."""
    from fazhi_graph.shared import SHARED_GRAPH
    from fazhi_graph.store import add_graphs, graph_hashes, ntriples_digest

    docs = [f"<{DATA[f'period/{y}']}> <{RDFS.label}> \"{y}\" .\n".encode() for y in (2020, 2021)]
    reports = {str(GRAPH[f"report/x-{n}"]): f"<{DATA[f'report/x-{n}']}> <{RDF.type}> "
               f"<{FZ.AnnualReport}> .\n".encode() for n in range(2)}  # fmt: skip
    at_once, one_by_one = open_store(backend="memory"), open_store(backend="memory")
    for store in (at_once, one_by_one):
        add_graphs(store, {}, seed="s", merge={SHARED_GRAPH: docs[0]})  # a hash to chain on
    add_graphs(at_once, {g: (nt, ntriples_digest(nt)) for g, nt in reports.items()}, seed="a",
               merge={SHARED_GRAPH: [docs[1], b"", docs[0]]})  # fmt: skip
    for (graph, nt), doc in zip(reports.items(), (docs[1], docs[0]), strict=True):
        add_graphs(one_by_one, {graph: (nt, ntriples_digest(nt))}, seed="b",
                   merge={SHARED_GRAPH: doc})  # fmt: skip
    assert graph_hashes(at_once) == graph_hashes(one_by_one)
    for graph in (*reports, SHARED_GRAPH):
        assert set(at_once.quads(graph)) == set(one_by_one.quads(graph))
