"""Reads against a server without tokens over the bundled samples."""

from __future__ import annotations

import asyncio
import socket

import pytest

from hypatia_client import (
    AsyncHypatiaClient,
    BadRequest,
    EvidencePack,
    HypatiaClient,
    HypatiaConnectionError,
    HypatiaError,
    NamedQuery,
    NotFound,
    SearchResults,
)

METHYLATION = "Does DNA methylation change with age?"
RETRACTED_TITLE = "The origin of Palestinians and their genetic relatedness with other Mediterranean populations."


def test_health_reports_a_loaded_model_and_the_samples(hy):
    health = hy.health()
    assert health.status == "ok"
    assert health.embedder, "the embedding model is not loaded: vector and hybrid search would answer 503"
    assert health.stats.papers >= 150 and health.stats.passages >= health.stats.papers


def test_search_hits_carry_verifiable_citations(hy):
    results = hy.search("DNA methylation changes with age", k=5)
    assert isinstance(results, SearchResults) and results.mode == "hybrid"
    assert 1 <= len(results.hits) <= 5
    assert [h.rank for h in results.hits] == list(range(1, len(results.hits) + 1))
    assert results.hits == sorted(results.hits, key=lambda h: -h.score)
    top = results.hits[0].citation
    assert "methylation" in (top.quote + top.paper.title).lower()
    # The quote is the passage's text at its offsets in the paper's record.
    record = hy.paper(top.paper.key)
    passage = next(p for p in record.passages if p.key == top.passage)
    assert (passage.start, passage.end) == (top.start, top.end)
    assert passage.text == top.quote
    assert len(top.quote) == top.end - top.start


def test_search_options_reach_the_server(hy):
    bm25 = hy.search("attention transformer translation", mode="bm25", k=3)
    assert bm25.mode == "bm25" and len(bm25.hits) <= 3
    recent = hy.search("neural networks", k=10, year_from=2015)
    assert recent.hits and all(h.citation.paper.year and h.citation.paper.year >= 2015 for h in recent.hits)
    reranked = hy.search(METHYLATION, k=3, rerank=True)
    assert reranked.hits and reranked.hits[0].score > 1, "a re-scored hybrid hit scores 1 + a probability"


def test_search_as_of_reads_both_clocks(hy):
    query = "attention is all you need transformer"
    now = hy.search(query, k=20)
    assert any(h.citation.paper.arxiv == "1706.03762" for h in now.hits)
    # The store learned every paper today: as it stood in 2000 it held nothing.
    assert hy.search(query, k=20, as_of="2000").hits == []
    # By the papers' own dates, the 2017 Transformer paper is not there as of 2016.
    valid = hy.search(query, k=20, as_of="2016", clock="valid")
    assert valid.hits and not any(h.citation.paper.arxiv == "1706.03762" for h in valid.hits)


def test_reference_links(hy):
    hit = next(h for h in hy.search("attention is all you need transformer", k=20).hits if h.citation.paper.arxiv)
    ref = hit.citation.paper
    assert ref.arxiv_url == f"https://arxiv.org/abs/{ref.arxiv}"
    assert ref.doi is None or ref.doi_url == f"https://doi.org/{ref.doi}"


def test_retracted_papers_are_flagged_in_search(hy):
    hits = hy.search("origin of Palestinians genetic relatedness Mediterranean populations", k=5).hits
    flagged = [h for h in hits if h.citation.paper.title == RETRACTED_TITLE]
    assert flagged and all(h.retracted for h in flagged)
    assert flagged[0].citation.paper.pubmed_url == "https://pubmed.ncbi.nlm.nih.gov/11543891/"
    assert not any(h.retracted for h in hy.search(METHYLATION, k=5).hits)


def test_findings_quotes_stand_in_their_context(hy):
    pack = hy.findings(METHYLATION, papers=3, per_paper=2)
    assert isinstance(pack, EvidencePack) and pack.question == METHYLATION
    assert 1 <= len(pack.papers) <= 3 and pack.summary.papers == len(pack.papers)
    for paper in pack.papers:
        assert 1 <= len(paper.passages) <= 2
        for q in paper.passages:
            offset = q.start - q.context.start
            assert q.context.text[offset : offset + (q.end - q.start)] == q.quote
            assert 1 <= q.sentences <= 3
    assert {q.stance for p in pack.papers for q in p.passages} <= {"supports", "contradicts", "related", None}


