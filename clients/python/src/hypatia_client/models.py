"""Typed models of the Hypatia HTTP API, written by hand from its OpenAPI 3.1 description.

Every model is a frozen dataclass named after the component schema it mirrors (the schema's
name is in :data:`SCHEMAS`); its fields are the schema's properties, under the same names but
two (``StatusChange.from_``, since ``from`` is a Python keyword, and ``match_id`` for
``match``, a soft keyword). Required properties are
fields without a default; optional and nullable ones default to ``None`` (or an empty list when
the server leaves an empty list out). The test suite checks these against a live server's
``/openapi.json``, so a drift between the two fails a test instead of a user's program.

Answers are decoded with :meth:`Model.from_dict`, which ignores properties it does not know (a
newer server may add some) and raises :class:`DecodeError` naming the model and the property
when a required one is missing. Request bodies (:class:`NewHypothesis`, :class:`NewExperiment`,
:class:`StatusUpdate`, :class:`NewComparison`, :class:`NoveltyRequest`) are encoded with :meth:`Model.to_dict`, which
leaves out ``None`` values.

Enumerations are ``Literal`` string types (:data:`Mode`, :data:`GapKind`, ...), so values
compare with plain strings.
"""

from __future__ import annotations

import dataclasses
import sys
import types
import typing
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Literal, Optional, Tuple, Type, TypeVar, Union

__all__ = [
    "Mode",
    "GapKind",
    "HypothesisStatus",
    "RunStatus",
    "Stance",
    "Polarity",
    "ExtractedKind",
    "Clock",
    "DerivationRelation",
    "MetricDirection",
    "HypothesisSort",
    "SortOrder",
    "SCHEMAS",
    "ENUMS",
    "DecodeError",
    "Model",
    # answers
    "ErrorBody",
    "Stats",
    "Health",
    "NamedQuery",
    "Backup",
    "Reference",
    "Citation",
    "Hit",
    "SearchResults",
    "Context",
    "Quote",
    "ClaimQuote",
    "PaperEvidence",
    "Pointer",
    "Summary",
    "EvidencePack",
    "PassageSummary",
    "NoticeRef",
    "Extracted",
    "CitedWork",
    "LinkedPaper",
    "PaperRecord",
    "Deleted",
    "ConceptRef",
    "Evidence",
    "Gap",
    "ConceptLabel",
    "ConceptMatch",
    "YearSpan",
    "ConceptPaper",
    "ConceptNeighbour",
    "ConceptLink",
    "ConceptView",
    "QuotedEvidence",
    "StatusChange",
    "Metric",
    "Experiment",
    "Derivation",
    "Rating",
    "Plateau",
    "Hypothesis",
    "WrittenHypothesis",
    "Comparison",
    "Compared",
    "WrittenExperiment",
    "NearPaper",
    "NearHypothesis",
    "NearExperiment",
    "NoveltyReport",
    "PastRun",
    "Thresholds",
    "GateAnswer",
    "Duration",
    "StageTimes",
    "Location",
    "Failure",
    "IngestReport",
    "IngestProgress",
    "RowFailure",
    "ImportReport",
    # requests
    "GapArg",
    "DerivationArg",
    "NewHypothesis",
    "NewComparison",
    "NewExperiment",
    "StatusUpdate",
    "NoveltyRequest",
    "GateRequest",
    "Decision",
]

Mode = Literal["bm25", "vector", "hybrid"]
"""Which retriever ``/search`` and ``/findings`` use (schema ``Mode``)."""
GapKind = Literal["missing_link", "untested_combination", "open_question", "contested_claim"]
"""The kinds of research gaps (schema ``GapKind``)."""
HypothesisStatus = Literal["proposed", "testing", "supported", "refuted", "inconclusive"]
"""Where a hypothesis stands (schema ``HypothesisStatus``)."""
RunStatus = Literal["keep", "discard", "crash"]
"""What became of an experiment run (schema ``RunStatus``)."""
Stance = Literal["supports", "contradicts", "related"]
"""How a sentence stands to the question (schema ``Stance``)."""
Polarity = Literal["affirmative", "negative"]
"""Whether a sentence, as written, asserts or denies (schema ``Polarity``)."""
Clock = Literal["both", "valid"]
"""Which clocks ``as_of`` reads: the store as it stood then (``both``) or the literature by its
own dates (``valid``) (schema ``Clocks``)."""
ExtractedKind = Literal["mention", "claim", "result", "relation"]
"""What an item the extractor found in a paper is (schema ``ExtractedKind``)."""
Decision = Literal["proceed", "warn", "refuse"]
"""What ``/gate`` says of a proposed change (schema ``Decision``)."""
DerivationRelation = Literal["refines", "combines", "contradicts"]
"""How a hypothesis derives from an earlier one (schema ``DerivationRelation``)."""
MetricDirection = Literal["lower", "higher"]
"""Which way a metric improves: ``lower`` or ``higher`` is better (schema ``MetricDirection``)."""
HypothesisSort = Literal["recency", "rating", "evidence"]
"""What ``GET /hypotheses`` orders by (the ``sort`` parameter)."""
SortOrder = Literal["desc", "asc"]
"""Which end of a sort comes first (the ``order`` parameter)."""

