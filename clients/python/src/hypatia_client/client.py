"""Sync and async clients of the Hypatia HTTP API.

Both clients have the same methods with the same arguments; :class:`HypatiaClient` returns
results, :class:`AsyncHypatiaClient` returns awaitables of them. Each method describes its
request (a :class:`_Call`: route, query, body, how to decode the answer) in the shared
:class:`_Api` base, and the two clients differ only in how they send it, so the two cannot
drift apart.

Routes come from :data:`OPERATIONS`, one entry per operation of the server's OpenAPI
description (by ``operationId``) with the query parameters the client may send; the test suite
checks that table against a live server's ``/openapi.json``, and every request checks its
parameters against the table.
"""

from __future__ import annotations

import os
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import (
    Any,
    Callable,
    Dict,
    Iterable,
    List,
    Mapping,
    Optional,
    Sequence,
    Tuple,
    Type,
    Union,
)

import httpx

from . import __version__
from .errors import HypatiaConnectionError, error_from_response
from .ingest import DEFAULT_CHUNK, ProgressCallback, Source, Upload, expand_paths
from .models import (
    Backup,
    Clock,
    Compared,
    ConceptMatch,
    ConceptView,
    DerivationArg,
    DerivationRelation,
    DecodeError,
    Deleted,
    EvidencePack,
    Experiment,
    Gap,
    GapArg,
    GapKind,
    Grant,
    Health,
    Hypothesis,
    HypothesisSort,
    HypothesisStatus,
    ImportReport,
    IngestReport,
    Metric,
    MetricDirection,
    Mode,
    Model,
    NamedQuery,
    NewComparison,
    NewExperiment,
    NewHypothesis,
    NoveltyReport,
    NoveltyRequest,
    GateAnswer,
    GateRequest,
    PaperRecord,
    RunStatus,
    SearchResults,
    SortOrder,
    StatusUpdate,
    WrittenExperiment,
    WrittenHypothesis,
)
from .sparql import SparqlResults

__all__ = ["HypatiaClient", "AsyncHypatiaClient", "Operation", "OPERATIONS", "DEFAULT_BASE_URL"]

DEFAULT_BASE_URL = "http://127.0.0.1:7878"
"""Where ``hypatia serve`` listens by default; ``HYPATIA_URL`` overrides it."""

SPARQL_RESULTS_JSON = "application/sparql-results+json"

# An idea longer than this goes to POST /novelty, so that the URL stays short.
_NOVELTY_GET_MAX = 1500


@dataclass(frozen=True)
class Operation:
    """One operation of the OpenAPI description, as the client calls it.

    Attributes:
        method: HTTP method.
        path: path template (``/papers/{id}``).
        query: the query parameters the client may send.
        client_method: the client method that calls it.
        body: the request body's model, for JSON bodies.
        answer: the model of the 2xx JSON answer (a list of it when ``many``), or ``None``
            for answers that are not one model (text, the OpenAPI document itself).
        many: whether the answer is a JSON array of ``answer``.
    """

    method: str
    path: str
    query: Tuple[str, ...]
    client_method: str
    body: Optional[Type[Model]] = None
    answer: Optional[Type[Model]] = None
    many: bool = False


_SEARCH_QUERY = ("q", "mode", "k", "year_from", "year_to", "section", "venue", "rerank", "as_of", "clock")
_FINDINGS_QUERY = (
    "q", "mode", "papers", "per_paper", "year_from", "year_to", "section", "venue",
    "include_retracted", "as_of", "clock",
)  # fmt: skip

