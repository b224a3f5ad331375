"""A LlamaIndex retriever over Hypatia: nodes whose metadata is the full citation.

Needs ``llama-index-core`` (``pip install 'hypatia-client[llamaindex]'``).

>>> from hypatia_client.llamaindex import HypatiaLlamaIndexRetriever
>>> retriever = HypatiaLlamaIndexRetriever(base_url="http://127.0.0.1:7878", k=4)
>>> for n in retriever.retrieve("Does DNA methylation change with age?"):
...     print(n.score, n.node.text, "—", n.node.metadata["citation"])

Each ``NodeWithScore`` holds a ``TextNode`` whose text is the verbatim quote, ``id_`` the
passage key, ``start_char_idx`` / ``end_char_idx`` the quote's offsets in the paper's canonical
text, and ``metadata`` the same citation fields as the LangChain retriever's documents (see
:mod:`hypatia_client.langchain`). Bookkeeping fields (IRIs, offsets, ranks, context) are
excluded from the text an LLM sees (``excluded_llm_metadata_keys``); title, authors, year,
venue, links, section, the one-line ``citation`` and the ``retracted`` flag are kept in it.
"""

from __future__ import annotations

from typing import Any, List, Optional

try:
    from llama_index.core.callbacks import CallbackManager
    from llama_index.core.retrievers import BaseRetriever
    from llama_index.core.schema import NodeWithScore, QueryBundle, TextNode
except ImportError as e:  # pragma: no cover - depends on the environment
    raise ImportError(
        "hypatia_client.llamaindex needs llama-index-core: pip install 'hypatia-client[llamaindex]'"
    ) from e

from .citations import NOT_FOR_LLM, CitedPassage, Source, aretrieve, check_source, retrieve
from .client import AsyncHypatiaClient, HypatiaClient
from .models import Clock, Mode

__all__ = ["HypatiaLlamaIndexRetriever"]


def _node(p: CitedPassage) -> NodeWithScore:
    node = TextNode(
        id_=p.id,
        text=p.text,
        metadata=p.metadata,
        start_char_idx=p.metadata.get("start"),
        end_char_idx=p.metadata.get("end"),
        excluded_llm_metadata_keys=[k for k, v in p.metadata.items() if k in NOT_FOR_LLM or v is None],
        excluded_embed_metadata_keys=list(p.metadata),
    )
    return NodeWithScore(node=node, score=p.score)


class HypatiaLlamaIndexRetriever(BaseRetriever):
    """Retrieves cited passages from a Hypatia server (``/search``, or ``/findings``).

    Args:
        client: a :class:`~hypatia_client.HypatiaClient`; made from ``base_url`` and ``token``
            (or ``HYPATIA_URL`` / ``HYPATIA_TOKEN``) when not given.
        async_client: an :class:`~hypatia_client.AsyncHypatiaClient` for ``aretrieve``; a
            short-lived one with the sync client's settings when not given.
        source: ``"search"`` (passages; default) or ``"findings"`` (answering sentences).
        k: passages for search, papers for findings.
        exclude_retracted: search only: drop hits of retracted papers (flagged otherwise).
        **options: the endpoint's options (``mode``, ``year_from``, ``year_to``, ``section``,
            ``venue``, ``as_of``, ``clock``; search: ``rerank``; findings: ``per_paper``,
            ``include_retracted``).
    """

    def __init__(
        self,
        client: Optional[HypatiaClient] = None,
        *,
        async_client: Optional[AsyncHypatiaClient] = None,
        base_url: Optional[str] = None,
        token: Optional[str] = None,
        source: Source = "search",
        k: int = 5,
        mode: Optional[Mode] = None,
        as_of: Optional[str] = None,
        clock: Optional[Clock] = None,
        exclude_retracted: bool = False,
        callback_manager: Optional[CallbackManager] = None,
        verbose: bool = False,
        **options: Any,
    ) -> None:
        check_source(source)
        self.client = client or HypatiaClient(base_url, token=token)
        self.async_client = async_client
        self.source: Source = source
        self.k = k
        self.exclude_retracted = exclude_retracted
        self.options = {"mode": mode, "as_of": as_of, "clock": clock, **options}
        super().__init__(callback_manager=callback_manager, verbose=verbose)

    def _retrieve(self, query_bundle: QueryBundle) -> List[NodeWithScore]:
        passages = retrieve(
            self.client, query_bundle.query_str, self.source, self.k, self.options, self.exclude_retracted
        )
        return [_node(p) for p in passages]

    async def _aretrieve(self, query_bundle: QueryBundle) -> List[NodeWithScore]:
        args = (query_bundle.query_str, self.source, self.k, self.options, self.exclude_retracted)
        if self.async_client is not None:
            passages = await aretrieve(self.async_client, *args)
        else:
            async with AsyncHypatiaClient(self.client.base_url, token=self.client._token or "") as client:
                passages = await aretrieve(client, *args)
        return [_node(p) for p in passages]