def test_findings_leave_out_retracted_papers_unless_asked(hy):
    question = "What is the origin of Palestinians and their genetic relatedness to Mediterranean populations?"
    default = hy.findings(question, papers=5)
    assert RETRACTED_TITLE not in {p.reference.title for p in default.papers}
    included = hy.findings(question, papers=5, include_retracted=True)
    retracted = [p for p in included.papers if p.reference.title == RETRACTED_TITLE]
    assert retracted and retracted[0].retracted


def test_findings_in_markdown_and_json_ld(hy):
    markdown = hy.findings_markdown(METHYLATION, papers=2)
    assert "[^1]" in markdown and "methylation" in markdown.lower()
    jsonld = hy.findings_jsonld(METHYLATION, papers=2)
    assert "@context" in jsonld


def test_paper_by_key_and_by_iri(hy):
    record = hy.paper("https://pubmed.ncbi.nlm.nih.gov/11543891")
    assert record.title == RETRACTED_TITLE and record.pmid == "11543891"
    assert record.retracted and any(n.kind == "retraction" for n in record.notices)
    assert record.passages and all(len(t) == 3 for t in record.facts)
    assert hy.paper(record.key) == record


def test_paper_spans_verify_against_its_passages(hy):
    record = hy.paper("https://pubmed.ncbi.nlm.nih.gov/11543891")
    assert record.extracted, "the extractor found nothing in a SciFact abstract"
    passages = {p.key: p for p in record.passages}
    for item in record.extracted:
        p = passages[item.passage]
        assert p.text[item.start - p.start : item.end - p.start] == item.exact, item
    kinds = {i.kind for i in record.extracted}
    assert "mention" in kinds and all(i.concept for i in record.extracted if i.kind == "mention")


def test_unknown_paper_is_not_found(hy):
    with pytest.raises(NotFound) as err:
        hy.paper("no-such-paper")
    assert err.value.status == 404 and err.value.code == "not_found"
    assert "no-such-paper" in err.value.message


def test_sparql_rows_and_dataframe(hy):
    query = """
        PREFIX schema: <http://schema.org/>
        SELECT ?paper ?title ?doi WHERE {
          ?paper a schema:ScholarlyArticle ; schema:name ?title .
          OPTIONAL { ?paper schema:identifier ?doi FILTER(false) }
        } ORDER BY ?paper LIMIT 5"""
    results = hy.sparql(query)
    assert results.vars == ["paper", "title", "doi"]
    rows = results.rows
    assert len(rows) == 5
    assert all(set(r) == {"paper", "title", "doi"} and r["doi"] is None for r in rows)
    assert all(r["paper"].startswith(("http://", "https://")) and r["title"] for r in rows)
    assert hy.sparql_rows(query) == rows
    frame = hy.sparql_dataframe(query)
    assert list(frame.columns) == ["paper", "title", "doi"] and len(frame) == 5
    assert frame["title"].tolist() == [r["title"] for r in rows]


def test_sparql_counts_agree_with_health(hy):
    rows = hy.sparql_rows(
        "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { GRAPH ?g { ?p a <http://schema.org/ScholarlyArticle> } "
        "FILTER(STRSTARTS(STR(?g), 'https://w3id.org/hypatia/id/graph/paper/')) }"
    )
    assert int(rows[0]["n"]) == hy.health().stats.papers
    assert hy.sparql("ASK { ?s ?p ?o }").boolean is True


def test_sparql_syntax_error_is_a_bad_request(hy):
    with pytest.raises(BadRequest) as err:
        hy.sparql("SELEC ?x WHERE {}")
    assert err.value.code == "sparql_syntax" and err.value.message


def test_gaps(hy):
    gaps = hy.gaps(limit=3)
    assert gaps, "the samples have gaps"
    kinds = {g.kind for g in gaps}
    assert kinds <= {"missing_link", "untested_combination", "open_question", "contested_claim"}
    for g in gaps:
        assert g.explanation and g.concepts is not None
        for e in g.evidence:
            assert len(e.quote) == e.end - e.start
    one_kind = hy.gaps(kind=gaps[0].kind, limit=2)
    assert 1 <= len(one_kind) <= 2 and {g.kind for g in one_kind} == {gaps[0].kind}
    early = hy.gaps(kind="missing_link", as_of="1995", limit=50)
    assert all(e.year is None or e.year <= 1995 for g in early for e in g.evidence)


def test_gaps_about_an_unknown_concept(hy):
    with pytest.raises(NotFound) as err:
        hy.gaps(concept="no such concept at all")
    assert err.value.code == "not_found"