ENUMS: Dict[str, Any] = {
    "Mode": Mode,
    "GapKind": GapKind,
    "HypothesisStatus": HypothesisStatus,
    "RunStatus": RunStatus,
    "Stance": Stance,
    "Polarity": Polarity,
    "Clocks": Clock,
    "Decision": Decision,
    "ExtractedKind": ExtractedKind,
    "DerivationRelation": DerivationRelation,
    "MetricDirection": MetricDirection,
}
"""Enumerations by the name of the schema they mirror (checked against the description)."""

SCHEMAS: Dict[str, Type["Model"]] = {}
"""Models by the name of the component schema they mirror."""

M = TypeVar("M", bound="Model")


class DecodeError(ValueError):
    """An answer does not have the shape the model expects (names the model and property)."""


def schema(name: str) -> Callable[[Type[M]], Type[M]]:
    """Register a model as the mirror of the component schema ``name``."""

    def register(cls: Type[M]) -> Type[M]:
        cls.__schema__ = name  # type: ignore[attr-defined]
        SCHEMAS[name] = cls
        return cls

    return register


def _json_name(f: dataclasses.Field) -> str:
    return f.metadata.get("json", f.name)


_UNION_TYPES: Tuple[Any, ...] = (Union,)
if sys.version_info >= (3, 10):
    _UNION_TYPES = (Union, types.UnionType)


def _decode(tp: Any, value: Any, where: str) -> Any:
    """``value`` (decoded JSON) as the type ``tp``; ``where`` names it in errors."""
    if value is None or tp is Any:
        return value
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in _UNION_TYPES:
        options = [a for a in args if a is not type(None)]
        for option in options:
            # Unions here are Optional[X] or str-or-object arguments: try models last.
            if dataclasses.is_dataclass(option) and not isinstance(value, dict):
                continue
            return _decode(option, value, where)
        return value
    if origin is Literal:
        return value
    if origin in (list, List):
        if not isinstance(value, list):
            raise DecodeError(f"{where}: expected a list, got {type(value).__name__}")
        return [_decode(args[0], v, f"{where}[{i}]") for i, v in enumerate(value)]
    if origin in (tuple, Tuple):
        if not isinstance(value, list):
            raise DecodeError(f"{where}: expected a list, got {type(value).__name__}")
        return tuple(_decode(a, v, f"{where}[{i}]") for i, (a, v) in enumerate(zip(args, value)))
    if origin in (dict, Dict):
        if not isinstance(value, dict):
            raise DecodeError(f"{where}: expected an object, got {type(value).__name__}")
        return {k: _decode(args[1], v, f"{where}.{k}") for k, v in value.items()}
    if isinstance(tp, type) and issubclass(tp, Model):
        return tp._from_dict(value, where)
    if tp is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


def _encode(value: Any) -> Any:
    if isinstance(value, Model):
        return value.to_dict()
    if isinstance(value, (list, tuple)):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        return {k: _encode(v) for k, v in value.items() if v is not None}
    return value


