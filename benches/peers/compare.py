"""Hypatia's ingest side by side with the Python stack of `ingest_stack.py`, on the same files.

For each dataset (SciFact's corpus.jsonl, a folder of JATS full texts) runs `hypatia ingest` into
a fresh data folder and `ingest_stack.py` into a fresh output folder, each as a child process
whose wall time and peak RSS (`ru_maxrss` from wait4) are measured here, and prints one table.

Then the RDF load alone: the quads Hypatia wrote for each dataset, exported with
`hypatia sparql` and written as N-Quads, loaded (a) into a fresh pyoxigraph store by `bulk_load`
(b) into a fresh Hypatia store by `hypatia load` (oxigraph's bulk loader, as pyoxigraph's), with
every graph renamed out of the graphs ingest owns, which only ingest may write, and (c) through a
running `hypatia serve --writes` the way a client without file access writes raw quads there:
SPARQL Update `INSERT DATA` requests of at most 15 MB that keep every quad's (renamed) graph, and
Graph Store Protocol POSTs of N-Triples into one graph.

Run by `scripts/peers_ingest.sh`, which sets up the venv and passes the paths as arguments.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pyoxigraph as ox

HERE = Path(__file__).resolve().parent
OWNED_GRAPHS = "https://w3id.org/hypatia/id/graph/"
RENAMED_GRAPHS = "https://peers.example/graph/"
UPDATE_CHUNK = 15 << 20
GSP_CHUNK = 60 << 20


def run_child(cmd, log_path, env=None):
    """Runs `cmd` with its output in `log_path`; returns (wall s, peak RSS MB, exit code)."""
    with open(log_path, "wb") as log:
        t = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t
    proc.returncode = os.waitstatus_to_exitcode(status)
    return wall, usage.ru_maxrss / 1024, proc.returncode


def hypatia_cmd(args, data_dir, *rest):
    """A hypatia command line on `data_dir` with the model, runtime and threads given."""
    return [
        args.bin,
        "--data-dir",
        str(data_dir),
        "--model-dir",
        args.model_dir,
        "--ort-library",
        args.ort_library,
        "--embed-threads",
        str(args.threads),
        *rest,
    ]


INGESTED = re.compile(r"ingested (\d+) papers.*?, (\d+) passages, (\d+) triples .*? in ([\d.]+)s")


def run_hypatia(args, data, log, pattern, what, *rest):
    """`hypatia` with the arguments `rest` on the store `data`, as a child process with its output
    in `log`: (wall s, peak RSS MB, the match of `pattern` in the output). Exits naming `what`
    when the command fails or prints no match."""
    wall, rss, code = run_child(hypatia_cmd(args, data, *rest), log)
    text = log.read_text(errors="replace")
    m = pattern.search(text)
    if code != 0 or not m:
        sys.exit(f"peers: {what} failed (exit {code}):\n{text[-3000:]}")
    return wall, rss, m


def stored_quads(args, data):
    """The quads in the named graphs of a closed store."""
    return int(sparql_cli(args, data, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }").split()[1])


def hypatia_ingest(args, name, input_path, work):
    """`hypatia ingest` of one dataset into a fresh store; its measurements."""
    data = work / f"hypatia-{name}"
    log = work / f"hypatia-{name}.log"
    wall, rss, m = run_hypatia(args, data, log, INGESTED, f"hypatia ingest of {name}", "ingest", str(input_path))
    papers, passages, triples, own = int(m[1]), int(m[2]), int(m[3]), float(m[4])
    quads = stored_quads(args, data)
    return {
        "data": data,
        "papers": papers,
        "passages": passages,
        "triples_reported": triples,
        "quads": quads,
        "wall_s": wall,
        "own_s": own,
        "peak_rss_mb": rss,
        "passages_per_s": passages / wall,
    }


def python_ingest(args, name, fmt, input_path, work):
    """`ingest_stack.py` on one dataset into fresh indexes; its measurements."""
    out = work / f"python-{name}"
    result = work / f"python-{name}.json"
    log = work / f"python-{name}.log"
    cmd = [
        sys.executable,
        str(HERE / "ingest_stack.py"),
        "--format",
        fmt,
        "--input",
        str(input_path),
        "--out",
        str(out),
        "--model-dir",
        args.model_dir,
        "--json",
        str(result),
    ]
    env = dict(os.environ, PEERS_THREADS=str(args.threads))
    wall, rss, code = run_child(cmd, log, env)
    if code != 0:
        sys.exit(f"peers: the Python stack failed on {name} (exit {code}):\n{log.read_text()[-3000:]}")
    r = json.loads(result.read_text())
    print("  " + log.read_text().strip().replace("\n", "\n  "))
    r.update(wall_s=wall, peak_rss_mb=rss, passages_per_s=r["passages"] / wall)
    return r


def sparql_cli(args, data, query):
    """A SELECT through `hypatia sparql` on a closed store, as TSV."""
    return subprocess.run(
        [args.bin, "--data-dir", str(data), "sparql", query], check=True, capture_output=True, text=True
    ).stdout


def export_quads(args, data, path):
    """Writes every quad of the store's named graphs (all that ingest writes) as N-Quads."""
    tsv = path.with_suffix(".tsv")
    with open(tsv, "wb") as f:
        subprocess.run(
            [args.bin, "--data-dir", str(data), "sparql", "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }"],
            check=True,
            stdout=f,
        )
    quads = [
        ox.Quad(s["s"], s["p"], s["o"], s["g"])
        for s in ox.parse_query_results(path=str(tsv), format=ox.QueryResultsFormat.TSV)
    ]
    path.write_bytes(ox.serialize(quads, format=ox.RdfFormat.N_QUADS))
    tsv.unlink()
    return quads


