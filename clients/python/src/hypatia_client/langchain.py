"""A LangChain retriever over Hypatia: documents whose metadata is the full citation.

Needs ``langchain-core`` (``pip install 'hypatia-client[langchain]'``).

>>> from hypatia_client.langchain import HypatiaRetriever
>>> retriever = HypatiaRetriever(base_url="http://127.0.0.1:7878", k=4)
>>> for doc in retriever.invoke("Does DNA methylation change with age?"):
...     print(doc.page_content, "—", doc.metadata["citation"])

Each ``Document``'s ``page_content`` is the verbatim quote, its ``id`` the passage key, and its
``metadata`` holds: ``paper_iri``, ``paper_key``, ``title``, ``authors``, ``year``, ``date``,
``venue``, ``doi``, ``arxiv``, ``pmid``, ``pmcid``, ``corpus_id``, ``link`` and ``doi_url`` /
``arxiv_url`` / ``pubmed_url`` / ``pmc_url`` (``None`` where the paper has no such id),
``citation`` (a one-line reference), ``passage``, ``quote``, ``start``, ``end`` (character
offsets of the quote in the paper's canonical text), ``section``, ``score``, ``rank``,
``retracted`` and ``source``. With ``source="findings"`` the quote is the one to three
sentences that answer the question, and the metadata adds ``stance``, ``polarity``,
``relevance`` (the score), ``passage_score``, ``context`` (the passage around the quote) and
its offsets. See :mod:`hypatia_client.citations` for which source to pick.
"""

from __future__ import annotations

from typing import Any, List, Optional

try:
    from langchain_core.callbacks import AsyncCallbackManagerForRetrieverRun, CallbackManagerForRetrieverRun
    from langchain_core.documents import Document
    from langchain_core.retrievers import BaseRetriever
except ImportError as e:  # pragma: no cover - depends on the environment
    raise ImportError("hypatia_client.langchain needs langchain-core: pip install 'hypatia-client[langchain]'") from e

from pydantic import ConfigDict, model_validator

from .citations import CitedPassage, Source, aretrieve, check_source, retrieve
from .client import AsyncHypatiaClient, HypatiaClient
from .models import Clock, Mode

__all__ = ["HypatiaRetriever"]


def _document(p: CitedPassage) -> Document:
    return Document(id=p.id, page_content=p.text, metadata=p.metadata)


class HypatiaRetriever(BaseRetriever):
    """Retrieves cited passages from a Hypatia server (``/search``, or ``/findings``).

    Give a ``client`` (and, for ``ainvoke``, an ``async_client``), or ``base_url`` and
    ``token`` and the retriever makes them (``HYPATIA_URL`` / ``HYPATIA_TOKEN`` when not
    given). ``k`` is the number of passages for search, of papers for findings. The other
    fields are the endpoint's options; ``None`` leaves the server's default.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    client: Optional[Any] = None
    async_client: Optional[Any] = None
    base_url: Optional[str] = None
    token: Optional[str] = None

    source: Source = "search"
    k: int = 5
    mode: Optional[Mode] = None
    year_from: Optional[int] = None
    year_to: Optional[int] = None
    section: Optional[str] = None
    venue: Optional[str] = None
    as_of: Optional[str] = None
    clock: Optional[Clock] = None
    rerank: Optional[bool] = None
    """Search only: re-score with the learned reranker."""
    exclude_retracted: bool = False
    """Search only: drop hits of retracted papers (they are returned, flagged, by default)."""
    per_paper: Optional[int] = None
    """Findings only: quotes per paper (1–10)."""
    include_retracted: Optional[bool] = None
    """Findings only: keep retracted papers (left out by default)."""

    @model_validator(mode="after")
    def _connect(self) -> "HypatiaRetriever":
        check_source(self.source)
        if self.client is None:
            self.client = HypatiaClient(self.base_url, token=self.token)
        return self

    def _options(self) -> dict:
        """The endpoint options that are set; one that does not apply to the source is an error
        at the first query (``rerank`` with findings, ``per_paper`` with search)."""
        names = (
            "mode", "year_from", "year_to", "section", "venue", "as_of", "clock", "rerank", "per_paper",
            "include_retracted",
        )  # fmt: skip
        return {n: getattr(self, n) for n in names}

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> List[Document]:
        passages = retrieve(self.client, query, self.source, self.k, self._options(), self.exclude_retracted)
        return [_document(p) for p in passages]

    async def _aget_relevant_documents(
        self, query: str, *, run_manager: AsyncCallbackManagerForRetrieverRun
    ) -> List[Document]:
        if self.async_client is not None:
            passages = await aretrieve(
                self.async_client, query, self.source, self.k, self._options(), self.exclude_retracted
            )
        else:
            # One short-lived async client with the sync client's settings.
            async with AsyncHypatiaClient(self.client.base_url, token=self.client._token or "") as client:
                passages = await aretrieve(client, query, self.source, self.k, self._options(), self.exclude_retracted)
        return [_document(p) for p in passages]
