"""SPARQL 1.1 query results as rows of lexical values, or a pandas DataFrame.

The server answers SELECT and ASK queries in the W3C SPARQL 1.1 Query Results JSON Format
(``application/sparql-results+json``). :class:`SparqlResults` keeps that answer and gives it
as rows: one dict per solution, every variable of the head a key, each value the bound term's
lexical form (an IRI's string, a literal's lexical value, a blank node's label) or ``None``
when the variable is unbound there. The datatype and language tags stay available in
:attr:`SparqlResults.bindings`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

__all__ = ["SparqlResults"]


@dataclass(frozen=True)
class SparqlResults:
    """The answer of a SELECT (``vars``, ``bindings``) or ASK (``boolean``) query."""

    vars: List[str] = field(default_factory=list)
    bindings: List[Dict[str, Dict[str, Any]]] = field(default_factory=list)
    boolean: Optional[bool] = None

    @classmethod
    def from_json(cls, data: Dict[str, Any]) -> "SparqlResults":
        """Read a SPARQL 1.1 Query Results JSON document."""
        if not isinstance(data, dict) or "head" not in data:
            raise ValueError("not a SPARQL results JSON document: no `head`")
        if "boolean" in data:
            return cls(vars=[], bindings=[], boolean=bool(data["boolean"]))
        results = data.get("results")
        if not isinstance(results, dict) or not isinstance(results.get("bindings"), list):
            raise ValueError("not a SPARQL results JSON document: no `results.bindings`")
        return cls(vars=list(data["head"].get("vars", [])), bindings=results["bindings"])

    @property
    def rows(self) -> List[Dict[str, Optional[str]]]:
        """One dict per solution: variable → lexical value, ``None`` where unbound."""
        return [{v: (b[v]["value"] if v in b else None) for v in self.vars} for b in self.bindings]

    def __len__(self) -> int:
        return len(self.bindings)

    def __iter__(self):
        return iter(self.rows)

    def to_dataframe(self):
        """The rows as a pandas DataFrame, one column per variable (in the head's order).

        Needs pandas: ``pip install 'hypatia-client[pandas]'``.
        """
        try:
            import pandas as pd
        except ImportError as e:  # pragma: no cover - depends on the environment
            raise ImportError(
                "SparqlResults.to_dataframe needs pandas: pip install 'hypatia-client[pandas]'"
            ) from e
        if self.boolean is not None:
            raise ValueError("an ASK result has no rows to put in a DataFrame; read `.boolean`")
        return pd.DataFrame(self.rows, columns=self.vars)
