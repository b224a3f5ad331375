"""Hypatia's SPARQL and hybrid search side by side with what users would pick instead (issue 20,
item 4), on one machine, in one run.

SPARQL: the same queries, over HTTP with the same client, through Hypatia's `/sparql` (a
`hypatia serve` over a store filled by `hypatia load`) and through Oxigraph's own server
(`oxigraph serve --union-default-graph` over a store filled by `oxigraph load`), both
loaded from the same N-Quads files: every quad two Hypatia ingests wrote (SciFact abstracts and a
sample of papers with authors, years, references and subjects), exported with `hypatia sparql`
and with each graph renamed out of the ones ingest owns (as `compare.py` does), plus a
BSBM-shaped dataset from `bsbm_data.py`. Queries: the `PAPER_QUERIES` below over Hypatia's own
paper graph, and BSBM's twelve explore queries with their placeholders filled from the generated
data. Each query is warmed up, then timed `--repeat` times on each server, the two servers
alternating; the result counts must agree.

Hybrid search: Hypatia's `/search?mode=hybrid` over HTTP (a `hypatia serve` over the SciFact
store; HTTP and JSON are Hypatia's handicap), LanceDB's hybrid query (its native full-text
index and a flat vector scan, fused by its default RRF reranker) and tantivy-py + hnswlib fused
by reciprocal rank fusion, in process. The peers index Hypatia's own passages (read from its
store), with vectors from the same ONNX model file run in Python by `ingest_stack.Embedder`;
every system embeds the query inside the timed call. SciFact training claims as queries;
passages collapse to documents at their best rank for nDCG@10 (trec_eval's linear gain).

Run by `scripts/peers_search.sh`, which creates the venv and passes the paths as arguments.
"""

import argparse
import hashlib
import http.client
import json
import math
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.parse
import warnings
from pathlib import Path

os.environ.setdefault("LANCEDB_LOG", "error")  # lance logs deprecation warnings on every query

import hnswlib  # noqa: E402
import lancedb  # noqa: E402
import numpy as np  # noqa: E402
import pyarrow as pa  # noqa: E402
import pyoxigraph as ox  # noqa: E402
import tantivy  # noqa: E402

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import bsbm_data  # noqa: E402
import compare  # noqa: E402
import ingest_stack  # noqa: E402

BSBM_GRAPH = "https://peers.example/graph/bsbm"
RRF_K = 60
HNSW_EF = 256  # Hypatia's ef_search (README, "Search at scale")
JSON_RESULTS = "application/sparql-results+json"
N_TRIPLES = "application/n-triples"


def fail(message):
    """Stops the run with a message naming this script."""
    sys.exit(f"peers_search: {message}")


# ---------------------------------------------------------------- the paper-graph queries

PREFIXES = """PREFIX hyp: <https://w3id.org/hypatia/ns#>
PREFIX schema: <http://schema.org/>
PREFIX cito: <http://purl.org/spar/cito/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX prov: <http://www.w3.org/ns/prov#>
"""