OPERATIONS: Dict[str, Operation] = {
    "healthz": Operation("GET", "/healthz", (), "health", answer=Health),
    "openapi": Operation("GET", "/openapi.json", (), "openapi"),
    "metrics": Operation("GET", "/metrics", (), "metrics"),
    "access": Operation("GET", "/access", (), "access", answer=Grant),
    "named_queries": Operation("GET", "/queries", (), "named_queries", answer=NamedQuery, many=True),
    "search_handler": Operation("GET", "/search", _SEARCH_QUERY, "search", answer=SearchResults),
    "findings_handler": Operation("GET", "/findings", _FINDINGS_QUERY, "findings", answer=EvidencePack),
    "paper_handler": Operation("GET", "/papers/{id}", (), "paper", answer=PaperRecord),
    "delete_paper_handler": Operation("DELETE", "/papers/{id}", (), "delete_paper", answer=Deleted),
    "ingest_handler": Operation("POST", "/papers", ("name", "format"), "ingest", answer=IngestReport),
    "find_concepts": Operation("GET", "/concepts", ("q", "limit"), "concepts", answer=ConceptMatch, many=True),
    "get_concept": Operation("GET", "/concepts/{id}", ("as_of", "limit"), "concept", answer=ConceptView),
    "gaps_handler": Operation("GET", "/gaps", ("kind", "concept", "as_of", "limit"), "gaps", answer=Gap, many=True),
    "list_hypotheses": Operation(
        "GET",
        "/hypotheses",
        ("status", "agent", "flag", "sort", "order", "limit"),
        "hypotheses",
        answer=Hypothesis,
        many=True,
    ),
    "propose": Operation(
        "POST", "/hypotheses", (), "propose_hypothesis", body=NewHypothesis, answer=WrittenHypothesis
    ),
    "get_hypothesis": Operation(
        "GET",
        "/hypotheses/{id}",
        ("plateau_metric", "plateau_direction", "plateau_window", "plateau_threshold"),
        "hypothesis",
        answer=Hypothesis,
    ),
    "compare": Operation(
        "POST", "/hypotheses/compare", (), "compare_hypotheses", body=NewComparison, answer=Compared
    ),
    "set_status": Operation(
        "POST", "/hypotheses/{id}/status", (), "set_hypothesis_status", body=StatusUpdate, answer=Hypothesis
    ),
    "list_experiments": Operation(
        "GET",
        "/experiments",
        ("hypothesis", "status", "agent", "flag", "limit"),
        "experiments",
        answer=Experiment,
        many=True,
    ),
    "log_experiment": Operation(
        "POST", "/experiments", (), "log_experiment", body=NewExperiment, answer=WrittenExperiment
    ),
    "import": Operation(
        "POST",
        "/experiments/import",
        ("agent", "hypothesis", "name", "map", "delimiter"),
        "import_experiments",
        answer=ImportReport,
    ),
    "get_experiment": Operation("GET", "/experiments/{id}", (), "experiment", answer=Experiment),
    "novelty_get": Operation("GET", "/novelty", ("idea", "k", "as_of", "clock"), "novelty", answer=NoveltyReport),
    "novelty_post": Operation("POST", "/novelty", (), "novelty", body=NoveltyRequest, answer=NoveltyReport),
    "gate": Operation("POST", "/gate", (), "gate", body=GateRequest, answer=GateAnswer),
    "backup_handler": Operation("POST", "/admin/backup", (), "backup", answer=Backup),
}


@dataclass
class _Call:
    """One request, described independently of how it is sent."""

    method: str
    path: str
    decode: Callable[[httpx.Response], Any]
    params: List[Tuple[str, str]] = field(default_factory=list)
    json: Any = None
    content: Optional[Union[bytes, str]] = None
    upload: Optional[Upload] = None
    data: Optional[Dict[str, Any]] = None
    headers: Dict[str, str] = field(default_factory=dict)
    timeout: Any = None


def _query(op: Operation, values: Mapping[str, Any]) -> List[Tuple[str, str]]:
    """Query pairs for ``op``: ``None`` left out, booleans as true/false, lists repeated."""
    pairs: List[Tuple[str, str]] = []
    for name, value in values.items():
        if name not in op.query:
            raise ValueError(f"{op.method} {op.path} takes no query parameter `{name}`")
        if value is None:
            continue
        items = value if isinstance(value, (list, tuple)) else [value]
        for item in items:
            if isinstance(item, bool):
                pairs.append((name, "true" if item else "false"))
            else:
                pairs.append((name, str(item)))
    return pairs


