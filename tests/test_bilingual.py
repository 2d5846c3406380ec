"""Every named entity of the seed has a Chinese, an English and a pinyin label."""

from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.namespace import ORG, RDF, RDFS, SKOS

from fazhi_graph.namespaces import FZ, GRAPH
from fazhi_graph.pipeline import curated_graph

NAMED = (
    FZ.PublicBody,
    FZ.InternalBody,
    FZ.CoordinatingBody,
    FZ.MediationOrganization,
    FZ.AdministrativeDivision,
    FZ.Venue,
    FZ.PolicyDocument,
    ORG.Post,
    FZ.Initiative,
)


@pytest.fixture(scope="module")
def labelled(seed_graph: Graph, root: Path) -> Graph:
    return seed_graph + curated_graph(root, [seed_graph])


def _langs(g: Graph, node: object) -> set[str]:
    return {
        str(o.language)
        for p in (SKOS.prefLabel, RDFS.label, SKOS.altLabel)
        for o in g.objects(node, p)  # type: ignore[arg-type]
        if getattr(o, "language", None)
    }


def test_every_named_entity_is_bilingual(labelled: Graph) -> None:
    checked = 0
    for cls in NAMED:
        for node in set(labelled.subjects(RDF.type, cls)):
            langs = _langs(labelled, node)
            assert {"zh", "en"} <= langs, (node, langs)
            checked += 1
    assert checked > 40


def test_names_have_pinyin(seed_graph: Graph) -> None:
    for cls in (FZ.PublicBody, FZ.AdministrativeDivision, FZ.Venue):
        for node in set(seed_graph.subjects(RDF.type, cls)):
            assert "zh-Latn-pinyin" in _langs(seed_graph, node), node


def test_curated_graph_has_provenance(labelled: Graph) -> None:
    from rdflib import URIRef
    from rdflib.namespace import PROV

    node = URIRef(str(GRAPH["curated"]))
    assert (node, RDF.type, PROV.Entity) in labelled
    assert labelled.value(node, PROV.wasDerivedFrom) is not None