# What a user of a paper graph asks, each as an agent or a notebook would write it. `{paper}`,
# `{concept}`, `{author}` and `{word}` are filled from the data by `paper_query_values` (the
# paper with the most references, the concept with the most claims, the most prolific author, the
# most frequent title word), the same for both servers.
PAPER_QUERIES = [
    ("papers-per-year", """SELECT ?year (COUNT(DISTINCT ?p) AS ?papers) WHERE {
  ?p a schema:ScholarlyArticle ; hyp:year ?year .
} GROUP BY ?year ORDER BY ?year"""),
    ("top-authors", """SELECT ?name (COUNT(DISTINCT ?p) AS ?papers) WHERE {
  ?p a schema:ScholarlyArticle ; schema:author ?a . ?a schema:name ?name .
} GROUP BY ?name ORDER BY DESC(?papers) ?name LIMIT 20"""),
    ("coauthors-of-author", """SELECT ?other (COUNT(DISTINCT ?p) AS ?joint) WHERE {
  ?p schema:author ?a , ?b . ?a schema:name {author} . ?b schema:name ?other .
  FILTER(?other != {author})
} GROUP BY ?other ORDER BY DESC(?joint) ?other"""),
    ("paper-record", """SELECT ?title ?year ?venue ?name ?pos WHERE {
  {paper} schema:name ?title .
  OPTIONAL { {paper} hyp:year ?year }
  OPTIONAL { {paper} hyp:venue ?venue }
  OPTIONAL { {paper} schema:author ?a . ?a schema:name ?name ; schema:position ?pos }
} ORDER BY ?pos"""),
    ("bibliography-of-paper", """SELECT ?ordinal ?title ?year ?doi ?target WHERE {
  {paper} schema:citation ?ref . ?ref hyp:ordinal ?ordinal .
  OPTIONAL { ?ref schema:name ?title }
  OPTIONAL { ?ref schema:datePublished ?year }
  OPTIONAL { ?ref hyp:doi ?doi }
  OPTIONAL { ?ref hyp:resolvesTo ?target }
} ORDER BY ?ordinal"""),
    ("most-cited-references", """SELECT ?key (COUNT(DISTINCT ?p) AS ?citing) WHERE {
  ?p schema:citation ?ref . ?ref hyp:refKey ?key .
} GROUP BY ?key HAVING (COUNT(DISTINCT ?p) > 1) ORDER BY DESC(?citing) ?key LIMIT 25"""),
    ("references-per-decade", """SELECT ?decade (COUNT(?ref) AS ?refs) WHERE {
  ?p a schema:ScholarlyArticle ; schema:citation ?ref . ?ref schema:datePublished ?d .
  BIND(FLOOR(xsd:integer(SUBSTR(STR(?d), 1, 4)) / 10) * 10 AS ?decade)
} GROUP BY ?decade ORDER BY ?decade"""),
    ("top-concepts", """SELECT ?concept ?label (COUNT(DISTINCT ?p) AS ?papers) WHERE {
  ?p hyp:mentionsConcept ?concept . ?concept skos:prefLabel ?label .
} GROUP BY ?concept ?label ORDER BY DESC(?papers) ?label LIMIT 20"""),
    ("concept-cooccurrence", """SELECT ?other ?label (COUNT(DISTINCT ?p) AS ?papers) WHERE {
  ?p hyp:mentionsConcept {concept} , ?other . ?other skos:prefLabel ?label .
  FILTER(?other != {concept})
} GROUP BY ?other ?label ORDER BY DESC(?papers) ?label LIMIT 25"""),
    ("claims-about-concept", """SELECT ?claim ?quote ?polarity ?hedged ?paper ?title WHERE {
  ?claim a hyp:Claim ; schema:about {concept} ; hyp:exact ?quote ; hyp:polarity ?polarity ;
         hyp:hedged ?hedged ; schema:isBasedOn ?paper .
  OPTIONAL { ?paper schema:name ?title }
} ORDER BY ?paper ?quote"""),
    ("negative-claims-per-concept", """SELECT ?label (COUNT(?claim) AS ?claims) WHERE {
  ?claim a hyp:Claim ; hyp:polarity "negative" ; schema:about ?c . ?c skos:prefLabel ?label .
} GROUP BY ?label ORDER BY DESC(?claims) ?label LIMIT 20"""),
    ("passages-of-paper", """SELECT ?passage ?ordinal ?section ?text WHERE {
  ?passage hyp:passageOf {paper} ; hyp:ordinal ?ordinal ; hyp:section ?section ;
           oa:hasSelector ?q . ?q oa:exact ?text .
} ORDER BY ?ordinal"""),
    ("titles-containing-word", """SELECT ?p ?title WHERE {
  ?p a schema:ScholarlyArticle ; schema:name ?title .
  FILTER(CONTAINS(LCASE(?title), {word}))
} ORDER BY ?title"""),
    ("papers-citing-stored-papers", """SELECT ?citing ?cited ?title WHERE {
  ?citing cito:cites ?cited . ?cited schema:name ?title .
} ORDER BY ?citing ?cited"""),
]


def sparql_literal(s):
    """A SPARQL string literal (escaped) for a value read from the data."""
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def paper_query_values(args, store):
    """The values the paper queries are filled with, read from the loaded store (closed)."""

    def one(query, what):
        rows = list(ox.parse_query_results(compare.sparql_cli(args, store, PREFIXES + query).encode(),
                                           format=ox.QueryResultsFormat.TSV))
        if not rows:
            fail(f"the paper graph has no {what}; the paper queries need one")
        return rows[0]

    paper = one("""SELECT ?p (COUNT(?r) AS ?n) WHERE { ?p a schema:ScholarlyArticle ; schema:citation ?r ;
                   schema:author ?a } GROUP BY ?p ORDER BY DESC(?n) ?p LIMIT 1""", "paper with references and authors")
    concept = one("""SELECT ?c (COUNT(DISTINCT ?claim) AS ?n) WHERE { ?claim a hyp:Claim ; schema:about ?c .
                     ?c skos:prefLabel ?l } GROUP BY ?c ORDER BY DESC(?n) ?c LIMIT 1""", "concept with claims")
    author = one("""SELECT ?name (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p schema:author ?a . ?a schema:name ?name }
                    GROUP BY ?name ORDER BY DESC(?n) ?name LIMIT 1""", "author")
    titles = compare.sparql_cli(args, store, PREFIXES + "SELECT ?t WHERE { ?p a schema:ScholarlyArticle ; schema:name ?t }")
    words = {}
    for w in re.findall(r"[a-z]{6,}", titles.lower()):
        words[w] = words.get(w, 0) + 1
    if not words:
        fail("the paper graph has no titles; the paper queries need some")
    word = min(words, key=lambda w: (-words[w], w))  # the most frequent title word of 6 letters or more
    return {
        "{paper}": str(paper["p"]),
        "{concept}": str(concept["c"]),
        "{author}": sparql_literal(author["name"].value),
        "{word}": sparql_literal(word),
    }


