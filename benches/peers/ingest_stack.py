"""The ingest a lab would write in Python, for comparison with `hypatia ingest`.

Reads SciFact's BEIR `corpus.jsonl` or a folder of JATS XML full texts, cuts each paper into
passages the way Hypatia does (a title passage, then windows of at most 160 words cut at sentence
ends with up to 32 words of overlap, per abstract and body section), embeds every passage with
the same ONNX file through onnxruntime (mean pooling, unit length, 256 tokens at most, batches
sorted by length), and writes the three indexes Hypatia keeps: a tantivy-py full-text index, an
hnswlib HNSW index (cosine, M 16, ef_construction 200, as `src/store/vector.rs`) and an oxigraph
RDF store filled by `bulk_load` from N-Quads built per paper.

    python ingest_stack.py --format beir --input corpus.jsonl --out DIR --model-dir MODEL
    python ingest_stack.py --format jats --input FOLDER --out DIR --model-dir MODEL --json r.json

Prints the wall time of each stage, passages/s and peak RSS; `--json` also writes them to a file.
"""

import argparse
import json
import os
import re
import resource
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import hnswlib
import numpy as np
import onnxruntime as ort
import pyoxigraph as ox
import tantivy
from tokenizers import Tokenizer

MAX_WORDS = 160
OVERLAP_WORDS = 32
MAX_TOKENS = 256
BATCH = int(os.environ.get("PEERS_BATCH", "32"))
THREADS = int(os.environ.get("PEERS_THREADS", "2"))
BASE = "https://peers.example/id/"
SCHEMA = "http://schema.org/"
HYP = "https://peers.example/ns#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


# ---------------------------------------------------------------- reading the inputs


def read_beir(path):
    """Yields papers from a BEIR corpus.jsonl: dicts with key, title, abstract, sections."""
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            rec = json.loads(line)
            yield {
                "key": "scifact-" + str(rec["_id"]),
                "title": rec.get("title", "").strip(),
                "abstract": [p for p in rec.get("text", "").split("\n\n") if p.strip()],
                "sections": [],
            }


def local(tag):
    """An element tag without its namespace."""
    return tag.rsplit("}", 1)[-1]


def flat_text(el):
    """The text of an element and its descendants, whitespace collapsed."""
    return " ".join("".join(el.itertext()).split())


def caption(float_el):
    """A figure's or table's label and caption as one paragraph ("Fig 1. Caption..."), or ""."""
    cap = float_el.find("caption")
    if cap is None or not flat_text(cap):
        return ""
    label = float_el.find("label")
    label = flat_text(label) if label is not None else ""
    return f"{label}. {flat_text(cap)}" if label else flat_text(cap)


def section_paragraphs(sec):
    """The paragraphs that belong to `sec` itself (not to nested sections), figure and table
    captions included where they stand; the tables' cells are left out."""
    out = []
    for child in sec:
        name = local(child.tag)
        if name == "p":
            out.append(flat_text(child))
        elif name in ("fig", "table-wrap"):
            out.append(caption(child))
        elif name in ("sec", "title", "label", "ref-list", "fn-group", "disp-formula"):
            continue
        else:
            out.extend(section_paragraphs(child))
    return [p for p in out if p]


def jats_sections(body):
    """(heading, paragraphs) of every section of a JATS <body>, nested ones in document order;
    paragraphs outside any section form a section without heading."""
    sections = []
    loose = section_paragraphs(body)
    if loose:
        sections.append(("", loose))

    def walk(sec):
        title = sec.find("title")
        heading = flat_text(title) if title is not None else ""
        paras = section_paragraphs(sec)
        if paras:
            sections.append((heading, paras))
        for child in sec:
            if local(child.tag) == "sec":
                walk(child)

    for child in body:
        if local(child.tag) == "sec":
            walk(child)
    return sections


def read_jats(path):
    """One paper from a JATS XML file (title, main abstract, body sections), or None."""
    root = ET.parse(path).getroot()
    meta = root.find("front/article-meta")
    if meta is None:
        return None
    title_el = meta.find("title-group/article-title")
    title = flat_text(title_el) if title_el is not None else ""
    abstracts = meta.findall("abstract")
    main = [a for a in abstracts if "abstract-type" not in a.attrib] or abstracts
    abstract = []
    if main:
        abstract = [flat_text(p) for p in main[0].iter("p")] or [flat_text(main[0])]
    body = root.find("body")
    sections = jats_sections(body) if body is not None else []
    doi = meta.find("article-id[@pub-id-type='doi']")
    key = doi.text.strip() if doi is not None and doi.text else Path(path).stem
    return {
        "key": re.sub(r"[^A-Za-z0-9._-]", "_", key),
        "title": title,
        "abstract": [p for p in abstract if p],
        "sections": sections,
    }


def read_papers(fmt, path):
    """Every paper of the input: a BEIR file, or the .xml/.nxml files of a folder (sorted)."""
    if fmt == "beir":
        yield from read_beir(path)
        return
    for f in sorted(Path(path).iterdir()):
        if f.suffix in (".xml", ".nxml"):
            paper = read_jats(f)
            if paper is not None:
                yield paper