def pyoxigraph_load(nquads, store_dir):
    """Seconds for `bulk_load` of the N-Quads file into a fresh store, and the quads it holds."""
    store = ox.Store(str(store_dir))
    t = time.perf_counter()
    store.bulk_load(path=str(nquads), format=ox.RdfFormat.N_QUADS)
    elapsed = time.perf_counter() - t
    n = len(store)
    del store
    return elapsed, n


def chunks(pieces, limit):
    """Groups byte strings into bodies of at most `limit` bytes (a piece is never split)."""
    body, size = [], 0
    for p in pieces:
        if body and size + len(p) > limit:
            yield b"".join(body)
            body, size = [], 0
        body.append(p)
        size += len(p)
    if body:
        yield b"".join(body)


def update_bodies(quads):
    """SPARQL Update `INSERT DATA` requests holding every quad, graph by graph, each graph
    renamed out of the graphs ingest owns."""
    graphs = {}
    for q in quads:
        graphs.setdefault(q.graph_name.value, []).append(ox.Triple(q.subject, q.predicate, q.object))
    pieces = []
    for g, triples in graphs.items():
        renamed = g.replace(OWNED_GRAPHS, RENAMED_GRAPHS, 1)
        body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
        pieces.append(b"GRAPH <" + renamed.encode() + b"> {\n" + body + b"}\n")
    for chunk in chunks(pieces, UPDATE_CHUNK):
        yield b"INSERT DATA {\n" + chunk + b"}\n"


def gsp_bodies(quads):
    """N-Triples bodies of every quad's triple, for Graph Store Protocol POSTs."""
    lines = ox.serialize([ox.Triple(q.subject, q.predicate, q.object) for q in quads], format=ox.RdfFormat.N_TRIPLES)
    yield from chunks(lines.splitlines(keepends=True), GSP_CHUNK)