def paper_queries(values):
    out = []
    for name, body in PAPER_QUERIES:
        for k, v in values.items():
            body = body.replace(k, v)
        out.append((name, "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n" + PREFIXES + body))
    return out


# ---------------------------------------------------------------- servers


class Servers:
    """Child servers, stopped on exit; their pids are also written to a file the calling shell
    script's EXIT trap reads, so that they stop even if this process is killed."""

    def __init__(self, pid_file):
        self.pid_file = Path(pid_file) if pid_file else None
        self.procs = []

    def start(self, name, cmd, log_path, url, env=None):
        log = open(log_path, "wb")
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env)
        self.procs.append(proc)
        if self.pid_file:
            with open(self.pid_file, "a") as f:
                f.write(f"{proc.pid}\n")
        deadline = time.time() + 300
        while time.time() < deadline:
            if proc.poll() is not None:
                fail(f"{name} died at start (exit {proc.returncode}):\n{Path(log_path).read_text(errors='replace')[-3000:]}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", url[1], timeout=5)
                conn.request("GET", url[2])
                conn.getresponse().read()
                conn.close()
                return proc
            except OSError:
                time.sleep(0.5)
        fail(f"{name} did not answer {url[2]} within 300 s; see {log_path}")

    def stop(self, proc):
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.procs.remove(proc)

    def stop_all(self):
        for p in list(self.procs):
            self.stop(p)


class Client:
    """One keep-alive HTTP/1.1 connection to one server."""

    def __init__(self, name, port):
        self.name = name
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=900)

    def request(self, method, path, body=None, headers=None):
        """(status, body bytes); reconnects once if the server closed the kept-alive connection."""
        for attempt in (0, 1):
            try:
                self.conn.request(method, path, body=body, headers=headers or {})
                r = self.conn.getresponse()
                return r.status, r.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=900)
                if attempt:
                    raise
        raise AssertionError("unreachable")


# ---------------------------------------------------------------- SPARQL


def query_form(text):
    m = re.search(r"^\s*(SELECT|CONSTRUCT|DESCRIBE|ASK)\b", re.sub(r"#[^\n]*", "", text), re.M | re.I)
    if not m:
        fail(f"cannot tell the form of a query:\n{text[:300]}")
    return m.group(1).upper()


def normalised_results(form, body):
    """(count, comparable content) of an answer: solutions or triples, blank nodes blanked."""
    if form in ("SELECT", "ASK"):
        doc = json.loads(body)
        if form == "ASK":
            return 1, [doc["boolean"]]
        rows = []
        for b in doc["results"]["bindings"]:
            row = []
            for var in sorted(b):
                t = b[var]
                value = "_:" if t["type"] == "bnode" else t["value"]
                row.append((var, t["type"].replace("typed-literal", "literal"), value, t.get("datatype", ""),
                            t.get("xml:lang", "").lower()))
            rows.append(tuple(row))
        return len(rows), sorted(rows)
    lines = [re.sub(r"_:\S+", "_:", line) for line in body.decode().splitlines() if line.strip()]
    return len(lines), sorted(lines)


def time_sparql(clients, paths, name, text, warmup, repeat):
    """Warm-up runs, then `repeat` timed runs per server (alternating which goes first); the
    per-server times in ms and result counts, and whether the contents agree."""
    form = query_form(text)
    accept = JSON_RESULTS if form in ("SELECT", "ASK") else N_TRIPLES
    headers = {"Content-Type": "application/sparql-query", "Accept": accept}
    body = text.encode()
    answers = {}
    for c in clients:
        for _ in range(warmup):
            status, data = c.request("POST", paths[c.name], body, headers)
            if status != 200:
                fail(f"{c.name} answered {status} to {name}: {data[:1000].decode(errors='replace')}\n{text}")
        answers[c.name] = normalised_results(form, data)
    times = {c.name: [] for c in clients}
    for r in range(repeat):
        for c in (clients if r % 2 == 0 else list(reversed(clients))):
            t = time.perf_counter()
            status, data = c.request("POST", paths[c.name], body, headers)
            times[c.name].append((time.perf_counter() - t) * 1000)
            if status != 200:
                fail(f"{c.name} answered {status} to {name}: {data[:1000].decode(errors='replace')}")
    return times, answers