class Model:
    """Base of every model: decoding from and encoding to the server's JSON."""

    __schema__: str = ""

    @classmethod
    def from_dict(cls: Type[M], data: Dict[str, Any]) -> M:
        """Decode a JSON object of this model's schema; unknown properties are ignored."""
        return cls._from_dict(data, cls.__name__)

    @classmethod
    def _from_dict(cls: Type[M], data: Any, where: str) -> M:
        if not isinstance(data, dict):
            raise DecodeError(f"{where}: expected a {cls.__name__} object, got {type(data).__name__}")
        hints = typing.get_type_hints(cls)
        kwargs: Dict[str, Any] = {}
        for f in dataclasses.fields(cls):  # type: ignore[arg-type]
            name = _json_name(f)
            if name in data:
                kwargs[f.name] = _decode(hints[f.name], data[name], f"{where}.{name}")
            elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                raise DecodeError(f"{where}: the required property `{name}` is missing")
        return cls(**kwargs)

    def to_dict(self) -> Dict[str, Any]:
        """The JSON object of this model, without ``None`` values."""
        out: Dict[str, Any] = {}
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            value = getattr(self, f.name)
            if value is not None:
                out[_json_name(f)] = _encode(value)
        return out


# ---------------------------------------------------------------------------------------------
# Answers


@schema("ErrorBody")
@dataclass(frozen=True, kw_only=True)
class ErrorBody(Model):
    """The JSON body of every error answer."""

    code: str
    message: str


@schema("Stats")
@dataclass(frozen=True, kw_only=True)
class Stats(Model):
    """Counts of what the store holds."""

    papers: int
    records: int
    passages: int
    vectors: int
    triples: int


@schema("Health")
@dataclass(frozen=True, kw_only=True)
class Health(Model):
    """``GET /healthz``: the server is up; what it holds; the embedding model, when loaded."""

    status: Literal["ok"]
    stats: Stats
    embedder: Optional[str] = None


@schema("Grant")
@dataclass(frozen=True, kw_only=True)
class Grant(Model):
    """``GET /access``: the widest scope the caller's token (or no token) has."""

    scope: Literal["read", "write", "admin"]
    credential: str
    agents: Optional[List[str]] = None


@schema("NamedQuery")
@dataclass(frozen=True, kw_only=True)
class NamedQuery(Model):
    """``GET /queries``: one named SPARQL query the server runs (a file of ``queries/``).

    ``parameters`` are the variables its description says are bound, without ``?``: run over
    ``/sparql`` as it is, they match anything.
    """

    name: str
    description: str
    text: str
    parameters: List[str]


@schema("Backup")
@dataclass(frozen=True, kw_only=True)
class Backup(Model):
    """Where ``POST /admin/backup`` wrote a snapshot."""

    path: str
    stats: Stats


@schema("Reference")
@dataclass(frozen=True, kw_only=True)
class Reference(Model):
    """The bibliographic record of a paper, as a citation needs it."""

    iri: str
    key: str
    title: str
    authors: List[str]
    year: Optional[int] = None
    date: Optional[str] = None
    venue: Optional[str] = None
    doi: Optional[str] = None
    arxiv: Optional[str] = None
    pmid: Optional[str] = None
    pmcid: Optional[str] = None
    corpus_id: Optional[str] = None
    link: Optional[str] = None

    @property
    def doi_url(self) -> Optional[str]:
        """``https://doi.org/…`` for the DOI, when the paper has one."""
        return f"https://doi.org/{self.doi}" if self.doi else None

    @property
    def arxiv_url(self) -> Optional[str]:
        """``https://arxiv.org/abs/…`` for the arXiv id, when the paper has one."""
        return f"https://arxiv.org/abs/{self.arxiv}" if self.arxiv else None

    @property
    def pubmed_url(self) -> Optional[str]:
        """The PubMed page for the PubMed id, when the paper has one."""
        return f"https://pubmed.ncbi.nlm.nih.gov/{self.pmid}/" if self.pmid else None

    @property
    def pmc_url(self) -> Optional[str]:
        """The PubMed Central page for the PMC id, when the paper has one."""
        return f"https://www.ncbi.nlm.nih.gov/pmc/articles/{self.pmcid}/" if self.pmcid else None


@schema("Citation")
@dataclass(frozen=True, kw_only=True)
class Citation(Model):
    """A checkable citation of a passage: the paper, the verbatim quote and its offsets."""

    passage: str
    paper: Reference
    section: str
    quote: str
    start: int
    end: int
    version: Optional[str] = None


@schema("Hit")
@dataclass(frozen=True, kw_only=True)
class Hit(Model):
    """One search hit. ``retracted`` is true when a notice retracts the hit's paper."""

    rank: int
    score: float
    citation: Citation
    retracted: bool = False


