"""Cited passages for retrieval frameworks: what the LangChain and LlamaIndex adapters share.

A retriever asks Hypatia one of two things:

``source="search"`` (the default) — ``GET /search``: the ``k`` best passages, each a whole
passage (a title, an abstract paragraph, a section paragraph) quoted verbatim with its offsets
and its paper's reference, and a ``retracted`` flag. This is the default because a passage is
the unit an LLM reads well as context, one request answers it, every search option applies
(modes, filters, ``rerank``, ``as_of``), and retracted papers stay visible, flagged, rather
than silently missing.

``source="findings"`` — ``GET /findings``: for the best ``k`` papers, the one to three
sentences of each passage that answer the question (sentence-level quotes), with their stance
to the question where it can be told and the passage around them as ``context``. Better when
the answer must quote exactly what supports a claim; retracted papers are left out unless
``include_retracted``.

Either way each result is a :class:`CitedPassage`: the text to show, a stable id, a score and
flat metadata (strings, numbers, booleans, lists of strings, ``None``) holding the full
citation, so that vector stores and LLM prompts can carry it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, Literal, Optional

from .models import EvidencePack, Hit, PaperEvidence, Quote, Reference, SearchResults

__all__ = ["CitedPassage", "Source", "format_reference", "reference_metadata", "from_search", "from_findings"]

Source = Literal["search", "findings"]

SEARCH_OPTIONS = ("mode", "year_from", "year_to", "section", "venue", "rerank", "as_of", "clock")
FINDINGS_OPTIONS = (
    "mode", "per_paper", "year_from", "year_to", "section", "venue", "include_retracted", "as_of", "clock",
)  # fmt: skip

# Metadata that is bookkeeping rather than something an LLM should read in its prompt.
NOT_FOR_LLM = (
    "paper_iri", "paper_key", "passage", "passage_iri", "start", "end", "version", "rank", "corpus_id",
    "context", "context_start", "context_end", "paper_rank", "passage_score", "relevance", "source",
    "doi_url", "arxiv_url", "pubmed_url", "pmc_url", "pmcid", "date", "quote",
)  # fmt: skip


@dataclass(frozen=True)
class CitedPassage:
    """One retrieved quote with its citation.

    Attributes:
        id: a stable id (the passage key, or for a findings quote the passage key and offsets).
        text: the verbatim quote.
        score: the ranking score (search: the retriever's score; findings: the quote's relevance).
        metadata: the citation, flat (see :func:`reference_metadata` and the adapters' docs).
    """

    id: str
    text: str
    score: float
    metadata: Dict[str, Any]


def format_reference(ref: Reference) -> str:
    """A one-line reference: ``Authors (year). Title. Venue. link``."""
    authors = ", ".join(ref.authors[:3]) + (" et al." if len(ref.authors) > 3 else "")
    parts = []
    head = authors or "Anonymous"
    parts.append(f"{head} ({ref.year})." if ref.year else f"{head} (n.d.).")
    parts.append(ref.title.rstrip(".") + ".")
    if ref.venue:
        parts.append(ref.venue.rstrip(".") + ".")
    link = ref.doi_url or ref.link or ref.arxiv_url or ref.pubmed_url or ref.pmc_url or ref.iri
    parts.append(link)
    return " ".join(parts)


def reference_metadata(ref: Reference) -> Dict[str, Any]:
    """The paper's part of the metadata: IRI, key, title, authors, year, venue, identifiers and links."""
    return {
        "paper_iri": ref.iri,
        "paper_key": ref.key,
        "title": ref.title,
        "authors": list(ref.authors),
        "year": ref.year,
        "date": ref.date,
        "venue": ref.venue,
        "doi": ref.doi,
        "arxiv": ref.arxiv,
        "pmid": ref.pmid,
        "pmcid": ref.pmcid,
        "corpus_id": ref.corpus_id,
        "link": ref.link,
        "doi_url": ref.doi_url,
        "arxiv_url": ref.arxiv_url,
        "pubmed_url": ref.pubmed_url,
        "pmc_url": ref.pmc_url,
        "citation": format_reference(ref),
    }


def _hit(hit: Hit) -> CitedPassage:
    c = hit.citation
    metadata = {
        "source": "hypatia/search",
        **reference_metadata(c.paper),
        "passage": c.passage,
        "quote": c.quote,
        "start": c.start,
        "end": c.end,
        "section": c.section,
        "version": c.version,
        "score": hit.score,
        "rank": hit.rank,
        "retracted": hit.retracted,
    }
    return CitedPassage(id=c.passage, text=c.quote, score=hit.score, metadata=metadata)


def from_search(results: SearchResults, *, exclude_retracted: bool = False) -> List[CitedPassage]:
    """The hits of ``/search`` as cited passages, best first."""
    return [_hit(h) for h in results.hits if not (exclude_retracted and h.retracted)]


def _quote(paper: PaperEvidence, q: Quote, rank: int) -> CitedPassage:
    metadata = {
        "source": "hypatia/findings",
        **reference_metadata(paper.reference),
        "passage": q.passage,
        "passage_iri": q.iri,
        "quote": q.quote,
        "start": q.start,
        "end": q.end,
        "section": q.section,
        "score": q.relevance,
        "relevance": q.relevance,
        "passage_score": q.score,
        "rank": rank,
        "paper_rank": paper.rank,
        "stance": q.stance,
        "polarity": q.polarity,
        "sentences": q.sentences,
        "context": q.context.text,
        "context_start": q.context.start,
        "context_end": q.context.end,
        "retracted": paper.retracted,
    }
    return CitedPassage(id=f"{q.passage}@{q.start}-{q.end}", text=q.quote, score=q.relevance, metadata=metadata)


def from_findings(pack: EvidencePack) -> List[CitedPassage]:
    """The quotes of an evidence pack as cited passages, in pack order (papers best first)."""
    out: List[CitedPassage] = []
    for paper in pack.papers:
        for q in paper.passages:
            out.append(_quote(paper, q, len(out) + 1))
    return out


def options_for(source: Source, options: Dict[str, Any]) -> Dict[str, Any]:
    """The options that apply to ``source``, without ``None``s; errors name any that do not."""
    allowed = SEARCH_OPTIONS if source == "search" else FINDINGS_OPTIONS
    given = {k: v for k, v in options.items() if v is not None}
    wrong = sorted(set(given) - set(allowed))
    if wrong:
        raise ValueError(f"Hypatia retriever: {', '.join(wrong)} do not apply to source={source!r}")
    return given


def retrieve(client: Any, query: str, source: Source, k: int, options: Dict[str, Any], exclude_retracted: bool):
    """Ask a sync client; returns the cited passages."""
    opts = options_for(source, options)
    if source == "search":
        return from_search(client.search(query, k=k, **opts), exclude_retracted=exclude_retracted)
    if source == "findings":
        return from_findings(client.findings(query, papers=k, **opts))
    raise ValueError(f"Hypatia retriever: source must be 'search' or 'findings', not {source!r}")


async def aretrieve(
    client: Any, query: str, source: Source, k: int, options: Dict[str, Any], exclude_retracted: bool
):
    """Ask an async client; returns the cited passages."""
    opts = options_for(source, options)
    if source == "search":
        return from_search(await client.search(query, k=k, **opts), exclude_retracted=exclude_retracted)
    if source == "findings":
        return from_findings(await client.findings(query, papers=k, **opts))
    raise ValueError(f"Hypatia retriever: source must be 'search' or 'findings', not {source!r}")


def check_source(source: Optional[str]) -> None:
    """Refuse an unknown source at construction, not at the first query."""
    if source not in ("search", "findings"):
        raise ValueError(f"Hypatia retriever: source must be 'search' or 'findings', not {source!r}")
