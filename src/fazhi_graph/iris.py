"""The few IRIs the store layer needs, as plain strings: importing this never imports rdflib.

:mod:`fazhi_graph.namespaces` builds the project's rdflib namespaces on these. The query
worker processes (:mod:`fazhi_graph.web.worker`) import :mod:`fazhi_graph.store` but not
rdflib, which would add about 15 MB to each of them.

>>> from fazhi_graph.namespaces import GRAPH
>>> str(GRAPH["meta"]) == META_GRAPH and str(GRAPH["report/"]) == REPORT_GRAPH_PREFIX
True
>>> from rdflib.namespace import DCTERMS, XSD
>>> (DCT_IDENTIFIER, DCT_MODIFIED, XSD_DATE_TIME) == (
...     str(DCTERMS.identifier), str(DCTERMS.modified), str(XSD.dateTime))
True
"""

from __future__ import annotations

BASE = "https://w3id.org/fazhi-graph/"
"""Root of every IRI the project mints (ontology, vocabularies, data)."""

GRAPH_BASE = BASE + "graph/"
"""Where the names of the named graphs start."""

REPORT_GRAPH_PREFIX = GRAPH_BASE + "report/"
"""What every report graph's name starts with (``…/graph/report/<report id>``)."""

META_GRAPH = GRAPH_BASE + "meta"
"""The named graph holding the version token and per-graph content hashes."""

DCT_IDENTIFIER = "http://purl.org/dc/terms/identifier"
DCT_MODIFIED = "http://purl.org/dc/terms/modified"
XSD_DATE_TIME = "http://www.w3.org/2001/XMLSchema#dateTime"