@schema("SearchResults")
@dataclass(frozen=True, kw_only=True)
class SearchResults(Model):
    """The answer of ``/search``: hits best first."""

    mode: Mode
    hits: List[Hit]


@schema("Context")
@dataclass(frozen=True, kw_only=True)
class Context(Model):
    """A passage as context around a quote."""

    text: str
    start: int
    end: int


@schema("Quote")
@dataclass(frozen=True, kw_only=True)
class Quote(Model):
    """The sentences of one passage that answer a question, verbatim, with the passage around them."""

    passage: str
    iri: str
    section: str
    quote: str
    start: int
    end: int
    sentences: int
    relevance: float
    polarity: Polarity
    context: Context
    score: float
    stance: Optional[Stance] = None


@schema("ClaimQuote")
@dataclass(frozen=True, kw_only=True)
class ClaimQuote(Model):
    """A verbatim claim sentence with its polarity, hedging and (in findings) stance."""

    claim: str
    passage: str
    quote: str
    start: int
    end: int
    polarity: Polarity
    hedged: bool
    stance: Optional[Stance] = None


@schema("PaperEvidence")
@dataclass(frozen=True, kw_only=True)
class PaperEvidence(Model):
    """What one paper contributes to an evidence pack."""

    rank: int
    reference: Reference
    passages: List[Quote]
    claims: List[ClaimQuote]
    retracted: bool = False


@schema("Pointer")
@dataclass(frozen=True, kw_only=True)
class Pointer(Model):
    """A quote or claim of a pack, pointed at (``paper`` is the paper's rank in the pack)."""

    paper: int
    iri: str
    quote: str


@schema("Summary")
@dataclass(frozen=True, kw_only=True)
class Summary(Model):
    """Counts over an evidence pack."""

    papers: int
    passages: int
    supporting: int
    contradicting: int
    related: int
    unlabelled: int


@schema("EvidencePack")
@dataclass(frozen=True, kw_only=True)
class EvidencePack(Model):
    """The answer of ``/findings``: papers best first, contradicting evidence again on its own."""

    question: str
    papers: List[PaperEvidence]
    contradicting: List[Pointer]
    summary: Summary


@schema("PassageSummary")
@dataclass(frozen=True, kw_only=True)
class PassageSummary(Model):
    """A passage of a paper record."""

    key: str
    section: str
    start: int
    end: int
    text: str


@schema("NoticeRef")
@dataclass(frozen=True, kw_only=True)
class NoticeRef(Model):
    """One notice about a paper (retraction, correction, update, expression of concern)."""

    kind: str
    date: Optional[str] = None
    notice: Optional[str] = None
    recorded: Optional[str] = None


@schema("Extracted")
@dataclass(frozen=True, kw_only=True)
class Extracted(Model):
    """One item the extractor found in a paper, with its span in the canonical text.

    Which optional fields are set depends on ``kind``: mentions name a ``concept`` (``label``,
    ``concept_type``), claims a ``polarity`` and ``hedged``, results a ``metric``, ``value`` and
    ``unit``, relations a ``relation`` between ``head`` and ``tail``.
    """

    kind: ExtractedKind
    start: int
    end: int
    exact: str
    passage: str
    concept: Optional[str] = None
    label: Optional[str] = None
    concept_type: Optional[str] = None
    polarity: Optional[str] = None
    hedged: Optional[bool] = None
    metric: Optional[str] = None
    value: Optional[float] = None
    unit: Optional[str] = None
    relation: Optional[str] = None
    head: Optional[str] = None
    tail: Optional[str] = None


@schema("LinkedPaper")
@dataclass(frozen=True, kw_only=True)
class LinkedPaper(Model):
    """A stored paper on the other end of a citation."""

    iri: str
    key: str
    title: str
    year: Optional[int] = None


@schema("CitedWork")
@dataclass(frozen=True, kw_only=True)
class CitedWork(Model):
    """An entry of a paper's bibliography; ``resolved`` when it names a stored paper."""

    ordinal: int
    title: str
    year: Optional[int] = None
    venue: Optional[str] = None
    description: Optional[str] = None
    doi: Optional[str] = None
    resolved: Optional[LinkedPaper] = None


