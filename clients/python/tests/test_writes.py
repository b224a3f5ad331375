"""Tokens, uploads and the research records, against a server with --tokens and
--no-anonymous-read over a store that starts empty. Tests run in file order: the ingest test
stores the paper the later ones cite."""

from __future__ import annotations

import asyncio
import io

import pytest

from hypatia_client import (
    AsyncHypatiaClient,
    Conflict,
    Forbidden,
    HypatiaClient,
    HypatiaError,
    NotFound,
    Unauthorized,
    UploadProgress,
)

AGENT = "py-client-tests"


def test_reads_need_a_token(auth_url):
    with HypatiaClient(auth_url, token="") as anonymous:
        assert anonymous.health().status == "ok"  # /healthz stays open
        with pytest.raises(Unauthorized) as err:
            anonymous.search("anything")
    assert err.value.status == 401 and err.value.code == "unauthorized" and err.value.message


def test_writes_need_a_write_token(auth_url, read_token, fixtures):
    with HypatiaClient(auth_url, token="") as anonymous:
        with pytest.raises(Unauthorized):
            anonymous.ingest(fixtures / "papers" / "markdown" / "paper-summary.md")
    with HypatiaClient(auth_url, token=read_token) as reader:
        # The refused upload stored nothing (other test files may have logged runs by now).
        hits = reader.search("Attention Is All You Need", k=50).hits
        assert all(h.citation.paper.title != "Attention Is All You Need" for h in hits)
        with pytest.raises(Forbidden) as err:
            reader.propose_hypothesis("a reader cannot propose", AGENT)
    assert err.value.status == 403 and err.value.code


def test_access_says_what_each_token_may_do(auth_url, read_token, writer):
    with HypatiaClient(auth_url, token=read_token) as reader:
        grant = reader.access()
        assert (grant.scope, grant.agents) == ("read", [grant.credential])
    grant = writer.access()
    assert grant.scope == "write" and grant.credential
    with HypatiaClient(auth_url, token="") as anonymous:
        with pytest.raises(Unauthorized):
            anonymous.access()


def test_token_from_the_environment(auth_url, read_token, monkeypatch):
    monkeypatch.setenv("HYPATIA_TOKEN", read_token)
    with HypatiaClient(auth_url) as client:
        assert "with a token" in repr(client) and read_token not in repr(client)
        client.search("anything")
    monkeypatch.setenv("HYPATIA_TOKEN", "not-a-token-of-this-server")
    with HypatiaClient(auth_url) as client:
        with pytest.raises(Unauthorized):
            client.search("anything")