def _segment(value: str) -> str:
    """A path parameter, percent-encoded whole (paper IRIs hold slashes and colons)."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"a key or IRI must be a non-blank string, got {value!r}")
    return urllib.parse.quote(value, safe="")


def _json_answer(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError as e:
        raise DecodeError(
            f"{response.request.method} {response.request.url}: the answer is not JSON "
            f"({response.headers.get('content-type', 'no content type')}): {response.text[:200]!r}"
        ) from e


def _model_answer(model: Type[Model], many: bool = False) -> Callable[[httpx.Response], Any]:
    def decode(response: httpx.Response) -> Any:
        data = _json_answer(response)
        where = f"{response.request.method} {response.request.url.path}"
        try:
            if many:
                if not isinstance(data, list):
                    raise DecodeError(f"expected a JSON array of {model.__name__}")
                return [model.from_dict(item) for item in data]
            return model.from_dict(data)
        except DecodeError as e:
            raise DecodeError(f"{where}: {e}") from e

    return decode


def _text_answer(response: httpx.Response) -> str:
    return response.text


def _sparql_answer(response: httpx.Response) -> SparqlResults:
    try:
        return SparqlResults.from_json(_json_answer(response))
    except ValueError as e:
        raise DecodeError(f"{response.request.method} {response.request.url.path}: {e}") from e


def _resolve_token(token: Optional[str]) -> Optional[str]:
    if token is None:
        token = os.environ.get("HYPATIA_TOKEN") or None
    return token or None


class _Api:
    """The API's methods, shared by both clients; each builds a :class:`_Call` and sends it."""

    def __init__(
        self,
        base_url: Optional[str] = None,
        *,
        token: Optional[str] = None,
        timeout: Union[float, httpx.Timeout, None] = 60.0,
        headers: Optional[Mapping[str, str]] = None,
    ) -> None:
        """Settings shared by both clients.

        Args:
            base_url: the server's root URL; ``HYPATIA_URL``, else ``http://127.0.0.1:7878``.
            token: a bearer token of ``hypatia serve --tokens``; ``HYPATIA_TOKEN`` when not
                given; ``""`` sends none even if the variable is set.
            timeout: seconds (or an ``httpx.Timeout``) for each request; uploads wait for the
                server's ingest without a read timeout.
            headers: extra headers sent with every request.
        """
        self.base_url = (base_url or os.environ.get("HYPATIA_URL") or DEFAULT_BASE_URL).rstrip("/")
        self._token = _resolve_token(token)
        self._timeout = timeout
        self._headers = {"User-Agent": f"hypatia-client-python/{__version__}", "Accept": "application/json"}
        if self._token:
            self._headers["Authorization"] = f"Bearer {self._token}"
        self._headers.update(headers or {})

    def __repr__(self) -> str:
        auth = "with a token" if self._token else "without a token"
        return f"{type(self).__name__}({self.base_url!r}, {auth})"

    # -- building calls ------------------------------------------------------------------

    def _send(self, call: _Call) -> Any:  # pragma: no cover - overridden
        raise NotImplementedError

    def _op(
        self,
        op_id: str,
        *,
        path: Optional[Mapping[str, str]] = None,
        query: Optional[Mapping[str, Any]] = None,
        body: Optional[Model] = None,
        decode: Optional[Callable[[httpx.Response], Any]] = None,
        **extra: Any,
    ) -> Any:
        op = OPERATIONS[op_id]
        url_path = op.path.format(**{k: _segment(v) for k, v in (path or {}).items()})
        if decode is None:
            decode = _model_answer(op.answer, op.many) if op.answer else _json_answer
        call = _Call(
            method=op.method,
            path=url_path,
            decode=decode,
            params=_query(op, query or {}),
            json=body.to_dict() if body is not None else None,
            **extra,
        )
        return self._send(call)

    # -- service -------------------------------------------------------------------------

    def health(self) -> Health:
        """``GET /healthz``: the store's counts and the embedding model, if loaded."""
        return self._op("healthz")

    def openapi(self) -> Dict[str, Any]:
        """``GET /openapi.json``: the server's OpenAPI 3.1 description, as a dict."""
        return self._op("openapi")

    def access(self) -> Grant:
        """``GET /access``: what this client's token (or no token) may do: its widest scope."""
        return self._op("access")

    def named_queries(self) -> List[NamedQuery]:
        """``GET /queries``: the named SPARQL queries the server runs, with their descriptions and
        the variables they expect bound: examples for :meth:`sparql`."""
        return self._op("named_queries")

    def metrics(self) -> str:
        """``GET /metrics``: Prometheus text."""
        return self._op("metrics", decode=_text_answer, headers={"Accept": "text/plain"})

    def backup(self) -> Backup:
        """``POST /admin/backup``: a snapshot in the server's ``--backup-dir`` (admin token)."""
        return self._op("backup_handler")

    # -- retrieval -----------------------------------------------------------------------

    def search(
        self,
        q: str,
        *,
        k: Optional[int] = None,
        mode: Optional[Mode] = None,
        year_from: Optional[int] = None,
        year_to: Optional[int] = None,
        section: Optional[str] = None,
        venue: Optional[str] = None,
        rerank: Optional[bool] = None,
        as_of: Optional[str] = None,
        clock: Optional[Clock] = None,
    ) -> SearchResults:
        """``GET /search``: passages, best first, each with a checkable citation.

        Args:
            q: the query (not blank).
            k: how many passages (1–1000; the server's default is 10).
            mode: ``bm25``, ``vector`` or ``hybrid`` (the default).
            year_from, year_to: publication years, inclusive.
            section, venue: restrict to a section label or a venue.
            rerank: re-score the first 100 hybrid passages with the learned reranker.
            as_of: the store as it stood then: a year, a date or an RFC 3339 date-time.
            clock: ``both`` (default) or ``valid`` (the literature by its own dates).
        """
        return self._op("search_handler", query=_strip_self(locals()))

    def findings(
        self,
        q: str,
        *,
        papers: Optional[int] = None,
        per_paper: Optional[int] = None,
        mode: Optional[Mode] = None,
        year_from: Optional[int] = None,
        year_to: Optional[int] = None,
        section: Optional[str] = None,
        venue: Optional[str] = None,
        include_retracted: Optional[bool] = None,
        as_of: Optional[str] = None,
        clock: Optional[Clock] = None,
    ) -> EvidencePack:
        """``GET /findings``: an evidence pack, the sentences that answer ``q`` grouped by paper.

        Retracted papers are left out unless ``include_retracted``; other arguments as
        :meth:`search` (``papers`` 1–50, ``per_paper`` 1–10).
        """
        return self._op("findings_handler", query=_strip_self(locals()))

    def findings_markdown(self, q: str, **options: Any) -> str:
        """The evidence pack of :meth:`findings` as Markdown with numbered footnotes."""
        return self._op(
            "findings_handler",
            query={"q": q, **options},
            decode=_text_answer,
            headers={"Accept": "text/markdown"},
        )

    def findings_jsonld(self, q: str, **options: Any) -> Dict[str, Any]:
        """The evidence pack of :meth:`findings` as JSON-LD (schema.org ``Quotation``, ``Claim``)."""
        return self._op(
            "findings_handler",
            query={"q": q, **options},
            decode=_json_answer,
            headers={"Accept": "application/ld+json"},
        )

    # -- papers --------------------------------------------------------------------------

    def paper(self, id: str) -> PaperRecord:
        """``GET /papers/{id}``: a paper by key or IRI, with its passages, facts and notices."""
        return self._op("paper_handler", path={"id": id})

    def delete_paper(self, id: str) -> Deleted:
        """``DELETE /papers/{id}``: remove a paper from all three indexes (write scope)."""
        return self._op("delete_paper_handler", path={"id": id})

    def _ingest_call(
        self,
        source: Source,
        name: Optional[str],
        format: Optional[str],
        progress: Optional[ProgressCallback],
        chunk_size: int,
        file_index: int = 0,
        file_count: int = 1,
    ) -> Dict[str, Any]:
        upload = Upload(source, name, progress, chunk_size, file_index, file_count)
        timeout = self._timeout
        if not isinstance(timeout, httpx.Timeout):
            timeout = httpx.Timeout(timeout)
        # The server answers once every paper is durable, which can take minutes.
        timeout = httpx.Timeout(connect=timeout.connect, read=None, write=timeout.write, pool=timeout.pool)
        return dict(
            query={"name": upload.name, "format": format},
            upload=upload,
            headers=upload.headers(),
            timeout=timeout,
        )

    def ingest(
        self,
        source: Source,
        *,
        name: Optional[str] = None,
        format: Optional[str] = None,
        progress: Optional[ProgressCallback] = None,
        chunk_size: int = DEFAULT_CHUNK,
    ) -> IngestReport:
        """``POST /papers``: ingest one file (or archive), streamed, never read whole.

        Args:
            source: a path, bytes, or a binary file object (read from its position).
            name: the upload's name (its folder names the collection of collection-local
                ids, e.g. ``scifact/corpus.jsonl``); the file's name by default.
            format: force a format (``beir``, ``jats``, ``pdf``, ...); detected by content
                otherwise.
            progress: called with an :class:`~hypatia_client.ingest.UploadProgress` before the
                first chunk and after each one.
            chunk_size: bytes per chunk.

        Needs write scope (a write token, or a server started with ``--writes``).
        """
        return self._op("ingest_handler", **self._ingest_call(source, name, format, progress, chunk_size))

    # -- research ------------------------------------------------------------------------

    def concepts(self, q: str, *, limit: Optional[int] = None) -> List[ConceptMatch]:
        """``GET /concepts``: extracted concepts whose label contains ``q``, best first."""
        return self._op("find_concepts", query=_strip_self(locals()))

    def concept(self, id: str, *, as_of: Optional[str] = None, limit: Optional[int] = None) -> ConceptView:
        """``GET /concepts/{id}``: a concept (key, IRI or label) with its papers and co-occurring
        neighbours as of a year, heaviest first."""
        return self._op("get_concept", path={"id": id}, query={"as_of": as_of, "limit": limit})

    def gaps(
        self,
        *,
        kind: Optional[GapKind] = None,
        concept: Optional[str] = None,
        as_of: Optional[str] = None,
        limit: Optional[int] = None,
    ) -> List[Gap]:
        """``GET /gaps``: research gaps with scores, explanations and verified evidence quotes."""
        return self._op("gaps_handler", query=_strip_self(locals()))

    def hypotheses(
        self,
        *,
        status: Optional[HypothesisStatus] = None,
        agent: Optional[str] = None,
        flag: Optional[str] = None,
        sort: Optional[HypothesisSort] = None,
        order: Optional[SortOrder] = None,
        limit: Optional[int] = None,
    ) -> List[Hypothesis]:
        """``GET /hypotheses``: stored hypotheses (``flag="retracted_evidence"`` for those to recheck).

        ``sort`` is ``recency`` (the default), ``rating`` (Elo) or ``evidence`` (evidence
        passages plus kept runs); ``order`` ``desc`` (the default) or ``asc``.
        """
        return self._op("list_hypotheses", query=_strip_self(locals()))

    def hypothesis(
        self,
        id: str,
        *,
        plateau_metric: Optional[str] = None,
        plateau_direction: Optional[MetricDirection] = None,
        plateau_window: Optional[int] = None,
        plateau_threshold: Optional[float] = None,
    ) -> Hypothesis:
        """``GET /hypotheses/{id}``: one hypothesis with its status history, experiments,
        lineage, rating, and per metric whether its runs have plateaued (no gain above
        ``plateau_threshold``, default 0, for ``plateau_window`` runs, default 5)."""
        query = _strip_self(locals())
        query.pop("id")
        return self._op("get_hypothesis", path={"id": id}, query=query)

    def compare_hypotheses(
        self,
        winner: str,
        loser: str,
        *,
        agent: str,
        draw: bool = False,
        rationale: Optional[str] = None,
        match: Optional[str] = None,
    ) -> Compared:
        """``POST /hypotheses/compare``: record that ``winner`` is better than ``loser`` (or,
        with ``draw``, neither) (write scope). Each call is a new match; with ``match`` (an id
        of yours) a retry returns the stored comparison (``created`` false), and another
        outcome under it raises :class:`~hypatia_client.errors.Conflict`."""
        body = NewComparison(
            winner=winner, loser=loser, agent=agent, draw=draw, rationale=rationale, match_id=match
        )
        return self._op("compare", body=body)

    def propose_hypothesis(
        self,
        statement: Union[str, NewHypothesis],
        agent: Optional[str] = None,
        *,
        concepts: Sequence[Union[str, Dict[str, Any]]] = (),
        evidence: Sequence[Union[str, Dict[str, Any]]] = (),
        gap: Union[Gap, GapArg, Dict[str, Any], None] = None,
        derived_from: Iterable[Union[DerivationArg, Tuple[str, DerivationRelation], Dict[str, Any]]] = (),
    ) -> WrittenHypothesis:
        """``POST /hypotheses``: record a hypothesis (write scope).

        Give a :class:`NewHypothesis`, or its fields: ``concepts`` are IRIs or labels,
        ``evidence`` passage keys or IRIs, ``gap`` a gap from :meth:`gaps`, ``derived_from``
        earlier hypotheses with how (``(key, "refines")``, a :class:`DerivationArg` or a dict).
        Proposing the same statement again as the same agent returns the stored record with
        ``created`` false.
        """
        if isinstance(statement, NewHypothesis):
            body = statement
        else:
            if agent is None:
                raise ValueError("propose_hypothesis: `agent` is required with a statement")
            if isinstance(gap, Gap):
                gap = GapArg.from_gap(gap)
            elif isinstance(gap, dict):
                gap = GapArg(**gap)
            parents = [
                d
                if isinstance(d, DerivationArg)
                else DerivationArg(**d)
                if isinstance(d, dict)
                else DerivationArg(hypothesis=d[0], relation=d[1])
                for d in derived_from
            ]
            body = NewHypothesis(
                statement=statement,
                agent=agent,
                concepts=list(concepts),
                evidence=list(evidence),
                gap=gap,
                derived_from=parents,
            )
        return self._op("propose", body=body)

    def set_hypothesis_status(
        self,
        id: str,
        status: HypothesisStatus,
        *,
        agent: str,
        outcomes: Sequence[str] = (),
        note: Optional[str] = None,
    ) -> Hypothesis:
        """``POST /hypotheses/{id}/status``: move a hypothesis (write scope).

        ``supported`` and ``refuted`` need at least one experiment key in ``outcomes``; a move
        the rules do not allow raises :class:`~hypatia_client.errors.Conflict`.
        """
        body = StatusUpdate(status=status, agent=agent, outcomes=list(outcomes), note=note)
        return self._op("set_status", path={"id": id}, body=body)

    def experiments(
        self,
        *,
        hypothesis: Optional[str] = None,
        status: Optional[RunStatus] = None,
        agent: Optional[str] = None,
        flag: Optional[str] = None,
        limit: Optional[int] = None,
    ) -> List[Experiment]:
        """``GET /experiments``: logged runs, filtered."""
        return self._op("list_experiments", query=_strip_self(locals()))

    def experiment(self, id: str) -> Experiment:
        """``GET /experiments/{id}``: one run."""
        return self._op("get_experiment", path={"id": id})

    def log_experiment(
        self,
        experiment: Optional[NewExperiment] = None,
        *,
        agent: Optional[str] = None,
        description: Optional[str] = None,
        status: Optional[RunStatus] = None,
        hypothesis: Optional[str] = None,
        code_version: Optional[str] = None,
        parameters: Optional[Mapping[str, Any]] = None,
        metrics: Iterable[Union[Metric, Dict[str, Any]]] = (),
        notes: Optional[str] = None,
        artefacts: Sequence[str] = (),
        time: Optional[str] = None,
        idempotency_key: Optional[str] = None,
    ) -> WrittenExperiment:
        """``POST /experiments``: log a run (write scope); a proposed hypothesis moves to testing.

        Give a :class:`NewExperiment`, or its fields (``agent``, ``description`` and
        ``status`` required). ``metrics`` are :class:`Metric` objects or dicts
        (``{"name": "val_bpb", "value": 1.02, "split": "val"}``); parameter values are sent as
        strings.
        """
        if experiment is None:
            missing = [n for n, v in (("agent", agent), ("description", description), ("status", status)) if v is None]
            if missing:
                raise ValueError(f"log_experiment: missing {', '.join(missing)}")
            experiment = NewExperiment(
                agent=agent,  # type: ignore[arg-type]
                description=description,  # type: ignore[arg-type]
                status=status,  # type: ignore[arg-type]
                hypothesis=hypothesis,
                code_version=code_version,
                parameters={k: str(v) for k, v in (parameters or {}).items()},
                metrics=[m if isinstance(m, Metric) else Metric(**m) for m in metrics],
                notes=notes,
                artefacts=list(artefacts),
                time=time,
                idempotency_key=idempotency_key,
            )
        return self._op("log_experiment", body=experiment)

    def import_experiments(
        self,
        table: Union[str, bytes, "os.PathLike[str]"],
        *,
        agent: Optional[str] = None,
        hypothesis: Optional[str] = None,
        name: Optional[str] = None,
        map: Optional[Mapping[str, str]] = None,
        delimiter: Optional[str] = None,
    ) -> ImportReport:
        """``POST /experiments/import``: a results table (autoresearch ``results.tsv``, or TSV/CSV with ``map``).

        ``table`` is the text, its bytes, or a path (``Path``) to a file of at most 16 MiB;
        ``map`` maps a column to a field (``{"loss": "metric"}``). Re-importing stores nothing
        twice.
        """
        if isinstance(table, os.PathLike):
            path = Path(table)
            name = name or path.name
            table = path.read_bytes()
        is_csv = delimiter in ("comma", ",") or (delimiter is None and (name or "").lower().endswith(".csv"))
        content_type = "text/csv" if is_csv else "text/tab-separated-values"
        pairs = [f"{column}={target}" for column, target in (map or {}).items()] or None
        query = {"agent": agent, "hypothesis": hypothesis, "name": name, "map": pairs, "delimiter": delimiter}
        return self._op(
            "import",
            query=query,
            content=table if isinstance(table, bytes) else str(table).encode("utf-8"),
            headers={"Content-Type": f"{content_type}; charset=utf-8"},
        )

    def novelty(
        self,
        idea: str,
        *,
        k: Optional[int] = None,
        as_of: Optional[str] = None,
        clock: Optional[Clock] = None,
    ) -> NoveltyReport:
        """``/novelty``: nearest papers, past hypotheses and runs, and a novelty score in [0, 1].

        Short ideas go by ``GET``, long ones by ``POST`` (same answer). ``as_of`` checks
        against the store as it stood then.
        """
        if len(idea) <= _NOVELTY_GET_MAX:
            return self._op("novelty_get", query={"idea": idea, "k": k, "as_of": as_of, "clock": clock})
        return self._op("novelty_post", body=NoveltyRequest(idea=idea, k=k, as_of=as_of, clock=clock))

    def gate(
        self,
        change: str,
        *,
        parameters: Optional[Dict[str, str]] = None,
        refuse_at: Optional[float] = None,
        warn_at: Optional[float] = None,
        literature_at: Optional[float] = None,
        k: Optional[int] = None,
    ) -> GateAnswer:
        """``POST /gate``: whether a change should run (``proceed``, ``warn`` or ``refuse``),
        with the nearest past runs and papers. Log the run afterwards so the next gate knows."""
        body = GateRequest(
            change=change,
            parameters=dict(parameters or {}),
            refuse_at=refuse_at,
            warn_at=warn_at,
            literature_at=literature_at,
            k=k,
        )
        return self._op("gate", body=body)

    # -- SPARQL (described by the W3C protocol, not by /openapi.json) --------------------

    def _sparql_query_call(
        self,
        query: str,
        accept: str,
        decode: Callable[[httpx.Response], Any],
        default_graph_uri: Sequence[str],
        named_graph_uri: Sequence[str],
    ) -> Any:
        params = [("default-graph-uri", g) for g in default_graph_uri] + [
            ("named-graph-uri", g) for g in named_graph_uri
        ]
        return self._send(
            _Call(
                "POST",
                "/sparql",
                decode,
                params=params,
                content=query.encode("utf-8"),
                headers={"Content-Type": "application/sparql-query", "Accept": accept},
            )
        )

    def sparql(
        self,
        query: str,
        *,
        default_graph_uri: Sequence[str] = (),
        named_graph_uri: Sequence[str] = (),
    ) -> SparqlResults:
        """A SPARQL 1.1 SELECT or ASK query; ``.rows`` gives dicts of lexical values,
        ``.to_dataframe()`` a pandas DataFrame, ``.boolean`` an ASK's answer."""
        return self._sparql_query_call(query, SPARQL_RESULTS_JSON, _sparql_answer, default_graph_uri, named_graph_uri)

    def sparql_rows(self, query: str, **options: Any) -> List[Dict[str, Optional[str]]]:
        """A SELECT query's solutions as dicts: variable → lexical value (``None`` where unbound)."""
        return self._sparql_query_call(
            query,
            SPARQL_RESULTS_JSON,
            lambda r: _sparql_answer(r).rows,
            options.get("default_graph_uri", ()),
            options.get("named_graph_uri", ()),
        )

    def sparql_dataframe(self, query: str, **options: Any):
        """A SELECT query's solutions as a pandas DataFrame (needs the ``pandas`` extra)."""
        return self._sparql_query_call(
            query,
            SPARQL_RESULTS_JSON,
            lambda r: _sparql_answer(r).to_dataframe(),
            options.get("default_graph_uri", ()),
            options.get("named_graph_uri", ()),
        )

    def sparql_graph(self, query: str, *, accept: str = "text/turtle", **options: Any) -> str:
        """A CONSTRUCT or DESCRIBE query's graph as text in ``accept`` (Turtle, N-Triples, ...)."""
        return self._sparql_query_call(
            query, accept, _text_answer, options.get("default_graph_uri", ()), options.get("named_graph_uri", ())
        )

    def sparql_update(self, update: str) -> None:
        """A SPARQL 1.1 Update, one transaction, durable on return (needs write scope)."""
        return self._send(
            _Call(
                "POST",
                "/sparql",
                lambda r: None,
                content=update.encode("utf-8"),
                headers={"Content-Type": "application/sparql-update"},
            )
        )


