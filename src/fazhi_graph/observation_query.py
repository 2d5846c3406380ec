"""One SPARQL builder for reading observations: the tables, the checks and the dashboard use it.

Every observation lives in its report's named graph. :func:`observation_query` selects ``?g``
(the graph), ``?o`` (the observation) and ``?v`` (its value) and, per field asked for, one
variable named as in :data:`FIELDS`, each bound through its own OPTIONAL (or required) pattern.

>>> print(observation_query("u", require=("ind",), order=False), end="")
SELECT ?g ?o ?v ?u ?ind WHERE {
  GRAPH ?g {
    ?o a qb:Observation ; sdmx-measure:obsValue ?v .
    ?o fz:indicator ?ind .
    OPTIONAL { ?o sdmx-attribute:unitMeasure ?u }
  }
}
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["FIELDS", "observation_query"]

FIELDS: dict[str, str] = {
    "u": "sdmx-attribute:unitMeasure",
    "mult": "sdmx-attribute:unitMult",
    "mw": "fz:measureWord",
    "ut": "schema:unitText",
    "q": "fz:valueQualifier",
    "t": "fz:statType",
    "dir": "fz:changeDirection",
    "period": "sdmx-dimension:refPeriod",
    "ind": "fz:indicator",
    "sf": "fz:surfaceForm",
    "place": "sdmx-dimension:refArea",
    "num": "fz:numerator",
    "den": "fz:denominator",
    "base": "fz:comparisonOf",
    "counted": "fz:countedThing",
    "work": "fz:area",
    "sent": "fz:statedIn",
}
"""Variable name → the observation's property it binds."""


def observation_query(
    *optional: str,
    require: Sequence[str] = (),
    inside: Sequence[tuple[str, str]] = (),
    outside: Sequence[tuple[str, str]] = (),
    order: bool = True,
) -> str:
    """A SELECT over every observation with the :data:`FIELDS` named in ``optional``/``require``.

    Args:
        optional: fields bound when the observation has them (one OPTIONAL each).
        require: fields every selected observation must have.
        inside: extra ``(variable, pattern)`` pairs matched inside the report's graph, e.g.
            ``("report", "OPTIONAL { ?report a fz:AnnualReport }")``.
        outside: the same, matched against the whole dataset (union of the graphs).
        order: sort the solutions by every variable, so results are deterministic.

    Raises:
        KeyError: a field is not one of :data:`FIELDS`.
    """
    fields = [*optional, *require]
    patterns = [f"    ?o {FIELDS[name]} ?{name} ." for name in require]
    patterns += [f"    OPTIONAL {{ ?o {FIELDS[name]} ?{name} }}" for name in optional]
    patterns += [f"    {pattern}" for _name, pattern in inside]
    names = ["g", "o", "v", *fields, *(n for n, _p in inside), *(n for n, _p in outside)]
    variables = " ".join(f"?{n}" for n in names)
    lines = [
        f"SELECT {variables} WHERE {{",
        "  GRAPH ?g {",
        "    ?o a qb:Observation ; sdmx-measure:obsValue ?v .",
        *patterns,
        "  }",
        *(f"  {pattern}" for _name, pattern in outside),
        "}" + (f" ORDER BY {variables}" if order else ""),
    ]
    return "\n".join(lines) + "\n"