def export_store(args, data, path):
    """Every quad of a closed store's named graphs as N-Quads in `path`, graphs renamed out of the
    ones ingest owns (which `hypatia load` refuses); the number of quads."""
    quads = compare.export_quads(args, data, path.with_suffix(".orig.nq"))
    renamed = [
        ox.Quad(q.subject, q.predicate, q.object,
                ox.NamedNode(q.graph_name.value.replace(compare.OWNED_GRAPHS, compare.RENAMED_GRAPHS, 1)))
        for q in quads
    ]
    path.write_bytes(ox.serialize(renamed, format=ox.RdfFormat.N_QUADS))
    path.with_suffix(".orig.nq").unlink()
    return len(renamed)


def run_sparql(args, stores, work, servers):
    """The SPARQL part: load both servers from the same files, time every query; the rows."""
    print("== SPARQL: exporting the ingested quads, generating BSBM data", flush=True)
    files, counts = [], {}
    for name, data in stores:
        nq = work / f"sparql-{name}.nq"
        counts[name] = export_store(args, data, nq)
        files.append(nq)
    bsbm_nq = work / "sparql-bsbm.nq"
    counts["bsbm"], model = bsbm_data.generate(args.bsbm_products, bsbm_nq, args.bsbm, BSBM_GRAPH)
    files.append(bsbm_nq)
    total = sum(counts.values())
    print("  quads: " + ", ".join(f"{k} {v}" for k, v in counts.items()) + f"; {total} in all "
          f"({args.bsbm_products} BSBM products)", flush=True)

    hyp_store = work / "sparql-hypatia"
    ox_store = work / "sparql-oxigraph"
    for d in (hyp_store, ox_store):
        shutil.rmtree(d, ignore_errors=True)
    log = work / "sparql-hypatia-load.log"
    t = time.perf_counter()
    with open(log, "wb") as f:
        code = subprocess.run([args.bin, "--data-dir", str(hyp_store), "load", *map(str, files)],
                              stdout=f, stderr=subprocess.STDOUT).returncode
    hyp_load = time.perf_counter() - t
    if code != 0 or len(compare.LOADED.findall(log.read_text())) != len(files):
        fail(f"hypatia load failed (exit {code}):\n{log.read_text()[-3000:]}")
    log = work / "sparql-oxigraph-load.log"
    t = time.perf_counter()
    with open(log, "wb") as f:
        code = subprocess.run([args.oxigraph, "load", "--location", str(ox_store), "--file", *map(str, files)],
                              stdout=f, stderr=subprocess.STDOUT).returncode
    ox_load = time.perf_counter() - t
    if code != 0:
        fail(f"oxigraph load failed (exit {code}):\n{log.read_text()[-3000:]}")
    print(f"  loaded: hypatia load {hyp_load:.1f} s, oxigraph load {ox_load:.1f} s (process wall times)", flush=True)

    queries = paper_queries(paper_query_values(args, hyp_store))
    queries += bsbm_data.fill_queries(Path(args.bsbm) / "queries" / "explore", model)

    hport, oport = compare.free_port(), compare.free_port()
    hyp = servers.start(
        "hypatia serve",
        [args.bin, "--data-dir", str(hyp_store), "serve", "--bind", f"127.0.0.1:{hport}", "--query-timeout", "600"],
        work / "sparql-hypatia-serve.log", ("127.0.0.1", hport, "/healthz"), env=dict(os.environ, HYPATIA_LOG="warn"))
    oxi = servers.start(
        f"oxigraph {args.oxigraph_mode}",
        [args.oxigraph, args.oxigraph_mode, "--location", str(ox_store), "--bind", f"127.0.0.1:{oport}",
         "--union-default-graph", "--timeout-s", "600"],
        work / "sparql-oxigraph-serve.log", ("127.0.0.1", oport, "/"))
    clients = [Client("hypatia", hport), Client("oxigraph", oport)]
    paths = {"hypatia": "/sparql", "oxigraph": "/query"}
    check = time_sparql(clients, paths, "count", "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", 1, 0)[1]
    if check["hypatia"] != check["oxigraph"]:
        fail(f"the two servers hold different quads: {check}")
    print(f"  both servers hold {check['hypatia'][1][0][0][2]} quads", flush=True)

    rows = []
    try:
        for name, text in queries:
            times, answers = time_sparql(clients, paths, name, text, args.warmup, args.repeat)
            (hn, hc), (on, oc) = answers["hypatia"], answers["oxigraph"]
            h, o = statistics.median(times["hypatia"]), statistics.median(times["oxigraph"])
            note = ""
            if hn != on:
                note = f"MISMATCH: {hn} results from Hypatia, {on} from Oxigraph"
                print(f"!! {name}: {note}", flush=True)
            elif hc != oc:
                note = "same count, other rows (ties under LIMIT?)"
            rows.append((name, hn, h, o, note))
            print(f"  {name}: {hn} results, hypatia {h:.2f} ms, oxigraph {o:.2f} ms", flush=True)
    finally:
        servers.stop(hyp)
        servers.stop(oxi)
    return rows