# ---------------------------------------------------------------- passages

SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9])")


def sentence_units(paragraph):
    """The sentences of a paragraph as word lists; a sentence over MAX_WORDS words is cut into
    windows of MAX_WORDS."""
    units = []
    for sentence in SENTENCE_END.split(paragraph):
        words = sentence.split()
        for i in range(0, len(words), MAX_WORDS):
            if words[i : i + MAX_WORDS]:
                units.append(words[i : i + MAX_WORDS])
    return units


def windows(paragraphs):
    """Passages of one block: whole sentences packed to at most MAX_WORDS words, the next window
    starting with the last sentences of the previous one that fit in OVERLAP_WORDS."""
    units = [u for p in paragraphs for u in sentence_units(p)]
    out, i = [], 0
    while i < len(units):
        j, words = i, 0
        while j < len(units) and (j == i or words + len(units[j]) <= MAX_WORDS):
            words += len(units[j])
            j += 1
        out.append(" ".join(w for u in units[i:j] for w in u))
        if j >= len(units):
            break
        k, overlap = j, 0
        while k > i + 1 and overlap + len(units[k - 1]) <= OVERLAP_WORDS:
            k -= 1
            overlap += len(units[k])
        i = k
    return out


def passages(paper):
    """(section, text) of every passage of a paper: the title, then each block's windows."""
    out = [("title", paper["title"])] if paper["title"] else []
    out += [("abstract", w) for w in windows(paper["abstract"])]
    for heading, paras in paper["sections"]:
        out += [(heading or "body", w) for w in windows(paras)]
    return out


def embedding_text(title, section, text):
    """Body passages carry their paper's title, as Hypatia embeds them."""
    return text if section == "title" or not title else f"{title}. {text}"


# ---------------------------------------------------------------- embedding


class Embedder:
    """all-MiniLM-L6-v2 through onnxruntime: mean-pooled, unit-length sentence vectors."""

    def __init__(self, model_dir):
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = THREADS
        opts.inter_op_num_threads = 1
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.session = ort.InferenceSession(
            str(Path(model_dir) / "model.onnx"), opts, providers=["CPUExecutionProvider"]
        )
        self.inputs = {i.name for i in self.session.get_inputs()}
        self.tokenizer = Tokenizer.from_file(str(Path(model_dir) / "tokenizer.json"))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")

    def embed_batch(self, texts):
        """Vectors of one batch (padded to its longest text)."""
        enc = self.tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in enc], dtype=np.int64)
        mask = np.array([e.attention_mask for e in enc], dtype=np.int64)
        feed = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self.inputs:
            feed["token_type_ids"] = np.zeros_like(ids)
        hidden = self.session.run(None, feed)[0]
        m = mask[:, :, None].astype(np.float32)
        pooled = (hidden * m).sum(axis=1) / np.clip(m.sum(axis=1), 1e-9, None)
        return pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)

    def embed(self, texts):
        """Vectors of all texts, in input order; batches of texts of similar token counts."""
        lengths = [len(e.ids) for e in self.tokenizer.encode_batch(texts, add_special_tokens=True)]
        order = np.argsort(lengths, kind="stable")
        out = np.zeros((len(texts), 384), dtype=np.float32)
        for start in range(0, len(order), BATCH):
            idx = order[start : start + BATCH]
            out[idx] = self.embed_batch([texts[i] for i in idx])
        return out


# ---------------------------------------------------------------- the three indexes


def write_tantivy(path, rows):
    """A tantivy index of every passage: ids and section as raw strings, title and text
    stemmed for BM25, all stored."""
    sb = tantivy.SchemaBuilder()
    for name in ("passage", "paper", "section"):
        sb.add_text_field(name, stored=True, tokenizer_name="raw")
    sb.add_text_field("title", stored=True, tokenizer_name="en_stem")
    sb.add_text_field("text", stored=True, tokenizer_name="en_stem")
    index = tantivy.Index(sb.build(), path=str(path))
    writer = index.writer(heap_size=128_000_000, num_threads=THREADS)
    for r in rows:
        writer.add_document(
            tantivy.Document(
                passage=r["id"], paper=r["paper"], section=r["section"], title=r["title"], text=r["text"]
            )
        )
    writer.commit()
    writer.wait_merging_threads()


def write_hnsw(path, vectors):
    """An hnswlib index of the vectors (cosine; M and ef_construction as Hypatia's)."""
    index = hnswlib.Index(space="cosine", dim=vectors.shape[1])
    index.init_index(max_elements=max(len(vectors), 1), ef_construction=200, M=16)
    index.add_items(vectors, np.arange(len(vectors)), num_threads=THREADS)
    index.save_index(str(path))