@schema("PaperRecord")
@dataclass(frozen=True, kw_only=True)
class PaperRecord(Reference):
    """``GET /papers/{id}``: the reference, the passages in order and the paper's triples.

    ``facts`` are (subject, predicate, object) in N-Triples term syntax; ``extracted`` what the
    extractor found (spans that verify against ``passages``); ``references`` its bibliography
    and ``cited_by`` the stored papers that cite it.
    """

    passages: List[PassageSummary]
    facts: List[List[str]]
    extracted: List[Extracted]
    references: List[CitedWork]
    cited_by: List[LinkedPaper]
    notices: List[NoticeRef] = field(default_factory=list)

    @property
    def retracted(self) -> bool:
        """Whether a notice retracts the paper."""
        return any(n.kind == "retraction" for n in self.notices)


@schema("Deleted")
@dataclass(frozen=True, kw_only=True)
class Deleted(Model):
    """What ``DELETE /papers/{id}`` removed."""

    key: str
    deleted: int


@schema("ConceptRef")
@dataclass(frozen=True, kw_only=True)
class ConceptRef(Model):
    """A concept a gap is about (``ctype``: Method, Task, Dataset, Metric, Material, OtherConcept)."""

    iri: str
    label: str
    ctype: str


@schema("Evidence")
@dataclass(frozen=True, kw_only=True)
class Evidence(Model):
    """A verbatim span behind a gap."""

    paper: str
    passage: str
    quote: str
    start: int
    end: int
    role: str
    year: Optional[int] = None


@schema("Gap")
@dataclass(frozen=True, kw_only=True)
class Gap(Model):
    """One research gap; ``score`` is comparable within a kind only."""

    kind: GapKind
    score: float
    explanation: str
    concepts: List[ConceptRef]
    evidence: List[Evidence]
    features: Dict[str, float]


@schema("ConceptLabel")
@dataclass(frozen=True, kw_only=True)
class ConceptLabel(Model):
    """A concept as a record names it."""

    iri: str
    label: Optional[str] = None


@schema("ConceptMatch")
@dataclass(frozen=True, kw_only=True)
class ConceptMatch(Model):
    """An extracted concept whose label matched ``GET /concepts`` (``key`` for :meth:`concept`)."""

    iri: str
    key: str
    label: str
    matched: str
    ctype: str
    papers: int


@schema("YearSpan")
@dataclass(frozen=True, kw_only=True)
class YearSpan(Model):
    """The first and last publication year of a concept's papers."""

    first: int
    last: int


@schema("ConceptPaper")
@dataclass(frozen=True, kw_only=True)
class ConceptPaper(Model):
    """A paper that mentions a concept (``retracted`` as of the view's year)."""

    key: str
    iri: str
    retracted: bool
    title: Optional[str] = None
    year: Optional[int] = None


@schema("ConceptNeighbour")
@dataclass(frozen=True, kw_only=True)
class ConceptNeighbour(Model):
    """A concept mentioned with another; ``weight`` counts the papers that mention both."""

    iri: str
    key: str
    label: str
    ctype: str
    weight: int
    papers: int


@schema("ConceptLink")
@dataclass(frozen=True, kw_only=True)
class ConceptLink(Model):
    """Two neighbours of a concept mentioned together by ``weight`` of its papers."""

    a: str
    b: str
    weight: int


@schema("ConceptView")
@dataclass(frozen=True, kw_only=True)
class ConceptView(Model):
    """A concept and its neighbourhood in the co-occurrence graph as of a year (``as_of``)."""

    iri: str
    key: str
    label: str
    alt_labels: List[str]
    ctype: str
    paper_count: int
    undated: int
    papers: List[ConceptPaper]
    neighbour_count: int
    neighbours: List[ConceptNeighbour]
    links: List[ConceptLink]
    as_of: Optional[int] = None
    years: Optional[YearSpan] = None


@schema("QuotedEvidence")
@dataclass(frozen=True, kw_only=True)
class QuotedEvidence(Model):
    """An evidence passage as it was when a hypothesis cited it."""

    passage: str
    paper: str
    quote: str
    start: int
    end: int
    content_hash: str
    paper_digest: str
    unchanged: bool


