"""fazhi-graph: Chinese local governments' rule-of-law annual reports as a knowledge graph.

The public API, in pipeline order::

    text = read_report(path)                       # checks: UTF-8, not empty, of the genre
    facts = extract(text, meta)                    # Document + facts, every one with its span
    graph = to_graph(facts)                        # rdflib Graph, deterministic IRIs
    result = validate(graph)                       # SHACL against ontology/shapes.ttl
    graphs = dataset_graphs(project_root)          # every named graph of the dataset

Names are imported lazily so that ``import fazhi_graph`` stays cheap.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_API = {
    "Document": "fazhi_graph.document",
    "load_document": "fazhi_graph.document",
    "Facts": "fazhi_graph.facts",
    "ReportMeta": "fazhi_graph.facts",
    "extract": "fazhi_graph.extract",
    "read_report": "fazhi_graph.report",
    "to_graph": "fazhi_graph.rdf",
    "validate": "fazhi_graph.ontology",
    "dataset_graphs": "fazhi_graph.pipeline",
    "extract_file": "fazhi_graph.pipeline",
    "FazhiError": "fazhi_graph.errors",
    "Settings": "fazhi_graph.settings",
    "Store": "fazhi_graph.store",
    "open_store": "fazhi_graph.store",
    "build_store": "fazhi_graph.store",
    "build": "fazhi_graph.build",
    "export": "fazhi_graph.export",
    "stats": "fazhi_graph.stats",
}

__all__ = [*sorted(_API), "__version__"]


def __getattr__(name: str) -> Any:
    if name in _API:
        return getattr(importlib.import_module(_API[name]), name)
    raise AttributeError(f"module 'fazhi_graph' has no attribute {name!r}")