def paper_quads(paper, rows, fmt):
    """The quads of one paper, in its own named graph: the paper (type, title, abstract, corpus
    id, format) and each passage (type, paper, ordinal, section, text)."""
    iri = ox.NamedNode(BASE + "paper/" + paper["key"])
    graph = ox.NamedNode(BASE + "graph/paper/" + paper["key"])
    quads = [
        ox.Quad(iri, RDF_TYPE, ox.NamedNode(SCHEMA + "ScholarlyArticle"), graph),
        ox.Quad(iri, ox.NamedNode(SCHEMA + "name"), ox.Literal(paper["title"]), graph),
        ox.Quad(iri, ox.NamedNode(HYP + "corpusId"), ox.Literal(paper["key"]), graph),
        ox.Quad(iri, ox.NamedNode(HYP + "sourceFormat"), ox.Literal(fmt), graph),
    ]
    if paper["abstract"]:
        abstract = "\n\n".join(paper["abstract"])
        quads.append(ox.Quad(iri, ox.NamedNode(SCHEMA + "abstract"), ox.Literal(abstract), graph))
    for r in rows:
        p = ox.NamedNode(BASE + "passage/" + r["id"])
        quads += [
            ox.Quad(p, RDF_TYPE, ox.NamedNode(HYP + "Passage"), graph),
            ox.Quad(p, ox.NamedNode(HYP + "passageOf"), iri, graph),
            ox.Quad(p, ox.NamedNode(HYP + "ordinal"), ox.Literal(str(r["ordinal"]), datatype=XSD_INTEGER), graph),
            ox.Quad(p, ox.NamedNode(HYP + "section"), ox.Literal(r["section"]), graph),
            ox.Quad(p, ox.NamedNode(HYP + "text"), ox.Literal(r["text"]), graph),
        ]
    return quads


XSD_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")


def write_rdf(path, nquads_path):
    """A fresh oxigraph store at `path`, filled from the N-Quads file by the bulk loader."""
    store = ox.Store(str(path))
    store.bulk_load(path=str(nquads_path), format=ox.RdfFormat.N_QUADS)
    n = len(store)
    del store
    return n


# ---------------------------------------------------------------- the run


def peak_rss_mb():
    """Peak resident set size of this process so far, in MB (Linux reports kB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(fmt, input_path, out, model_dir):
    """Ingests one input into three fresh indexes under `out`; returns the measurements."""
    t0 = time.perf_counter()
    stages = {}
    out.mkdir(parents=True, exist_ok=True)
    nquads_path = out / "papers.nq"

    t = time.perf_counter()
    embedder = Embedder(model_dir)
    stages["load model"] = time.perf_counter() - t

    t = time.perf_counter()
    rows, texts, n_papers, n_quads = [], [], 0, 0
    with open(nquads_path, "wb") as nq:
        for paper in read_papers(fmt, input_path):
            n_papers += 1
            mine = []
            for ordinal, (section, text) in enumerate(passages(paper)):
                mine.append(
                    {
                        "id": f"{paper['key']}-{ordinal}",
                        "paper": paper["key"],
                        "ordinal": ordinal,
                        "section": section,
                        "title": paper["title"],
                        "text": text,
                    }
                )
                texts.append(embedding_text(paper["title"], section, text))
            quads = paper_quads(paper, mine, fmt)
            n_quads += len(quads)
            nq.write(ox.serialize(quads, format=ox.RdfFormat.N_QUADS))
            rows += mine
    stages["parse + chunk + N-Quads"] = time.perf_counter() - t

    t = time.perf_counter()
    vectors = embedder.embed(texts)
    stages["embed"] = time.perf_counter() - t

    t = time.perf_counter()
    (out / "text").mkdir()
    write_tantivy(out / "text", rows)
    stages["tantivy"] = time.perf_counter() - t

    t = time.perf_counter()
    write_hnsw(out / "vectors.hnsw", vectors)
    stages["hnswlib"] = time.perf_counter() - t

    t = time.perf_counter()
    stored = write_rdf(out / "graph", nquads_path)
    stages["oxigraph bulk_load"] = time.perf_counter() - t

    wall = time.perf_counter() - t0
    return {
        "papers": n_papers,
        "passages": len(rows),
        "quads": n_quads,
        "quads_stored": stored,
        "wall_s": wall,
        "passages_per_s": len(rows) / wall if wall else 0.0,
        "peak_rss_mb": peak_rss_mb(),
        "stages": stages,
        "batch": BATCH,
        "threads": THREADS,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--format", choices=["beir", "jats"], required=True)
    ap.add_argument("--input", required=True, help="corpus.jsonl, or a folder of JATS XML files")
    ap.add_argument("--out", required=True, help="a new folder for the three indexes")
    ap.add_argument("--model-dir", required=True, help="folder with model.onnx and tokenizer.json")
    ap.add_argument("--json", help="also write the measurements to this file")
    args = ap.parse_args()
    r = run(args.format, args.input, Path(args.out), args.model_dir)
    print(
        f"python stack ({args.format}): {r['papers']} papers, {r['passages']} passages, "
        f"{r['quads']} quads in {r['wall_s']:.1f} s ({r['passages_per_s']:.1f} passages/s), "
        f"peak RSS {r['peak_rss_mb']:.0f} MB"
    )
    print("  stages: " + ", ".join(f"{k} {v:.2f} s" for k, v in r["stages"].items()))
    if args.json:
        Path(args.json).write_text(json.dumps(r, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