def _strip_self(values: Dict[str, Any]) -> Dict[str, Any]:
    return {k: v for k, v in values.items() if k not in ("self", "__class__")}


def _connection_error(call: _Call, url: str, e: httpx.TransportError) -> HypatiaConnectionError:
    kind = "timeout" if isinstance(e, httpx.TimeoutException) else "connection"
    return HypatiaConnectionError(kind, f"{type(e).__name__}: {e}", method=call.method, url=url)


class HypatiaClient(_Api):
    """The synchronous client.

    >>> with HypatiaClient("http://127.0.0.1:7878") as hy:
    ...     for hit in hy.search("DNA methylation and ageing", k=3).hits:
    ...         print(hit.citation.paper.title, hit.citation.quote[:80])
    """

    def __init__(
        self,
        base_url: Optional[str] = None,
        *,
        token: Optional[str] = None,
        timeout: Union[float, httpx.Timeout, None] = 60.0,
        headers: Optional[Mapping[str, str]] = None,
        http_client: Optional[httpx.Client] = None,
    ) -> None:
        """See :class:`_Api` for the settings; ``http_client`` lets you bring your own
        ``httpx.Client`` (proxies, TLS); it is not closed by :meth:`close`."""
        super().__init__(base_url, token=token, timeout=timeout, headers=headers)
        self._own_http = http_client is None
        self._http = http_client or httpx.Client(timeout=timeout)

    def close(self) -> None:
        """Close the connection pool (when the client made it)."""
        if self._own_http:
            self._http.close()

    def __enter__(self) -> "HypatiaClient":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def _send(self, call: _Call) -> Any:
        url = self.base_url + call.path
        headers = {**self._headers, **call.headers}
        content = call.upload.iter_chunks() if call.upload is not None else call.content
        kwargs: Dict[str, Any] = {}
        if call.timeout is not None:
            kwargs["timeout"] = call.timeout
        try:
            response = self._http.request(
                call.method, url, params=call.params, json=call.json, content=content, headers=headers, **kwargs
            )
        except httpx.TransportError as e:
            raise _connection_error(call, url, e) from e
        if response.status_code >= 400:
            raise error_from_response(response)
        return call.decode(response)

    def ingest_files(
        self,
        paths: Iterable[Union[str, "os.PathLike[str]"]],
        *,
        format: Optional[str] = None,
        progress: Optional[ProgressCallback] = None,
        chunk_size: int = DEFAULT_CHUNK,
    ) -> List[IngestReport]:
        """Ingest files and folders (walked here, hidden entries skipped), one upload per file.

        A file under a folder is named by its path from the folder's parent (see
        :func:`~hypatia_client.ingest.expand_paths`). Returns one report per file; stops at
        the first error (the files before it are ingested).
        """
        files = expand_paths(paths)
        return [
            self._op("ingest_handler", **self._ingest_call(path, name, format, progress, chunk_size, i, len(files)))
            for i, (path, name) in enumerate(files)
        ]


