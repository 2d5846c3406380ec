"""Tidy exports: the observations table (records, DataFrame, CSV) and the entity network
(networkx, GraphML, GEXF), through the library, the export registry and the command line."""

from __future__ import annotations

import io
import sys
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import networkx as nx
import pandas as pd
import pyoxigraph as ox
import pytest
from typer.testing import CliRunner

from fazhi_graph.analysis import NODE_CLASSES, entity_network
from fazhi_graph.cli import app
from fazhi_graph.errors import FazhiError, StoreError
from fazhi_graph.export import export, get_format, known_formats
from fazhi_graph.namespaces import GRAPH
from fazhi_graph.store import Store, build_store
from fazhi_graph.tables import COLUMNS, observations, observations_frame

from .conftest import four_report_graphs

SEED_ID = "chengdongqu-2020"
SEED_GRAPH = str(GRAPH[f"report/{SEED_ID}"])


def count(store: Store, sparql: str) -> int:
    result = store.query(sparql, prefixes={"qb": "http://purl.org/linked-data/cube#"})
    assert isinstance(result, ox.QuerySolutions)
    n = next(iter(result))["n"]
    assert isinstance(n, ox.Literal)
    return int(n.value)


def n_observations(store: Store, graph: str | None = None) -> int:
    sparql = "SELECT (COUNT(DISTINCT ?o) AS ?n) { GRAPH ?g { ?o a qb:Observation } }"
    if graph is not None:
        sparql = sparql.replace("GRAPH ?g", f"GRAPH <{graph}>")
    return count(store, sparql)


def exported(store: Store, fmt: str, graph: str | None = None) -> bytes:
    out = io.BytesIO()
    export(store, fmt, graph=graph, out=out)
    return out.getvalue()


# --------------------------------------------------------------------------- records


@pytest.fixture(scope="module")
def records(four_report_store: Store) -> list[dict[str, Any]]:
    return observations(four_report_store)


def test_one_record_per_observation(
    four_report_store: Store, records: list[dict[str, Any]]
) -> None:
    assert len(records) == n_observations(four_report_store) > 200
    assert len({r["observation"] for r in records}) == len(records)
    assert all(list(r) == list(COLUMNS) for r in records)
    assert {r["report"] for r in records} == {
        SEED_ID,
        "heyangqu-2021",
        "qinghexian-2022",
        "yunchuanshi-sifaju-2022",
    }


def test_the_seed_mediation_rate(records: list[dict[str, Any]], seed_text: str) -> None:
    (r,) = [
        r
        for r in records
        if r["report"] == SEED_ID and r["value"] == Decimal("98.1") and r["unit"] == "PERCENT"
    ]
    assert (r["issuer"], r["area"], r["level"], r["year"]) == (
        "城东区人民政府",
        "城东区",
        "District",
        2020,
    )
    assert r["indicator"].endswith("/mediation-success-rate")
    assert r["indicator_id"] == "mediation-success-rate"
    assert r["indicator_zh"] and r["indicator_en"]
    assert (r["stat_type"], r["qualifier"], r["period"]) == ("Rate", "Exact", "2020")
    assert r["numerator"] and r["denominator"]
    assert "98.1%" in r["sentence"]
    assert seed_text[r["begin"] : r["end"]] == r["sentence"]
    assert r["sentences"] >= 1


def test_records_are_sorted_and_offsets_hold(records: list[dict[str, Any]]) -> None:
    keys = [(r["report"], r["begin"]) for r in records]
    assert keys == sorted(keys)
    assert all(r["end"] - r["begin"] == len(r["sentence"]) for r in records)
    assert all(isinstance(r["value"], Decimal) for r in records)
    mults = {r["unit_mult"] for r in records}
    assert None in mults and 4 in mults


def test_records_of_one_report(four_report_store: Store) -> None:
    one = observations(four_report_store, report=SEED_ID)
    assert len(one) == n_observations(four_report_store, SEED_GRAPH)
    assert {r["report"] for r in one} == {SEED_ID}
    assert observations(four_report_store, report=SEED_GRAPH) == one
    with pytest.raises(StoreError, match="its reports are: chengdongqu-2020"):
        observations(four_report_store, report="nowhere-1999")


def test_observations_frame(four_report_store: Store) -> None:
    frame = observations_frame(four_report_store)
    assert list(frame.columns) == list(COLUMNS)
    assert len(frame) == n_observations(four_report_store)
    assert frame["value"].dtype == "float64"
    assert str(frame["year"].dtype) == "Int64"
    seed = frame[frame["report"] == SEED_ID]
    assert 98.1 in seed["value"].tolist()