def print_sparql(rows, repeat):
    print()
    print(f"| query | results | Hypatia median ms | Oxigraph median ms | Hypatia ÷ Oxigraph (goal ≤ 1.10) | note |")
    print("|---|---|---|---|---|---|")
    for name, n, h, o, note in rows:
        print(f"| {name} | {n} | {h:.2f} | {o:.2f} | {h / o:.2f} | {note} |")
    for label, sel in (("paper graph", lambda r: not r[0].startswith("bsbm-")),
                       ("BSBM explore", lambda r: r[0].startswith("bsbm-")), ("all", lambda r: True)):
        ratios = [r[2] / r[3] for r in rows if sel(r)]
        if ratios:
            gm = math.exp(sum(math.log(x) for x in ratios) / len(ratios))
            print(f"| **geometric mean, {label}** ({len(ratios)} queries) | | | | **{gm:.2f}** | |")
    mism = [r[0] for r in rows if r[4].startswith("MISMATCH")]
    print(f"\n{repeat} timed runs per query and server, medians; result-count mismatches: "
          f"{', '.join(mism) if mism else 'none'}")


# ---------------------------------------------------------------- hybrid search

PASSAGES = PREFIXES + """SELECT ?passage ?corpus ?ordinal ?section ?title ?text WHERE {
  GRAPH ?g {
    ?passage hyp:passageOf ?paper ; hyp:ordinal ?ordinal ; hyp:section ?section ; oa:hasSelector ?q .
    ?q oa:exact ?text .
    ?paper hyp:corpusId ?corpus .
    OPTIONAL { ?paper schema:name ?title }
  }
}"""


def store_passages(args, data, work):
    """Every passage of the closed store: dicts with id (the passage key Hypatia's hits carry),
    doc (the BEIR corpus id), section, title, text; ordered by key."""
    tsv = work / "passages.tsv"
    with open(tsv, "wb") as f:
        subprocess.run([args.bin, "--data-dir", str(data), "sparql", PASSAGES], check=True, stdout=f)
    rows = []
    for s in ox.parse_query_results(path=str(tsv), format=ox.QueryResultsFormat.TSV):
        key = s["passage"].value.rsplit("/", 1)[-1]
        rows.append({
            "id": key,
            "doc": s["corpus"].value.split(":", 1)[1],
            "section": s["section"].value,
            "title": s["title"].value if s["title"] is not None else "",
            "text": s["text"].value,
        })
    tsv.unlink()
    if len({r["id"] for r in rows}) != len(rows):
        fail("a passage was read twice from the store (more than one version or title?)")
    rows.sort(key=lambda r: r["id"])
    return rows


def embed_passages(args, rows, work):
    """Vectors of every passage as Hypatia embeds them (title prefix on body passages), cached in
    the work folder by the passages' digest; (vectors, seconds, cached)."""
    texts = [ingest_stack.embedding_text(r["title"], r["section"], r["text"]) for r in rows]
    digest = hashlib.sha256("\x00".join(texts).encode() + args.model_dir.encode()).hexdigest()[:16]
    cache = work / f"vectors-{digest}.npy"
    if cache.exists():
        return np.load(cache), 0.0, True
    ingest_stack.THREADS = args.threads
    embedder = ingest_stack.Embedder(args.model_dir)
    t = time.perf_counter()
    vectors = embedder.embed(texts)
    elapsed = time.perf_counter() - t
    np.save(cache, vectors)
    return vectors, elapsed, False


def fts_text(r):
    return r["text"] if r["section"] == "title" or not r["title"] else f"{r['title']}\n{r['text']}"