class AsyncHypatiaClient(_Api):
    """The asynchronous client: the same methods as :class:`HypatiaClient`, awaited.

    >>> async with AsyncHypatiaClient() as hy:
    ...     results = await hy.search("DNA methylation and ageing", k=3)
    """

    def __init__(
        self,
        base_url: Optional[str] = None,
        *,
        token: Optional[str] = None,
        timeout: Union[float, httpx.Timeout, None] = 60.0,
        headers: Optional[Mapping[str, str]] = None,
        http_client: Optional[httpx.AsyncClient] = None,
    ) -> None:
        """As :class:`HypatiaClient`, with an ``httpx.AsyncClient``."""
        super().__init__(base_url, token=token, timeout=timeout, headers=headers)
        self._own_http = http_client is None
        self._http = http_client or httpx.AsyncClient(timeout=timeout)

    async def aclose(self) -> None:
        """Close the connection pool (when the client made it)."""
        if self._own_http:
            await self._http.aclose()

    async def __aenter__(self) -> "AsyncHypatiaClient":
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.aclose()

    async def _send(self, call: _Call) -> Any:  # type: ignore[override]
        url = self.base_url + call.path
        headers = {**self._headers, **call.headers}
        content = call.upload.aiter_chunks() if call.upload is not None else call.content
        kwargs: Dict[str, Any] = {}
        if call.timeout is not None:
            kwargs["timeout"] = call.timeout
        try:
            response = await self._http.request(
                call.method, url, params=call.params, json=call.json, content=content, headers=headers, **kwargs
            )
        except httpx.TransportError as e:
            raise _connection_error(call, url, e) from e
        if response.status_code >= 400:
            raise error_from_response(response)
        return call.decode(response)

    async def ingest_files(
        self,
        paths: Iterable[Union[str, "os.PathLike[str]"]],
        *,
        format: Optional[str] = None,
        progress: Optional[ProgressCallback] = None,
        chunk_size: int = DEFAULT_CHUNK,
    ) -> List[IngestReport]:
        """As :meth:`HypatiaClient.ingest_files`, one upload at a time."""
        files = expand_paths(paths)
        reports = []
        for i, (path, name) in enumerate(files):
            call = self._ingest_call(path, name, format, progress, chunk_size, i, len(files))
            reports.append(await self._op("ingest_handler", **call))
        return reports