def free_port():
    """A free TCP port on loopback."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(url, body=None, content_type=None, accept=None):
    """One HTTP request; the response body."""
    req = urllib.request.Request(url, data=body, method="POST" if body is not None else "GET")
    if content_type:
        req.add_header("Content-Type", content_type)
    if accept:
        req.add_header("Accept", accept)
    with urllib.request.urlopen(req, timeout=3600) as r:
        return r.read()


LOADED = re.compile(r"loaded (\d+) quads from .* in ([\d.]+)s")


def hypatia_bulk_load(args, quads, work, name):
    """`hypatia load` of the quads (graphs renamed out of the owned ones) into a fresh store:
    the seconds it reports for the load itself (from the first byte read to the flush after the
    commit, as pyoxigraph's `bulk_load` call is timed), and the quads then stored."""
    nq = work / f"renamed-{name}.nq"
    renamed = [
        ox.Quad(q.subject, q.predicate, q.object, ox.NamedNode(q.graph_name.value.replace(OWNED_GRAPHS, RENAMED_GRAPHS, 1)))
        for q in quads
    ]
    nq.write_bytes(ox.serialize(renamed, format=ox.RdfFormat.N_QUADS))
    data = work / f"bulkload-{name}"
    log = work / f"bulkload-{name}.log"
    wall, _, m = run_hypatia(args, data, log, LOADED, f"hypatia load of {name}", "load", str(nq))
    return float(m[2]), stored_quads(args, data), wall


def hypatia_load(args, bodies, data_dir, log_path, target, content_type):
    """Seconds for a fresh `hypatia serve --writes` to take every body (POSTed to `target`),
    and how many quads it then holds in named graphs."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with open(log_path, "wb") as log:
        server = subprocess.Popen(
            hypatia_cmd(args, data_dir, "serve", "--writes", "--bind", f"127.0.0.1:{port}"),
            stdout=log,
            stderr=subprocess.STDOUT,
            env=dict(os.environ, HYPATIA_LOG="warn"),
        )
    try:
        for _ in range(240):
            if server.poll() is not None:
                sys.exit(f"peers: hypatia serve died:\n{Path(log_path).read_text()[-3000:]}")
            try:
                request(url + "/healthz")
                break
            except OSError:
                time.sleep(0.5)
        t = time.perf_counter()
        n_requests = 0
        for body in bodies:
            request(url + target, body, content_type)
            n_requests += 1
        elapsed = time.perf_counter() - t
        count = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
        answer = request(
            url + "/sparql?query=" + urllib.parse.quote(count), accept="application/sparql-results+json"
        )
        stored = int(json.loads(answer)["results"]["bindings"][0]["n"]["value"])
        return elapsed, stored, n_requests
    finally:
        server.terminate()
        server.wait()


def rdf_load(args, name, hyp, work):
    """The RDF load alone for one dataset's quads: pyoxigraph `bulk_load` against Hypatia's
    write endpoints."""
    nq = work / f"quads-{name}.nq"
    quads = export_quads(args, hyp["data"], nq)
    py_s, py_n = pyoxigraph_load(nq, work / f"oxload-{name}")
    bulk_s, bulk_n, bulk_wall = hypatia_bulk_load(args, quads, work, name)
    bodies = list(update_bodies(quads))
    up_s, up_n, up_r = hypatia_load(
        args, bodies, work / f"upload-{name}", work / f"serve-update-{name}.log", "/sparql", "application/sparql-update"
    )
    bodies = list(gsp_bodies(quads))
    graph = urllib.parse.quote("https://peers.example/loaded", safe="")
    gsp_s, gsp_n, gsp_r = hypatia_load(
        args, bodies, work / f"gspload-{name}", work / f"serve-gsp-{name}.log", f"/store?graph={graph}", "application/n-triples"
    )
    return {
        "quads": len(quads),
        "nquads_mb": nq.stat().st_size / 1e6,
        "pyoxigraph": (py_s, py_n, 1),
        "bulk": (bulk_s, bulk_n, bulk_wall),
        "update": (up_s, up_n, up_r),
        "gsp": (gsp_s, gsp_n, gsp_r),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bin", required=True, help="the hypatia binary")
    ap.add_argument("--model-dir", required=True)
    ap.add_argument("--ort-library", required=True)
    ap.add_argument("--threads", type=int, default=2, help="model threads on both sides")
    ap.add_argument("--scifact", required=True, help="a BEIR corpus.jsonl")
    ap.add_argument("--jats", required=True, help="a folder of JATS XML files")
    ap.add_argument("--work", help="keep everything in this folder (default: a temporary one, removed)")
    args = ap.parse_args()

    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="peers-"))
    work.mkdir(parents=True, exist_ok=True)
    datasets = [("SciFact", "beir", Path(args.scifact)), ("JATS sample", "jats", Path(args.jats))]
    rows, loads = [], []
    try:
        for name, fmt, path in datasets:
            slug = fmt
            print(f"== {name}: hypatia ingest {path}", flush=True)
            h = hypatia_ingest(args, slug, path, work)
            print(
                f"  hypatia: {h['papers']} papers, {h['passages']} passages, {h['quads']} quads in "
                f"{h['wall_s']:.1f} s (its own report: {h['own_s']:.1f} s), peak RSS {h['peak_rss_mb']:.0f} MB",
                flush=True,
            )
            print(f"== {name}: python stack", flush=True)
            p = python_ingest(args, slug, fmt, path, work)
            rows.append((name, h, p))
            print(f"== {name}: RDF load alone", flush=True)
            loads.append((name, rdf_load(args, slug, h, work)))
        print_tables(rows, loads)
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)


def print_tables(rows, loads):
    """The ingest table and the RDF-load table, as Markdown."""
    print()
    print("| dataset | papers | passages (Hypatia / Python) | Hypatia wall s | Python wall s | Python ÷ Hypatia (goal ≥ 2) "
          "| peak RSS MB (Hypatia / Python) | passages/s (Hypatia / Python) | quads written (Hypatia / Python) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, h, p in rows:
        print(
            f"| {name} | {h['papers']} | {h['passages']} / {p['passages']} | {h['wall_s']:.1f} | {p['wall_s']:.1f} "
            f"| {p['wall_s'] / h['wall_s']:.2f} | {h['peak_rss_mb']:.0f} / {p['peak_rss_mb']:.0f} "
            f"| {h['passages_per_s']:.1f} / {p['passages_per_s']:.1f} | {h['quads']} / {p['quads']} |"
        )
    print()
    print("| RDF load alone | quads (N-Quads MB) | pyoxigraph bulk_load s | Hypatia `hypatia load` s (process wall s) "
          "| pyoxigraph ÷ `hypatia load` (goal ≥ 0.8) | Hypatia SPARQL Update INSERT DATA s (requests) "
          "| Hypatia Graph Store POST s (requests) | pyoxigraph ÷ best HTTP path |")
    print("|---|---|---|---|---|---|---|---|")
    for name, r in loads:
        py, bulk, up, gsp = r["pyoxigraph"], r["bulk"], r["update"], r["gsp"]
        best = min(up[0], gsp[0])
        print(
            f"| {name} | {r['quads']} ({r['nquads_mb']:.0f}) | {py[0]:.2f} | {bulk[0]:.2f} ({bulk[2]:.2f}) "
            f"| {py[0] / bulk[0]:.2f} | {up[0]:.2f} ({up[2]}) | {gsp[0]:.2f} ({gsp[2]}) | {py[0] / best:.2f} |"
        )
        print(
            f"|  stored quads | | {py[1]} | {bulk[1]} | | {up[1]} | {gsp[1]} (one graph: duplicates across graphs merge) | |"
        )


if __name__ == "__main__":
    main()