@schema("StatusChange")
@dataclass(frozen=True, kw_only=True)
class StatusChange(Model):
    """One change of a hypothesis' status (``from_`` is the JSON ``from``; none for the proposal)."""

    key: str
    to: HypothesisStatus
    time: str
    agent: str
    outcomes: List[str]
    from_: Optional[HypothesisStatus] = field(default=None, metadata={"json": "from"})
    note: Optional[str] = None


@schema("Metric")
@dataclass(frozen=True, kw_only=True)
class Metric(Model):
    """One metric of a run (also what :class:`NewExperiment` takes)."""

    name: str
    value: float
    unit: Optional[str] = None
    split: Optional[str] = None


@schema("Experiment")
@dataclass(frozen=True, kw_only=True)
class Experiment(Model):
    """A stored experiment run."""

    key: str
    iri: str
    description: str
    status: RunStatus
    agent: str
    time: str
    parameters: Dict[str, str]
    metrics: List[Metric]
    artefacts: List[str]
    code_version: Optional[str] = None
    hypothesis: Optional[str] = None
    notes: Optional[str] = None
    retracted_evidence: List[str] = field(default_factory=list)


@schema("Derivation")
@dataclass(frozen=True, kw_only=True)
class Derivation(Model):
    """One edge of a hypothesis' lineage: the hypothesis at the other end (key) and how the
    child derives from the parent."""

    hypothesis: str
    relation: DerivationRelation


@schema("Rating")
@dataclass(frozen=True, kw_only=True)
class Rating(Model):
    """A hypothesis' Elo rating (1200 before any comparison, K = 32, computed when read from
    every comparison in record-time order) and the comparisons behind it."""

    elo: float
    comparisons: int
    wins: int
    losses: int
    draws: int


@schema("Plateau")
@dataclass(frozen=True, kw_only=True)
class Plateau(Model):
    """Whether a hypothesis' runs have stopped improving one metric: ``plateaued`` when
    ``runs_since_best >= window`` runs (kept or discarded; crashes do not count) brought no gain
    above ``threshold`` over ``best``. ``direction_inferred`` says whether the direction came
    from the metric's name."""

    metric: str
    direction: MetricDirection
    direction_inferred: bool
    runs: int
    best: float
    best_run: str
    latest: float
    runs_since_best: int
    window: int
    threshold: float
    plateaued: bool
    split: Optional[str] = None


@schema("Hypothesis")
@dataclass(frozen=True, kw_only=True)
class Hypothesis(Model):
    """A stored hypothesis with its status history, experiments, lineage and rating.

    ``gap`` is the motivating gap's (kind, explanation), when there was one; ``derived_from``
    its parents and ``derivatives`` the hypotheses derived from it; ``evidence_count`` is what
    ``sort="evidence"`` orders by (evidence passages plus kept runs). ``history``,
    ``experiments`` and ``plateaus`` are empty in lists.
    """

    key: str
    iri: str
    statement: str
    agent: str
    created: str
    status: HypothesisStatus
    concepts: List[ConceptLabel]
    evidence: List[str]
    quoted_evidence: List[QuotedEvidence]
    derived_from: List[Derivation]
    derivatives: List[Derivation]
    rating: Rating
    evidence_count: int
    history: List[StatusChange]
    experiments: List[Experiment]
    plateaus: List[Plateau]
    gap: Optional[Tuple[str, Optional[str]]] = None
    retracted_evidence: List[str] = field(default_factory=list)


@schema("Written_Hypothesis")
@dataclass(frozen=True, kw_only=True)
class WrittenHypothesis(Model):
    """What ``POST /hypotheses`` did: the record, and whether it is new (``created``)."""

    record: Hypothesis
    created: bool


@schema("Comparison")
@dataclass(frozen=True, kw_only=True)
class Comparison(Model):
    """A stored pairwise comparison (``match_id`` is the JSON ``match``); for a draw, ``winner``
    and ``loser`` are just the two sides."""

    key: str
    iri: str
    winner: str
    loser: str
    draw: bool
    agent: str
    time: str
    rationale: Optional[str] = None
    match_id: Optional[str] = field(default=None, metadata={"json": "match"})


@schema("Compared")
@dataclass(frozen=True, kw_only=True)
class Compared(Model):
    """What ``POST /hypotheses/compare`` did: the record, whether it is new, and both
    hypotheses' ratings now."""

    record: Comparison
    created: bool
    winner_rating: Rating
    loser_rating: Rating


