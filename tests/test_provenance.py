"""Every fact points at the exact sentence it came from."""

from typing import Any

from rdflib import Graph, URIRef
from rdflib.namespace import QB, RDF

from fazhi_graph.document import normalise
from fazhi_graph.namespaces import FZ, NIF

FACT_CLASSES = (
    QB.Observation,
    FZ.Problem,
    FZ.PlannedMeasure,
    FZ.InitiativeImplementation,
    FZ.Meeting,
    FZ.OversightActivity,
)


def test_every_sentence_quote_matches_the_text(seed_graph: Graph, seed_text: str) -> None:
    sentences = list(seed_graph.subjects(RDF.type, NIF.Sentence))
    assert len(sentences) > 100
    for s in sentences:
        begin = int(seed_graph.value(s, NIF.beginIndex))  # type: ignore[arg-type]
        end = int(seed_graph.value(s, NIF.endIndex))  # type: ignore[arg-type]
        assert seed_text[begin:end] == str(seed_graph.value(s, NIF.anchorOf))


def test_every_fact_has_a_sentence(seed_graph: Graph) -> None:
    for cls in FACT_CLASSES:
        for node in seed_graph.subjects(RDF.type, cls):
            targets = list(seed_graph.objects(node, FZ.statedIn))
            assert targets, f"{node} has no source sentence"
            for t in targets:
                assert (t, RDF.type, NIF.Sentence) in seed_graph


def test_every_observation_sentence_contains_its_number(seed_graph: Graph) -> None:
    count = 0
    for node in seed_graph.subjects(RDF.type, QB.Observation):
        surface = normalise(str(seed_graph.value(node, FZ.surfaceForm)))
        core = surface.lstrip("近约超过逾将接大")
        for s in seed_graph.objects(node, FZ.statedIn):
            quote = normalise(str(seed_graph.value(s, NIF.anchorOf)))
            assert core in quote, (core, quote)
            count += 1
    assert count >= 55


def test_iris_are_ascii_and_stable(seed_facts: Any) -> None:
    from fazhi_graph.rdf import to_graph

    g1, g2 = to_graph(seed_facts), to_graph(seed_facts)
    subjects = {s for s in g1.subjects() if isinstance(s, URIRef)}
    assert all(str(s).isascii() for s in subjects)
    assert set(g1) == set(g2)
