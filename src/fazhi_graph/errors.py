"""One error hierarchy for the whole library.

::

    FazhiError                      anything the library raises on purpose
    ├── ReportError                 a report file cannot be used
    │   ├── ReportFileError         missing, empty, unreadable or not UTF-8
    │   └── OffGenreError           readable, but not a 法治政府建设 report
    ├── CatalogueError              data/reports/reports.toml is missing or inconsistent
    ├── OntologyError               ontology/ or curated data does not parse
    ├── ValidationError             SHACL found violations (carries the report text)
    ├── StoreError                  the store cannot be opened, built or written
    │   └── StoreLockedError        another process holds the store
    ├── FormatError                 unknown serialisation format (lists the known ones)
    └── QueryError                  a SPARQL query is malformed or refused
        ├── QuerySyntaxError        the parser's message, with line and column
        ├── QueryRefusedError       a refused feature (update when read-only, SERVICE)
        └── QueryTimeoutError       the query ran past its time limit

Every message says what happened, why, and what to do.
"""

from __future__ import annotations


class FazhiError(Exception):
    """Base of every error the library raises on purpose."""


class ReportError(FazhiError):
    """A report file cannot be turned into a graph."""

    def __init__(self, path: str, problem: str) -> None:
        self.path = path
        self.problem = problem
        super().__init__(f"{path}: {problem}")


class ReportFileError(ReportError):
    """The report file is missing, empty, unreadable or not UTF-8."""


class OffGenreError(ReportError):
    """The file is readable text but not a rule-of-law government report."""


class CatalogueError(FazhiError):
    """The report catalogue is missing or inconsistent."""


class OntologyError(FazhiError):
    """The ontology, a vocabulary or curated data does not parse or is inconsistent."""


class ValidationError(FazhiError):
    """SHACL validation found violations."""

    def __init__(self, message: str, report_text: str = "") -> None:
        self.report_text = report_text
        super().__init__(message)


class StoreError(FazhiError):
    """The store cannot be opened, built or written."""


class StoreLockedError(StoreError):
    """Another process holds the store open for writing."""


class FormatError(FazhiError):
    """An unknown serialisation format was asked for."""

    def __init__(self, name: str, known: list[str]) -> None:
        self.name = name
        self.known = known
        super().__init__(f"unknown format {name!r}; available formats: {', '.join(known)}")


class QueryError(FazhiError):
    """A SPARQL query cannot be run."""


class QuerySyntaxError(QueryError):
    """The query does not parse; the message carries the parser's line and column."""


class QueryRefusedError(QueryError):
    """The query uses a feature this endpoint refuses (update when read-only, SERVICE)."""


class QueryTimeoutError(QueryError):
    """The query ran past its time limit."""