@schema("Written_Experiment")
@dataclass(frozen=True, kw_only=True)
class WrittenExperiment(Model):
    """What ``POST /experiments`` did: the record, and whether it is new (``created``)."""

    record: Experiment
    created: bool


@schema("NearPaper")
@dataclass(frozen=True, kw_only=True)
class NearPaper(Model):
    """A paper near an idea: its nearest passage, cited, and the claims in it."""

    similarity: float
    citation: Citation
    claims: List[ClaimQuote]


@schema("NearHypothesis")
@dataclass(frozen=True, kw_only=True)
class NearHypothesis(Model):
    """A past hypothesis near an idea."""

    similarity: float
    hypothesis: Hypothesis


@schema("NearExperiment")
@dataclass(frozen=True, kw_only=True)
class NearExperiment(Model):
    """A past experiment near an idea, with its outcome in a line."""

    similarity: float
    outcome: str
    experiment: Experiment


@schema("NoveltyReport")
@dataclass(frozen=True, kw_only=True)
class NoveltyReport(Model):
    """The answer of ``/novelty``: ``novelty`` is 1 − the highest similarity to anything stored."""

    idea: str
    novelty: float
    literature_similarity: float
    record_similarity: float
    summary: List[str]
    papers: List[NearPaper]
    hypotheses: List[NearHypothesis]
    experiments: List[NearExperiment]


@schema("PastRun")
@dataclass(frozen=True, kw_only=True)
class PastRun(Model):
    """A past run near a proposed change: ``repeat`` when the gate takes it for the same change
    (similar enough and told apart by no number or parameter, or with equal parameters)."""

    similarity: float
    repeat: bool
    same_numbers: bool
    same_parameters: Optional[bool] = None
    outcome: str
    experiment: Experiment


@schema("Thresholds")
@dataclass(frozen=True, kw_only=True)
class Thresholds(Model):
    """The similarity thresholds a gate answer was decided with."""

    refuse_at: float
    warn_at: float
    literature_at: float


@schema("GateAnswer")
@dataclass(frozen=True, kw_only=True)
class GateAnswer(Model):
    """The answer of ``/gate``: proceed, warn or refuse, with the runs and papers behind it."""

    decision: Decision
    reasons: List[str]
    runs: List[PastRun]
    literature: List[NearPaper]
    thresholds: Thresholds


@schema("Duration")
@dataclass(frozen=True, kw_only=True)
class Duration(Model):
    """A duration in whole seconds and nanoseconds."""

    secs: int
    nanos: int

    @property
    def seconds(self) -> float:
        """The duration in (fractional) seconds."""
        return self.secs + self.nanos / 1e9


@schema("StageTimes")
@dataclass(frozen=True, kw_only=True)
class StageTimes(Model):
    """Time spent in each ingest stage (they overlap)."""

    prepare: Duration
    extract: Duration
    embed: Duration
    write: Duration
    merge: Duration
    learned: Duration


@schema("Location")
@dataclass(frozen=True, kw_only=True)
class Location(Model):
    """Where in a source: a 1-based line and/or a byte offset."""

    line: Optional[int] = None
    byte: Optional[int] = None


@schema("Failure")
@dataclass(frozen=True, kw_only=True)
class Failure(Model):
    """A record or file that could not be ingested, and why."""

    source: str
    location: Location
    reason: str
    field: Optional[str] = None


@schema("IngestReport")
@dataclass(frozen=True, kw_only=True)
class IngestReport(Model):
    """What an ingest did."""

    files: int
    skipped_files: List[str]
    papers: int
    unchanged: int
    merged: int
    passages: int
    triples: int
    bytes: int
    failures: List[Failure]
    elapsed: Duration
    stages: StageTimes


@schema("IngestProgress")
@dataclass(frozen=True, kw_only=True)
class IngestProgress(Model):
    """A ``progress`` event of ``POST /papers`` as server-sent events: sent after each durable
    batch of papers."""

    papers: int
    failed: int
    passages: int
    records: int
    bytes: int
    elapsed_secs: float
    papers_per_sec: float
    file: str
    committed: List[str]


@schema("RowFailure")
@dataclass(frozen=True, kw_only=True)
class RowFailure(Model):
    """A row of an imported table that was not imported."""

    line: int
    message: str
    field: Optional[str] = None


