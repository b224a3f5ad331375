"""The LangChain and LlamaIndex retrievers, with the real frameworks, on the bundled samples."""

from __future__ import annotations

import asyncio

import pytest
from langchain_core.documents import Document
from llama_index.core.schema import MetadataMode, NodeWithScore, QueryBundle

from hypatia_client import AsyncHypatiaClient, HypatiaClient
from hypatia_client.langchain import HypatiaRetriever
from hypatia_client.llamaindex import HypatiaLlamaIndexRetriever

QUESTION = "Does DNA methylation change with age?"
CITATION_KEYS = {
    "paper_iri", "paper_key", "title", "authors", "year", "venue", "doi", "arxiv", "pmid", "link",
    "doi_url", "arxiv_url", "pubmed_url", "citation", "passage", "quote", "start", "end", "section",
    "score", "rank", "retracted",
}  # fmt: skip


def _check_cited(hy: HypatiaClient, text: str, metadata: dict) -> None:
    """The metadata is a full citation whose quote is the text at its offsets in the paper."""
    assert CITATION_KEYS <= set(metadata), sorted(CITATION_KEYS - set(metadata))
    assert metadata["quote"] == text and len(text) == metadata["end"] - metadata["start"]
    assert metadata["title"] in metadata["citation"]
    record = hy.paper(metadata["paper_iri"])
    assert record.key == metadata["paper_key"] and record.title == metadata["title"]
    containing = [p for p in record.passages if p.start <= metadata["start"] and metadata["end"] <= p.end]
    assert containing, "no passage of the paper holds the quote's offsets"
    p = containing[0]
    assert p.text[metadata["start"] - p.start : metadata["end"] - p.start] == text


def test_langchain_search_documents_are_cited(hy, base_url):
    retriever = HypatiaRetriever(client=HypatiaClient(base_url, token=""), k=4)
    docs = retriever.invoke(QUESTION)
    assert 1 <= len(docs) <= 4 and all(isinstance(d, Document) for d in docs)
    assert "methylation" in docs[0].page_content.lower() + docs[0].metadata["title"].lower()
    assert [d.metadata["rank"] for d in docs] == list(range(1, len(docs) + 1))
    for d in docs:
        assert d.id == d.metadata["passage"]
        _check_cited(hy, d.page_content, d.metadata)


def test_langchain_flags_and_can_drop_retracted(base_url):
    query = "origin of Palestinians genetic relatedness Mediterranean populations"
    docs = HypatiaRetriever(base_url=base_url, token="", k=5).invoke(query)
    flagged = [d for d in docs if d.metadata["retracted"]]
    assert flagged and flagged[0].metadata["pmid"] == "11543891"
    assert flagged[0].metadata["pubmed_url"] == "https://pubmed.ncbi.nlm.nih.gov/11543891/"
    kept = HypatiaRetriever(base_url=base_url, token="", k=5, exclude_retracted=True).invoke(query)
    assert not any(d.metadata["retracted"] for d in kept)


def test_langchain_arxiv_and_doi_links(base_url):
    docs = HypatiaRetriever(base_url=base_url, token="", k=10, mode="bm25").invoke("attention transformer")
    doc = next(d for d in docs if d.metadata["arxiv"] == "1706.03762")
    assert doc.metadata["arxiv_url"] == "https://arxiv.org/abs/1706.03762"
    assert doc.metadata["year"] == 2017
    if doc.metadata["doi"]:
        assert doc.metadata["doi_url"] == "https://doi.org/" + doc.metadata["doi"]


def test_langchain_findings_give_sentence_quotes(hy, base_url):
    retriever = HypatiaRetriever(base_url=base_url, token="", source="findings", k=2, per_paper=2)
    docs = retriever.invoke(QUESTION)
    assert docs
    for d in docs:
        assert d.metadata["source"] == "hypatia/findings"
        assert d.page_content in d.metadata["context"]
        assert d.metadata["stance"] in ("supports", "contradicts", "related", None)
        _check_cited(hy, d.page_content, d.metadata)


def test_langchain_async_and_as_of(base_url):
    retriever = HypatiaRetriever(
        base_url=base_url, token="", async_client=AsyncHypatiaClient(base_url, token=""), k=3
    )
    docs = asyncio.run(retriever.ainvoke(QUESTION))
    assert len(docs) == 3 and all(d.metadata["citation"] for d in docs)
    assert HypatiaRetriever(base_url=base_url, token="", k=3, as_of="2000").invoke(QUESTION) == []


def test_langchain_refuses_options_of_the_other_source(base_url):
    with pytest.raises(ValueError, match="source"):
        HypatiaRetriever(base_url=base_url, token="", source="papers")
    retriever = HypatiaRetriever(base_url=base_url, token="", source="findings", rerank=True)
    with pytest.raises(ValueError, match="rerank"):
        retriever.invoke(QUESTION)


def test_llamaindex_nodes_are_cited(hy, base_url):
    retriever = HypatiaLlamaIndexRetriever(HypatiaClient(base_url, token=""), k=4)
    nodes = retriever.retrieve(QUESTION)
    assert 1 <= len(nodes) <= 4 and all(isinstance(n, NodeWithScore) for n in nodes)
    assert [n.score for n in nodes] == sorted((n.score for n in nodes), reverse=True)
    for n in nodes:
        md = n.node.metadata
        assert n.node.node_id == md["passage"] and n.score == md["score"]
        assert (n.node.start_char_idx, n.node.end_char_idx) == (md["start"], md["end"])
        _check_cited(hy, n.node.get_content(), md)
        # What an LLM reads carries the reference, not the bookkeeping.
        llm_text = n.node.get_content(metadata_mode=MetadataMode.LLM)
        assert md["citation"] in llm_text and "title: " in llm_text
        assert "paper_iri: " not in llm_text and "start: " not in llm_text


def test_llamaindex_async_findings_and_retracted(hy, base_url):
    retriever = HypatiaLlamaIndexRetriever(
        base_url=base_url, token="", source="findings", k=3, include_retracted=True
    )
    question = "What is the origin of Palestinians and their genetic relatedness to Mediterranean populations?"
    nodes = asyncio.run(retriever.aretrieve(QueryBundle(question)))
    assert nodes
    retracted = [n for n in nodes if n.node.metadata["retracted"]]
    assert retracted and retracted[0].node.metadata["pmid"] == "11543891"
    for n in nodes:
        _check_cited(hy, n.node.get_content(), n.node.metadata)