class TantivyHnsw:
    """tantivy-py BM25 over title and text, hnswlib HNSW (cosine, M 16, ef_construction 200 as
    Hypatia's), reciprocal rank fusion of the two lists."""

    name = "tantivy-py + hnswlib (RRF)"

    def __init__(self, rows, vectors, work, depth):
        self.depth = depth
        t = time.perf_counter()
        sb = tantivy.SchemaBuilder()
        sb.add_unsigned_field("row", stored=True)
        sb.add_text_field("title", stored=False, tokenizer_name="en_stem")
        sb.add_text_field("text", stored=False, tokenizer_name="en_stem")
        path = work / "peer-tantivy"
        shutil.rmtree(path, ignore_errors=True)
        path.mkdir()
        self.index = tantivy.Index(sb.build(), path=str(path))
        writer = self.index.writer(heap_size=256_000_000, num_threads=1)
        for i, r in enumerate(rows):
            writer.add_document(tantivy.Document(row=i, title=r["title"], text=r["text"]))
        writer.commit()
        writer.wait_merging_threads()
        self.index.reload()
        self.searcher = self.index.searcher()
        self.tantivy_s = time.perf_counter() - t
        t = time.perf_counter()
        hnsw_path = work / "peer-vectors.hnsw"
        ingest_stack.write_hnsw(hnsw_path, vectors)
        self.hnsw = hnswlib.Index(space="cosine", dim=vectors.shape[1])
        self.hnsw.load_index(str(hnsw_path), max_elements=len(vectors))
        self.hnsw.set_ef(max(HNSW_EF, depth))
        self.hnsw.set_num_threads(1)
        self.hnsw_s = time.perf_counter() - t
        self.build = f"tantivy {self.tantivy_s:.1f} s, hnswlib {self.hnsw_s:.1f} s"

    def search(self, q, qvec, k):
        words = re.sub(r"[^\w]+", " ", q.lower()).strip()
        bm25 = []
        if words:
            query = self.index.parse_query(words, ["title", "text"])
            bm25 = [self.searcher.doc(addr)["row"][0] for _, addr in self.searcher.search(query, self.depth).hits]
        labels, _ = self.hnsw.knn_query(qvec, k=min(self.depth, self.hnsw.get_current_count()))
        return rrf([bm25, [int(x) for x in labels[0]]], k)


def rrf(lists, k):
    scores = {}
    for ranking in lists:
        for rank, row in enumerate(ranking):
            scores[row] = scores.get(row, 0.0) + 1.0 / (RRF_K + rank + 1)
    return [row for row, _ in sorted(scores.items(), key=lambda x: (-x[1], x[0]))[:k]]


class Lance:
    """LanceDB: a table of the passages with their vectors, its native full-text index on title +
    text (its defaults: English stemming, stop words removed), hybrid queries fused by its default
    reranker (RRF, k 60). No vector index: at this size LanceDB scans the vectors exactly."""

    name = "LanceDB hybrid"

    def __init__(self, rows, vectors, work, depth):
        self.depth = depth
        t = time.perf_counter()
        path = work / "peer-lancedb"
        shutil.rmtree(path, ignore_errors=True)
        db = lancedb.connect(str(path))
        table = pa.table({
            "row": pa.array(range(len(rows)), pa.int32()),
            "fts": [fts_text(r) for r in rows],
            "vector": pa.FixedSizeListArray.from_arrays(pa.array(vectors.ravel(), pa.float32()), vectors.shape[1]),
        })
        self.table = db.create_table("passages", table)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.table.create_fts_index("fts")
        self.build = f"table + full-text index {time.perf_counter() - t:.1f} s"

    def search(self, q, qvec, k):
        res = (self.table.search(query_type="hybrid").vector(qvec[0]).text(q).limit(self.depth)
               .select(["row"]).to_arrow())
        return res.column("row").to_pylist()[:k]


class HypatiaHttp:
    """`/search?mode=hybrid` of a running `hypatia serve`: the passage keys of its hits."""

    name = "Hypatia /search hybrid (HTTP)"

    def __init__(self, port, key_to_row):
        self.client = Client("hypatia", port)
        self.key_to_row = key_to_row
        self.build = "see its ingest above"

    def search(self, q, qvec, k):
        path = "/search?" + urllib.parse.urlencode({"q": q, "mode": "hybrid", "k": k})
        status, body = self.client.request("GET", path)
        if status != 200:
            fail(f"hypatia /search answered {status}: {body[:500].decode(errors='replace')}")
        return body

    def rows(self, body):
        out = []
        for h in json.loads(body)["hits"]:
            key = h["citation"]["passage"]
            if key not in self.key_to_row:
                fail(f"hypatia returned passage {key}, which the passage export did not have")
            out.append(self.key_to_row[key])
        return out