@schema("ImportReport")
@dataclass(frozen=True, kw_only=True)
class ImportReport(Model):
    """What ``POST /experiments/import`` did."""

    rows: int
    imported: int
    already_present: int
    experiments: List[str]
    failures: List[RowFailure]


# ---------------------------------------------------------------------------------------------
# Requests


@schema("GapArg")
@dataclass(frozen=True, kw_only=True)
class GapArg(Model):
    """The gap behind a hypothesis, as ``/gaps`` returned it; build one with :meth:`from_gap`.

    ``concepts`` are concept IRIs or labels (or ``{"iri": ...}`` objects); ``evidence`` passage
    keys or IRIs (or ``{"passage": ...}`` objects).
    """

    kind: GapKind
    concepts: List[Union[str, Dict[str, Any]]] = field(default_factory=list)
    evidence: List[Union[str, Dict[str, Any]]] = field(default_factory=list)
    explanation: Optional[str] = None
    score: Optional[float] = None

    @classmethod
    def from_gap(cls, gap: Gap) -> "GapArg":
        """The argument for a gap ``/gaps`` returned."""
        return cls(
            kind=gap.kind,
            concepts=[c.iri for c in gap.concepts],
            evidence=[e.passage for e in gap.evidence],
            explanation=gap.explanation,
            score=gap.score,
        )


@schema("DerivationArg")
@dataclass(frozen=True, kw_only=True)
class DerivationArg(Model):
    """An earlier hypothesis (key or IRI) a new one derives from, and how."""

    hypothesis: str
    relation: DerivationRelation


@schema("NewHypothesis")
@dataclass(frozen=True, kw_only=True)
class NewHypothesis(Model):
    """A hypothesis an agent proposes (body of ``POST /hypotheses``)."""

    statement: str
    agent: str
    concepts: List[Union[str, Dict[str, Any]]] = field(default_factory=list)
    evidence: List[Union[str, Dict[str, Any]]] = field(default_factory=list)
    gap: Optional[GapArg] = None
    derived_from: List[DerivationArg] = field(default_factory=list)


@schema("NewComparison")
@dataclass(frozen=True, kw_only=True)
class NewComparison(Model):
    """A pairwise judgement of two hypotheses (body of ``POST /hypotheses/compare``);
    ``match_id`` is the JSON ``match``."""

    winner: str
    loser: str
    agent: str
    draw: bool = False
    rationale: Optional[str] = None
    match_id: Optional[str] = field(default=None, metadata={"json": "match"})


@schema("NewExperiment")
@dataclass(frozen=True, kw_only=True)
class NewExperiment(Model):
    """An experiment run an agent logs (body of ``POST /experiments``).

    ``time`` is a date or RFC 3339 date-time (now when absent); ``idempotency_key`` makes a
    retried request log the run once.
    """

    agent: str
    description: str
    status: RunStatus
    hypothesis: Optional[str] = None
    code_version: Optional[str] = None
    parameters: Dict[str, str] = field(default_factory=dict)
    metrics: List[Metric] = field(default_factory=list)
    notes: Optional[str] = None
    artefacts: List[str] = field(default_factory=list)
    time: Optional[str] = None
    idempotency_key: Optional[str] = None


@schema("StatusUpdate")
@dataclass(frozen=True, kw_only=True)
class StatusUpdate(Model):
    """A change of a hypothesis' status; supported and refuted need at least one outcome."""

    status: HypothesisStatus
    agent: str
    outcomes: List[str] = field(default_factory=list)
    note: Optional[str] = None


@schema("NoveltyRequest")
@dataclass(frozen=True, kw_only=True)
class NoveltyRequest(Model):
    """What ``POST /novelty`` checks."""

    idea: str
    k: Optional[int] = None
    as_of: Optional[str] = None
    clock: Optional[Clock] = None


@schema("GateRequest")
@dataclass(frozen=True, kw_only=True)
class GateRequest(Model):
    """What ``POST /gate`` decides on: a change about to be tried, and the caller's thresholds."""

    change: str
    parameters: Dict[str, str] = field(default_factory=dict)
    refuse_at: Optional[float] = None
    warn_at: Optional[float] = None
    literature_at: Optional[float] = None
    k: Optional[int] = None