def test_observations_frame_without_pandas(
    four_report_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(FazhiError, match="pip install pandas"):
        observations_frame(four_report_store)


# --------------------------------------------------------------------------- CSV


def test_csv_opens_in_pandas(four_report_store: Store) -> None:
    data = exported(four_report_store, "csv")
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM, for Excel on Chinese Windows
    frame = pd.read_csv(io.BytesIO(data), encoding="utf-8")
    assert list(frame.columns) == list(COLUMNS)
    assert len(frame) == n_observations(four_report_store)
    assert "城东区人民政府" in set(frame["issuer"])
    assert (frame["end"] - frame["begin"] == frame["sentence"].str.len()).all()


def test_csv_of_one_report_graph(four_report_store: Store) -> None:
    frame = pd.read_csv(io.BytesIO(exported(four_report_store, "csv", graph=SEED_GRAPH)))
    assert len(frame) == n_observations(four_report_store, SEED_GRAPH)
    assert set(frame["report"]) == {SEED_ID}
    with pytest.raises(StoreError, match="not a report graph"):
        exported(four_report_store, "csv", graph=str(GRAPH["vocab"]))


def test_csv_keeps_stated_digits(four_report_store: Store) -> None:
    text = exported(four_report_store, "csv", graph=SEED_GRAPH).decode("utf-8-sig")
    assert ",98.1,PERCENT," in text
    assert "\r\n" in text


# --------------------------------------------------------------------------- entity network


@pytest.fixture(scope="module")
def network(four_report_store: Store) -> Any:
    return entity_network(four_report_store)


def test_entity_network_nodes(network: Any) -> None:
    kinds = Counter(d["kind"] for _n, d in network.nodes(data=True))
    assert set(kinds) == set(NODE_CLASSES.values())
    assert kinds["report"] == 4
    report = network.nodes[str(GRAPH[f"report/{SEED_ID}"]).replace("graph/report", "id/report")]
    assert report["class"] == "fz:AnnualReport"
    assert "城东区" in report["label"]
    for _node, data in network.nodes(data=True):
        assert set(data) == {"label", "label_zh", "label_en", "kind", "class", "reports"}
        assert data["label"]
        assert all(isinstance(v, str | int) for v in data.values())


def test_entity_network_edges(network: Any) -> None:
    curies = Counter(d["curie"] for *_e, d in network.edges(data=True))
    for expected in ("fz:reportingBody", "fz:issuedBy", "fz:jurisdiction", "fz:mentions"):
        assert curies[expected] >= 1, expected
    assert curies["fz:implements"] >= 1  # projected through fz:InitiativeImplementation
    keys = [k for _u, _v, k in network.edges(keys=True)]
    assert len(set(keys)) == len(keys)
    for _u, _v, data in network.edges(data=True):
        assert set(data) == {
            "property",
            "curie",
            "label",
            "label_zh",
            "label_en",
            "weight",
            "via",
            "reports",
        }
        assert all(isinstance(v, str | int) for v in data.values())
        assert data["weight"] >= 1


def test_shared_national_documents_link_several_reports(network: Any) -> None:
    shared = [
        n
        for n, d in network.nodes(data=True)
        if d["kind"] == "document" and "/doc/cn/" in n and d["reports"] >= 2
    ]
    assert shared, "no national law occurs in two reports"


def test_entity_network_of_one_report(four_report_store: Store, network: Any) -> None:
    one = entity_network(four_report_store, report=SEED_ID)
    assert 0 < one.number_of_nodes() < network.number_of_nodes()
    assert [d["kind"] for _n, d in one.nodes(data=True)].count("report") == 1
    assert all(SEED_ID in d["reports"] or not d["reports"] for *_e, d in one.edges(data=True))


def test_graphml_round_trips(four_report_store: Store, network: Any) -> None:
    data = exported(four_report_store, "graphml")
    back = nx.read_graphml(io.BytesIO(data), force_multigraph=True)
    assert isinstance(back, nx.MultiDiGraph)
    assert back.number_of_nodes() == network.number_of_nodes()
    assert back.number_of_edges() == network.number_of_edges()
    for node, attrs in network.nodes(data=True):
        assert back.nodes[node] == attrs
    for u, v, key, attrs in network.edges(keys=True, data=True):
        assert back.edges[u, v, key] == attrs


def test_gexf_reads_back(four_report_store: Store, network: Any) -> None:
    data = exported(four_report_store, "gexf")
    back = nx.read_gexf(io.BytesIO(data))
    assert back.number_of_nodes() == network.number_of_nodes()
    assert back.number_of_edges() == network.number_of_edges()
    node, attrs = next(iter(network.nodes(data=True)))
    assert back.nodes[node]["label"] == attrs["label"]
    assert back.nodes[node]["kind"] == attrs["kind"]


# --------------------------------------------------------------------------- registry and CLI


def test_formats_are_registered() -> None:
    assert known_formats()[-3:] == ["csv", "graphml", "gexf"]
    for name, media in [
        ("csv", "text/csv"),
        ("graphml", "application/graphml+xml"),
        ("gexf", "application/gexf+xml"),
    ]:
        fmt = get_format(name.upper())
        assert (fmt.name, fmt.media_type, fmt.rdf, fmt.dataset) == (name, media, False, False)
    assert get_format("turtle").rdf


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("tables") / "store"
    build_store(path, four_report_graphs())
    return path


@pytest.mark.parametrize("fmt", ["csv", "graphml", "gexf"])
def test_export_command(built: Path, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"out.{fmt}"
    result = CliRunner().invoke(
        app, ["export", "--format", fmt, "-o", str(out), "--store", str(built)]
    )
    assert result.exit_code == 0, result.output
    if fmt == "csv":
        frame = pd.read_csv(out)
        assert list(frame.columns) == list(COLUMNS) and len(frame) > 200
    elif fmt == "graphml":
        assert nx.read_graphml(out, force_multigraph=True).number_of_nodes() > 100
    else:
        assert nx.read_gexf(out).number_of_nodes() > 100


def test_export_help_lists_the_new_formats() -> None:
    result = CliRunner().invoke(app, ["export", "--help"], env={"COLUMNS": "200"})
    for name in ("csv", "graphml", "gexf"):
        assert name in result.output