def load_judged(scifact):
    """SciFact training claims that have judgements, in file order: (id, text, {doc: grade})."""
    qrels = {}
    with open(Path(scifact) / "qrels-train.tsv", encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 3 or parts[0] in ("query-id", "query_id"):
                continue
            qrels.setdefault(parts[0], {})[parts[1]] = int(parts[2])
    out = []
    with open(Path(scifact) / "queries-train.jsonl", encoding="utf-8") as f:
        for line in f:
            if line.strip():
                q = json.loads(line)
                if str(q["_id"]) in qrels:
                    out.append((str(q["_id"]), q["text"], qrels[str(q["_id"])]))
    if not out:
        fail(f"no judged queries in {scifact}")
    return out


def ndcg10(docs, relevant):
    """nDCG@10 as trec_eval's ndcg_cut (linear gain), as Hypatia's `eval beir` computes it."""
    dcg = sum(relevant.get(d, 0) / math.log2(i + 2) for i, d in enumerate(docs[:10]))
    ideal = sorted(relevant.values(), reverse=True)[:10]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def docs_in_order(rows_ranked, rows):
    seen, out = set(), []
    for i in rows_ranked:
        d = rows[i]["doc"]
        if d not in seen:
            seen.add(d)
            out.append(d)
    return out


def run_search(args, scifact_store, work, servers):
    print("== hybrid search: reading Hypatia's passages, embedding them for the peers", flush=True)
    rows = store_passages(args, scifact_store, work)
    vectors, embed_s, cached = embed_passages(args, rows, work)
    print(f"  {len(rows)} passages of {len({r['doc'] for r in rows})} documents; embedding "
          + ("read from the cache" if cached else f"{embed_s:.1f} s ({len(rows) / embed_s:.1f} passages/s, "
                                                  f"{args.threads} threads)"), flush=True)
    peers = [TantivyHnsw(rows, vectors, work, args.depth), Lance(rows, vectors, work, args.depth)]
    for p in peers:
        print(f"  {p.name} built: {p.build}", flush=True)
    ingest_stack.THREADS = args.query_threads
    qembed = ingest_stack.Embedder(args.model_dir)
    # Warm-up claims come from the end of the list, apart from the timed ones when a limit leaves room.
    all_judged = load_judged(args.scifact)
    judged = all_judged[: args.query_limit] if args.query_limit else all_judged
    warm = all_judged[-args.search_warmup:] if args.search_warmup else []

    port = compare.free_port()
    proc = servers.start(
        "hypatia serve",
        compare.hypatia_cmd(args, scifact_store, "serve", "--bind", f"127.0.0.1:{port}"),
        work / "search-hypatia-serve.log", ("127.0.0.1", port, "/healthz"), env=dict(os.environ, HYPATIA_LOG="warn"))
    hyp = HypatiaHttp(port, {r["id"]: i for i, r in enumerate(rows)})
    systems = [hyp] + peers
    times = {s.name: [] for s in systems}
    ndcg = {s.name: [] for s in systems}
    short = {s.name: 0 for s in systems}

    def run(system, text):
        t = time.perf_counter()
        if system is hyp:
            body = hyp.search(text, None, args.k)
            elapsed = time.perf_counter() - t
            return hyp.rows(body), elapsed
        qvec = qembed.embed_batch([text])
        ranked = system.search(text, qvec, args.k)
        return ranked, time.perf_counter() - t

    try:
        for _, text, _ in warm:
            for s in systems:
                run(s, text)
        for n, (_, text, relevant) in enumerate(judged):
            order = systems[n % len(systems):] + systems[: n % len(systems)]
            for s in order:
                ranked, elapsed = run(s, text)
                times[s.name].append(elapsed * 1000)
                docs = docs_in_order(ranked, rows)
                if len(docs) < 10:
                    short[s.name] += 1
                ndcg[s.name].append(ndcg10(docs, relevant))
            if (n + 1) % 100 == 0:
                print(f"  {n + 1}/{len(judged)} queries", flush=True)
    finally:
        servers.stop(proc)
    return systems, times, ndcg, short, len(judged), len(rows), embed_s, cached


def print_search(args, result):
    systems, times, ndcg, short, nq, npass, embed_s, cached = result
    hyp = systems[0].name
    hp50, hp99 = np.percentile(times[hyp], 50), np.percentile(times[hyp], 99)
    print()
    print(f"Hybrid search, SciFact: {nq} judged training claims, {npass} passages (Hypatia's), k = {args.k} "
          f"passages a query collapsed to documents; peers fuse {args.depth} candidates per retriever; "
          f"query embedding inside every timed call ({args.query_threads} ONNX thread(s) for the peers' queries, "
          f"Hypatia's own one-thread query session)")
    print()
    print("| system | p50 ms | p99 ms | p50 ÷ Hypatia | p99 ÷ Hypatia | nDCG@10 | queries with < 10 documents | build |")
    print("|---|---|---|---|---|---|---|---|")
    for s in systems:
        t = times[s.name]
        p50, p99 = np.percentile(t, 50), np.percentile(t, 99)
        build = s.build if s.name != hyp else "ingest (above)"
        print(f"| {s.name} | {p50:.1f} | {p99:.1f} | {p50 / hp50:.2f} | {p99 / hp99:.2f} | "
              f"{statistics.fmean(ndcg[s.name]):.3f} | {short[s.name]} | {build} |")
    emb = "cached from an earlier run" if cached else f"{embed_s:.1f} s"
    print(f"\nPeers' shared build step: embedding {npass} passages in Python {emb}.")


# ---------------------------------------------------------------- the run


def ingest(args, name, input_path, work):
    """`hypatia ingest` into `work/hypatia-NAME` (kept and reused when a previous run in the same
    work folder finished it); the store's folder."""
    done = work / f"hypatia-{name}.done"
    if done.exists():
        print(f"== {name}: reusing the store of an earlier run: {done.read_text().strip()}", flush=True)
        return work / f"hypatia-{name}"
    shutil.rmtree(work / f"hypatia-{name}", ignore_errors=True)
    print(f"== {name}: hypatia ingest {input_path}", flush=True)
    h = compare.hypatia_ingest(args, name, input_path, work)
    line = (f"{h['papers']} papers, {h['passages']} passages, {h['quads']} quads in {h['wall_s']:.1f} s "
            f"(peak RSS {h['peak_rss_mb']:.0f} MB)")
    print(f"  {line}", flush=True)
    done.write_text(line + "\n")
    return h["data"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bin", required=True, help="the hypatia binary")
    ap.add_argument("--oxigraph", required=True, help="the oxigraph CLI (PyPI oxigraph)")
    ap.add_argument("--model-dir", required=True)
    ap.add_argument("--ort-library", required=True)
    ap.add_argument("--threads", type=int, default=2, help="model threads for ingest and bulk embedding")
    ap.add_argument("--query-threads", type=int, default=1, help="model threads of the peers' query embedding")
    ap.add_argument("--scifact", required=True, help="BEIR folder: corpus.jsonl, queries-train.jsonl, qrels-train.tsv")
    ap.add_argument("--scifact-input", required=True, help="the corpus.jsonl to ingest (a folder named scifact)")
    ap.add_argument("--papers", required=True, help="a file or folder of papers with authors and references")
    ap.add_argument("--bsbm", required=True, help="the BSBM folder (titlewords.txt, givennames.txt, queries/explore)")
    ap.add_argument("--oxigraph-mode", choices=["serve", "serve-read-only"], default="serve")
    ap.add_argument("--bsbm-products", type=int, default=10000)
    ap.add_argument("--repeat", type=int, default=20, help="timed runs of each SPARQL query per server")
    ap.add_argument("--warmup", type=int, default=2, help="untimed runs of each SPARQL query per server")
    ap.add_argument("--query-limit", type=int, default=0, help="the first N judged claims only (0: all)")
    ap.add_argument("--search-warmup", type=int, default=20, help="claims run untimed first on every system")
    ap.add_argument("--k", type=int, default=30, help="passages a search returns")
    ap.add_argument("--depth", type=int, default=100, help="candidates per retriever the peers fuse")
    ap.add_argument("--parts", default="sparql,search")
    ap.add_argument("--work", required=True)
    ap.add_argument("--pid-file", help="append the pid of every server started here to this file")
    args = ap.parse_args()
    parts = set(args.parts.split(","))
    if not parts <= {"sparql", "search"}:
        fail(f"--parts takes sparql and/or search, not {args.parts}")

    # A TERM from the shell's trap unwinds like an exception, so that the servers stop.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("peers_search: terminated"))
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    servers = Servers(args.pid_file)
    try:
        scifact_store = ingest(args, "scifact", Path(args.scifact_input), work)
        sparql_rows = search = None
        if "sparql" in parts:
            papers_store = ingest(args, "papers", Path(args.papers), work)
            sparql_rows = run_sparql(args, [("scifact", scifact_store), ("papers", papers_store)], work, servers)
        if "search" in parts:
            search = run_search(args, scifact_store, work, servers)
        if sparql_rows is not None:
            print_sparql(sparql_rows, args.repeat)
        if search is not None:
            print_search(args, search)
    finally:
        servers.stop_all()


if __name__ == "__main__":
    main()