def test_concepts_by_label_and_a_concept_as_of_a_year(hy):
    found = hy.concepts("methylation", limit=5)
    assert found and len(found) <= 5
    assert all("methylation" in c.matched.lower() and c.papers >= 1 for c in found)
    view = hy.concept(found[0].key)
    assert (view.iri, view.label, view.ctype) == (found[0].iri, found[0].label, found[0].ctype)
    assert view.paper_count == found[0].papers and view.papers
    assert view.neighbours and all(n.weight >= 1 and n.papers >= n.weight for n in view.neighbours)
    assert [n.weight for n in view.neighbours] == sorted((n.weight for n in view.neighbours), reverse=True)
    # By IRI (slashes and all), with fewer neighbours.
    by_iri = hy.concept(view.iri, limit=2)
    assert by_iri.key == view.key and len(by_iri.neighbours) == min(2, view.neighbour_count)
    # As of 1990 only papers of 1990 or earlier count; undated ones do not.
    early = hy.concept(view.key, as_of="1990")
    assert early.as_of == 1990 and early.paper_count <= view.paper_count - view.undated
    assert all(p.year is not None and p.year <= 1990 for p in early.papers)
    assert early.neighbour_count <= view.neighbour_count
    with pytest.raises(NotFound):
        hy.concept("no such concept at all")


def test_novelty_with_as_of(hy):
    idea = "sperm DNA methylation changes with paternal age"
    now = hy.novelty(idea, k=3)
    assert now.idea == idea and now.papers and len(now.papers) <= 3
    assert 0 <= now.novelty <= 1 and now.novelty == pytest.approx(1 - max(now.literature_similarity, now.record_similarity), abs=1e-4)
    assert "methylation" in now.papers[0].citation.quote.lower() + now.papers[0].citation.paper.title.lower()
    # As the store stood in 2000 it held nothing, so the idea was new then.
    then = hy.novelty(idea, k=3, as_of="2000-01-01")
    assert then.papers == [] and then.novelty == pytest.approx(1.0)
    # A long idea goes by POST and gets the same kind of answer.
    long_idea = idea + ". " + "We measure it in a cohort of donors sampled years apart. " * 40
    assert hy.novelty(long_idea, k=2).papers


def test_blank_query_raises_with_code_and_message(hy, base_url):
    with pytest.raises(BadRequest) as err:
        hy.search("   ")
    e = err.value
    assert isinstance(e, HypatiaError)
    assert (e.status, e.code) == (400, "invalid_parameter")
    assert "`q`" in e.message
    assert e.method == "GET" and e.url.startswith(base_url + "/search")
    assert "invalid_parameter" in str(e) and "/search" in str(e) and e.request_id


def test_bad_as_of_and_clock_are_refused(hy):
    with pytest.raises(BadRequest, match="as_of"):
        hy.search("methylation", as_of="yesterday")
    with pytest.raises(BadRequest, match="clock"):
        hy.findings("methylation", clock="wall")


def test_unknown_option_is_refused_before_sending(hy):
    with pytest.raises(ValueError, match="per_paper"):
        hy.findings_markdown("methylation", per_paperz=2)


def test_unreachable_server_raises_a_connection_error():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with HypatiaClient(f"http://127.0.0.1:{port}", token="", timeout=5) as client:
        with pytest.raises(HypatiaConnectionError) as err:
            client.health()
    assert err.value.code == "connection" and str(port) in str(err.value)


def test_metrics(hy):
    assert "hypatia_http_requests_total" in hy.metrics()


def test_async_client(base_url):
    async def run():
        async with AsyncHypatiaClient(base_url, token="") as client:
            health, results, pack = await asyncio.gather(
                client.health(), client.search(METHYLATION, k=3), client.findings(METHYLATION, papers=2)
            )
            rows = await client.sparql_rows("SELECT ?s WHERE { ?s ?p ?o } LIMIT 2")
            with pytest.raises(BadRequest) as err:
                await client.search(" ")
            return health, results, pack, rows, err.value

    health, results, pack, rows, error = asyncio.run(run())
    assert health.status == "ok"
    assert len(results.hits) == 3 and results.hits[0].citation.quote
    assert pack.papers
    assert len(rows) == 2
    assert error.code == "invalid_parameter"


def test_named_queries_are_listed_and_run(hy):
    listed = hy.named_queries()
    by_name = {q.name: q for q in listed}
    assert [q.name for q in listed] == sorted(by_name) and len(by_name) >= 25
    authors = by_name["authors"]
    assert isinstance(authors, NamedQuery)
    assert authors.description.startswith("The authors of one paper") and authors.parameters == ["paper", "g"]
    count = by_name["count_papers"]
    assert count.parameters == [] and count.text.startswith("# Number of papers")
    rows = hy.sparql_rows(count.text)
    assert int(rows[0]["papers"]) == hy.health().stats.papers