def test_ingest_streams_a_file_with_progress(writer, fixtures):
    path = fixtures / "papers" / "markdown" / "paper-summary.md"
    size = path.stat().st_size
    seen: list[UploadProgress] = []
    report = writer.ingest(path, progress=seen.append, chunk_size=256)
    assert report.papers == 1 and report.passages >= 1 and not report.failures
    assert report.bytes == size
    # Progress before the first chunk, after every chunk of 256 bytes, ending at the size.
    assert [p.sent for p in seen] == [0] + [min(size, i * 256) for i in range(1, -(-size // 256) + 1)]
    assert all(p.total == size and p.name == "paper-summary.md" for p in seen)
    assert seen[-1].done and not seen[0].done


def test_ingest_a_file_object_and_the_same_file_again(writer, fixtures):
    data = (fixtures / "papers" / "markdown" / "paper-summary.md").read_bytes()
    report = writer.ingest(io.BytesIO(data), name="paper-summary.md")
    assert report.unchanged == 1 and report.papers == 0


def test_empty_upload_is_a_bad_request(writer):
    with pytest.raises(HypatiaError) as err:
        writer.ingest(b"", name="empty.md")
    assert err.value.status == 400 and err.value.message


def test_async_ingest_of_a_folder(auth_url, write_token, fixtures):
    seen: list[UploadProgress] = []

    async def run():
        async with AsyncHypatiaClient(auth_url, token=write_token) as client:
            return await client.ingest_files([fixtures / "papers" / "markdown"], progress=seen.append)

    reports = asyncio.run(run())
    # SOURCE.md is left out as a folder walk leaves it out; both papers are sent.
    names = sorted({p.name for p in seen})
    assert names == ["markdown/no-front-matter.md", "markdown/paper-summary.md"]
    assert {p.file_count for p in seen} == {2}
    assert len(reports) == 2 and sum(r.papers + r.unchanged for r in reports) == 2


@pytest.fixture(scope="module")
def passage(writer) -> str:
    hits = writer.search("paper summary", k=1).hits
    assert hits, "the ingest tests stored no paper"
    return hits[0].citation.passage


def test_hypothesis_experiment_and_status(writer, passage):
    written = writer.propose_hypothesis(
        "Summaries written by the authors cover the main result", AGENT, evidence=[passage]
    )
    assert written.created and written.record.status == "proposed"
    hyp = written.record
    assert hyp.agent == AGENT and len(hyp.quoted_evidence) == 1 and hyp.quoted_evidence[0].unchanged
    again = writer.propose_hypothesis(hyp.statement, AGENT, evidence=[passage])
    assert not again.created and again.record.key == hyp.key

    # Supported needs an experiment.
    with pytest.raises(HypatiaError) as err:
        writer.set_hypothesis_status(hyp.key, "supported", agent=AGENT)
    assert err.value.status in (400, 409) and err.value.code

    run = writer.log_experiment(
        agent=AGENT,
        description="compare the summary with the abstract",
        status="keep",
        hypothesis=hyp.key,
        parameters={"readers": 3},
        metrics=[{"name": "agreement", "value": 0.8, "split": "val"}],
        idempotency_key="py-client-run-1",
    )
    assert run.created and run.record.hypothesis == hyp.key
    assert run.record.parameters == {"readers": "3"} and run.record.metrics[0].value == pytest.approx(0.8)
    assert writer.log_experiment(
        agent=AGENT, description="compare the summary with the abstract", status="keep",
        hypothesis=hyp.key, idempotency_key="py-client-run-1",
    ).record.key == run.record.key  # fmt: skip
    assert writer.hypothesis(hyp.key).status == "testing"

    supported = writer.set_hypothesis_status(
        hyp.key, "supported", agent=AGENT, outcomes=[run.record.key], note="agreement 0.8"
    )
    assert supported.status == "supported"
    # History holds the changes after the proposal: the run's move to testing, then ours.
    assert [c.to for c in supported.history] == ["testing", "supported"]
    assert supported.history[-1].from_ == "testing" and supported.history[-1].note == "agreement 0.8"
    with pytest.raises(Conflict):
        writer.set_hypothesis_status(hyp.key, "proposed", agent=AGENT)

    assert writer.experiment(run.record.key) == run.record
    assert [e.key for e in writer.experiments(hypothesis=hyp.key)] == [run.record.key]
    assert hyp.key in {h.key for h in writer.hypotheses(agent=AGENT)}
    assert writer.hypotheses(status="refuted", agent=AGENT) == []


def test_lineage_comparisons_and_plateaus(writer):
    parent = writer.propose_hypothesis("Longer warm-up lowers val_bpb", AGENT).record
    other = writer.propose_hypothesis("Clipping lowers val_bpb", AGENT).record
    child = writer.propose_hypothesis(
        "Longer warm-up with clipping lowers val_bpb most",
        AGENT,
        derived_from=[(parent.key, "combines"), {"hypothesis": other.key, "relation": "combines"}],
    ).record
    assert sorted(d.hypothesis for d in child.derived_from) == sorted([parent.key, other.key])
    assert [(d.hypothesis, d.relation) for d in writer.hypothesis(parent.key).derivatives] == [
        (child.key, "combines")
    ]
    with pytest.raises(NotFound) as err:
        writer.propose_hypothesis(
            "An orphan", AGENT, derived_from=[(parent.key, "refines"), ("hyp_0000000000000000", "refines")]
        )
    assert "derived_from[1].hypothesis" in err.value.message

    won = writer.compare_hypotheses(child.key, parent.key, agent=AGENT, rationale="sharper", match="py-m1")
    assert won.created and won.winner_rating.elo == pytest.approx(1216.0)
    assert won.loser_rating.elo == pytest.approx(1184.0) and won.record.match_id == "py-m1"
    assert not writer.compare_hypotheses(child.key, parent.key, agent=AGENT, match="py-m1").created
    with pytest.raises(Conflict):
        writer.compare_hypotheses(parent.key, child.key, agent=AGENT, match="py-m1")
    drawn = writer.compare_hypotheses(other.key, parent.key, agent=AGENT, draw=True)
    assert drawn.record.draw and drawn.created
    ranked = writer.hypotheses(agent=AGENT, sort="rating")
    assert ranked[0].key == child.key and ranked[0].rating.wins == 1
    assert writer.hypotheses(agent=AGENT, sort="rating", order="asc")[0].key == parent.key

    for i, bpb in enumerate([1.0, 0.9, 0.9, 0.95, 0.91]):
        writer.log_experiment(
            agent=AGENT, description=f"warm-up run {i}", status="keep" if i < 2 else "discard",
            hypothesis=child.key, metrics=[{"name": "val_bpb", "value": bpb}],
            time=f"2026-02-01T00:0{i}:00Z",
        )  # fmt: skip
    flat = writer.hypothesis(child.key, plateau_window=3).plateaus
    assert [(p.metric, p.direction, p.direction_inferred) for p in flat] == [("val_bpb", "lower", True)]
    assert flat[0].plateaued and flat[0].best == pytest.approx(0.9) and flat[0].runs_since_best == 3
    assert not writer.hypothesis(child.key, plateau_window=4).plateaus[0].plateaued
    assert writer.hypotheses(agent=AGENT, sort="evidence")[0].key == child.key


def test_novelty_sees_records_as_of(writer):
    idea = "Summaries written by the authors cover the main result"
    now = writer.novelty(idea, k=3)
    assert now.hypotheses and now.hypotheses[0].hypothesis.statement == idea
    assert now.record_similarity == pytest.approx(max(h.similarity for h in now.hypotheses + now.experiments))
    assert now.record_similarity > 0.5 and now.novelty <= 1 - now.record_similarity + 1e-4
    then = writer.novelty(idea, k=3, as_of="2001")
    assert then.hypotheses == [] and then.experiments == []


def test_import_experiments_table(writer, fixtures):
    table = fixtures / "research" / "results.tsv"
    first = writer.import_experiments(table, agent=AGENT)
    assert first.rows >= 4 and first.imported + first.already_present == first.rows - len(first.failures)
    again = writer.import_experiments(table.read_text(), agent=AGENT, name="results.tsv")
    assert again.imported == 0 and again.already_present == first.imported + first.already_present


def test_sparql_update_then_query(writer):
    writer.sparql_update('INSERT DATA { <urn:py-client:a> <urn:py-client:says> "hello" }')
    assert writer.sparql_rows("SELECT ?o WHERE { <urn:py-client:a> <urn:py-client:says> ?o }") == [{"o": "hello"}]


def test_delete_paper(writer, fixtures):
    report = writer.ingest(fixtures / "papers" / "markdown" / "no-front-matter.md", name="delete-me/no-front-matter.md")
    assert report.papers + report.unchanged == 1
    key = next(
        h.citation.paper.key
        for h in writer.search("count citations by hand", k=10).hits
        if h.citation.paper.title == "Notes on a Small Graph"
    )
    assert writer.delete_paper(key).deleted == 1
    with pytest.raises(NotFound):
        writer.paper(key)


def test_gate_refuses_a_repeat_of_a_discarded_run(writer):
    dead_end = "replace ReLU with GeLU in the MLP of the summariser"
    writer.log_experiment(agent=AGENT, description=dead_end, status="discard", idempotency_key="py-client-gate-1")
    repeat = writer.gate("use GELU activation instead of ReLU in the MLP of the summariser", k=3)
    assert repeat.decision == "refuse", repeat.reasons
    assert repeat.runs[0].repeat and repeat.runs[0].experiment.description == dead_end
    assert "discarded" in repeat.runs[0].outcome and repeat.thresholds.refuse_at == pytest.approx(0.8)
    # A different number is another run; the caller's thresholds are used.
    other = writer.gate("replace ReLU with GeLU in 2 of the MLP layers of the summariser", refuse_at=0.99)
    assert other.decision != "refuse" and other.thresholds.refuse_at == pytest.approx(0.99)
    with pytest.raises(HypatiaError) as err:
        writer.gate("x", refuse_at=2.0)
    assert err.value.status == 400 and "refuse_at" in err.value.message
