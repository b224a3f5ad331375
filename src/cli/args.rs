//! Command-line arguments (clap). Flags override environment variables, which override
//! defaults.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Hypatia: a knowledge-graph research database for AI research agents.
#[derive(Debug, Parser)]
#[command(name = "hypatia", version, about)]
pub struct Cli {
    /// Options every command shares.
    #[command(flatten)]
    pub global: Global,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command shares.
#[derive(Debug, Args)]
pub struct Global {
    /// A TOML configuration file (top-level keys data_dir, base_iri, model_dir, ort_library,
    /// embed_threads; a [serve] table with the serve flags). Environment variables and flags
    /// override it.
    #[arg(long, env = "HYPATIA_CONFIG", global = true)]
    pub config: Option<PathBuf>,
    /// Folder holding the three indexes.
    #[arg(long, env = "HYPATIA_DATA_DIR", default_value = "hypatia-data", global = true)]
    pub data_dir: PathBuf,
    /// Base IRI of local resources (passages, authors, references).
    #[arg(long, env = "HYPATIA_BASE_IRI", default_value = hypatia::common::ids::Base::DEFAULT, global = true)]
    pub base_iri: String,
    /// Folder of a fastembed-compatible model (model.onnx, tokenizer.json, config.json,
    /// special_tokens_map.json, tokenizer_config.json); default .hypatia/models/all-MiniLM-L6-v2.
    #[arg(long, env = "HYPATIA_MODEL_DIR", global = true)]
    pub model_dir: Option<PathBuf>,
    /// ONNX Runtime shared library (>= 1.24); default .hypatia/onnxruntime/libonnxruntime.so.*.
    #[arg(long, env = "ORT_DYLIB_PATH", global = true)]
    pub ort_library: Option<PathBuf>,
    /// Threads the embedding model may use (default: all cores).
    #[arg(long, env = "HYPATIA_EMBED_THREADS", global = true)]
    pub embed_threads: Option<usize>,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Ingest files or folders (format detected per file).
    Ingest(IngestArgs),
    /// Serve the HTTP API.
    Serve {
        /// Address to listen on.
        #[arg(long, env = "HYPATIA_BIND", default_value = "127.0.0.1:7878")]
        bind: String,
        /// Folder where `POST /admin/backup` writes snapshots; the endpoint is off without it.
        #[arg(long, env = "HYPATIA_BACKUP_DIR")]
        backup_dir: Option<PathBuf>,
        /// Without --tokens: let anyone who reaches the port write (ingest, SPARQL Update, Graph
        /// Store writes, hypotheses, experiments). Off by default.
        #[arg(long, env = "HYPATIA_WRITES", conflicts_with = "tokens")]
        writes: bool,
        /// API tokens, one per line: `SCOPE NAME SECRET` (scope read, write or admin; secrets of
        /// at least 16 characters). With tokens, writes need a write token, backups an admin one.
        #[arg(long, env = "HYPATIA_TOKENS_FILE")]
        tokens: Option<PathBuf>,
        /// With --tokens: refuse requests without a token, reads included.
        #[arg(long, env = "HYPATIA_NO_ANONYMOUS_READ", requires = "tokens")]
        no_anonymous_read: bool,
        /// A browser origin allowed to call the API (CORS), e.g. https://app.example.org;
        /// repeat for several. None by default.
        #[arg(long = "cors-origin", env = "HYPATIA_CORS_ORIGINS", value_delimiter = ',')]
        cors_origins: Vec<String>,
        /// A host name (or name:port) the server answers to besides loopback, e.g. the public
        /// name or address of a server bound to 0.0.0.0; repeat for several. Requests with any
        /// other `Host` are refused (403), against DNS rebinding.
        #[arg(long = "allowed-host", env = "HYPATIA_ALLOWED_HOSTS", value_delimiter = ',')]
        allowed_hosts: Vec<String>,
        /// Seconds a SPARQL query may run before it is cancelled (503).
        #[arg(long, env = "HYPATIA_QUERY_TIMEOUT", default_value_t = 30.0)]
        query_timeout: f64,
        /// Most solutions or triples a SPARQL result may have (more is a 400).
        #[arg(long, env = "HYPATIA_MAX_ROWS", default_value_t = 1_000_000)]
        max_rows: usize,
    },
    /// Serve MCP (the Model Context Protocol) on stdin and stdout, for an agent that starts
    /// Hypatia itself; `serve` answers MCP over HTTP at /mcp. Logs go to stderr.
    Mcp {
        /// Refuse the tools that write (propose_hypothesis, set_hypothesis_status,
        /// log_experiment).
        #[arg(long)]
        read_only: bool,
        /// Seconds a SPARQL query may run before it is cancelled.
        #[arg(long, env = "HYPATIA_QUERY_TIMEOUT", default_value_t = 30.0)]
        query_timeout: f64,
    },
    /// Search passages.
    Search {
        /// The query.
        query: String,
        /// bm25, vector or hybrid.
        #[arg(long, default_value = "hybrid")]
        mode: String,
        /// Number of hits.
        #[arg(short, default_value_t = 10)]
        k: usize,
        /// Earliest year.
        #[arg(long)]
        year_from: Option<i32>,
        /// Latest year.
        #[arg(long)]
        year_to: Option<i32>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// An evidence pack for a question: the best passages and claims, grouped by paper, with
    /// verbatim quotes, offsets and full references.
    Findings {
        /// The question.
        question: String,
        /// Most papers.
        #[arg(long, default_value_t = 5)]
        papers: usize,
        /// Most passages per paper.
        #[arg(long, default_value_t = 3)]
        per_paper: usize,
        /// markdown, json or jsonld.
        #[arg(long, default_value = "markdown")]
        format: String,
        /// Keep passages of retracted papers, marked retracted (left out by default).
        #[arg(long)]
        include_retracted: bool,
    },
    /// Run a SPARQL query (over the union of all graphs, those users wrote included).
    Sparql {
        /// The query text; or use --file.
        query: Option<String>,
        /// Read the query from a file.
        #[arg(long)]
        file: Option<PathBuf>,
        /// Result media type: application/sparql-results+json, text/csv, text/tab-separated-values,
        /// text/turtle, ...
        #[arg(long, default_value = "text/tab-separated-values")]
        accept: String,
    },
    /// Bulk-load RDF files into the graphs users write (ontologies, vocabularies, dumps of other
    /// stores; the papers' graphs are ingest's). Each file is loaded whole or not at all, and a
    /// failed file does not stop the others. Stop `serve` first: RocksDB admits one process (a
    /// running server takes N-Quads or TriG by `POST /store`).
    Load(LoadArgs),
    /// Show what the store holds, and whether the three indexes agree.
    Stats,
    /// Delete papers by key or IRI.
    Delete {
        /// Paper keys or IRIs.
        #[arg(required = true)]
        ids: Vec<String>,
    },
    /// Write a consistent snapshot of the store to a new folder (use the server's
    /// `POST /admin/backup` while it runs: RocksDB admits one process).
    Backup {
        /// The folder to create.
        target: PathBuf,
    },
    /// Restore a backup into --data-dir (which must not exist or be empty) and check it opens.
    Restore {
        /// The backup folder.
        backup: PathBuf,
    },
    /// Rebuild every vector of the store with the model given (--model-dir), for a store built
    /// with another model (which it otherwise refuses). Resumable: after an interruption, run
    /// it again with the same model to continue; the old vectors serve until the new ones are
    /// complete and swapped in.
    Reembed {
        /// Papers (and agent records) embedded and recorded at a time.
        #[arg(long, default_value_t = 64)]
        batch: usize,
        /// Give up an unfinished re-embedding and keep the old vectors.
        #[arg(long)]
        abort: bool,
    },
    /// Re-run the extractor over every stored paper: rebuild the corpus lexicon, then replace
    /// each paper's extracted concepts, claims, results and relations. The learned heads need the
    /// embedding model's token states, so every passage goes through the model again (as long as
    /// an ingest's embedding) unless --rules-only.
    Extract {
        /// Papers per journaled write.
        #[arg(long, default_value_t = 256)]
        batch: usize,
        /// Minimum C-value score of a lexicon term.
        #[arg(long, default_value_t = hypatia::ingest::extraction::LEXICON_MIN_SCORE)]
        min_score: f64,
        /// Run the rules only (no model; the learned heads' findings are dropped).
        #[arg(long)]
        rules_only: bool,
        /// Threads reading and extracting while the main thread writes (default: one per core).
        #[arg(long)]
        threads: Option<usize>,
    },
    /// Research gaps in the stored literature: missing links, untested combinations, open
    /// questions, contested claims (JSON).
    Gaps {
        /// missing_link, untested_combination, open_question or contested_claim (default: all).
        #[arg(long)]
        kind: Option<String>,
        /// Only gaps touching this concept (IRI or label).
        #[arg(long)]
        concept: Option<String>,
        /// Only papers up to this year count.
        #[arg(long)]
        as_of: Option<i32>,
        /// Most gaps (of each kind).
        #[arg(long, default_value_t = 10)]
        limit: usize,
    },
    /// Hypotheses: propose, list, show, change status.
    #[command(subcommand)]
    Hypotheses(Hypotheses),
    /// Experiment runs: log one, import a results table, list.
    #[command(subcommand)]
    Experiments(Experiments),
    /// How novel an idea is: the nearest papers and claims, and the nearest past hypotheses and
    /// experiments with their outcomes (JSON).
    Novelty {
        /// The idea.
        idea: String,
        /// Nearest items of each kind.
        #[arg(long, default_value_t = 5)]
        k: usize,
    },
    /// Evaluations.
    #[command(subcommand)]
    Eval(Eval),
}

/// Arguments of `hypatia ingest`.
#[derive(Debug, Args)]
pub struct IngestArgs {
    /// Files or folders.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Force a format: beir, arxiv, jats.
    #[arg(long)]
    pub format: Option<String>,
    /// Papers per journaled batch.
    #[arg(long, default_value_t = 64)]
    pub batch: usize,
    /// Write the full report (failures included) as JSON to this file.
    #[arg(long)]
    pub report: Option<PathBuf>,
    /// Print `ack <paper key>` on stdout for every paper as soon as its batch is durable.
    #[arg(long)]
    pub ack_log: bool,
}

/// Arguments of `hypatia load`.
#[derive(Debug, Args)]
pub struct LoadArgs {
    /// RDF files: N-Quads, TriG, N-Triples, Turtle, RDF/XML, JSON-LD or N3 by extension, each
    /// maybe gzip-compressed (`.nq.gz`).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// The format of every file (an extension such as `nq` or a media type), instead of
    /// each file's extension.
    #[arg(long)]
    pub format: Option<String>,
    /// The graph (an IRI) of the triples outside any named graph; without it they go to
    /// the default graph.
    #[arg(long)]
    pub graph: Option<String>,
    /// The IRI relative IRIs resolve against.
    #[arg(long)]
    pub base: Option<String>,
    /// About how much memory the loader's buffers may take, in MB (default: 250 per core,
    /// batches of 250,000 quads a thread).
    #[arg(long)]
    pub memory_mb: Option<usize>,
}

/// `hypatia hypotheses ...`
#[derive(Debug, Subcommand)]
pub enum Hypotheses {
    /// Record a hypothesis (status proposed).
    Propose {
        /// The statement.
        #[arg(long)]
        statement: String,
        /// Who proposes it.
        #[arg(long, default_value = "cli")]
        agent: String,
        /// A concept it is about (IRI or label); repeat for several.
        #[arg(long = "concept")]
        concepts: Vec<String>,
        /// A supporting passage (key or IRI); repeat for several.
        #[arg(long = "evidence")]
        evidence: Vec<String>,
        /// The motivating gap, as JSON (an element of `hypatia gaps` output).
        #[arg(long)]
        gap: Option<String>,
        /// An earlier hypothesis it refines (key or IRI); repeat for several.
        #[arg(long)]
        refines: Vec<String>,
        /// An earlier hypothesis it combines (key or IRI); repeat for each one combined.
        #[arg(long)]
        combines: Vec<String>,
        /// An earlier hypothesis it contradicts (key or IRI); repeat for several.
        #[arg(long)]
        contradicts: Vec<String>,
    },
    /// Record a pairwise comparison of two hypotheses (for their Elo ratings).
    Compare {
        /// The hypothesis judged better (key or IRI); with --draw, one of the two.
        #[arg(long)]
        winner: String,
        /// The hypothesis judged worse (key or IRI); with --draw, the other.
        #[arg(long)]
        loser: String,
        /// Neither is better.
        #[arg(long)]
        draw: bool,
        /// Who judged.
        #[arg(long, default_value = "cli")]
        agent: String,
        /// Why.
        #[arg(long)]
        rationale: Option<String>,
        /// A match id of yours: recording it again returns the stored comparison.
        #[arg(long = "match")]
        match_id: Option<String>,
    },
    /// List hypotheses, newest first (or sorted with --sort).
    List {
        /// Only this status.
        #[arg(long)]
        status: Option<String>,
        /// Only this agent's.
        #[arg(long)]
        agent: Option<String>,
        /// Only hypotheses whose evidence cites a retracted paper.
        #[arg(long)]
        retracted_evidence: bool,
        /// recency (default), rating (Elo) or evidence (evidence passages plus kept runs).
        #[arg(long)]
        sort: Option<String>,
        /// Lowest (oldest) first instead of highest (newest).
        #[arg(long)]
        ascending: bool,
        /// Most hypotheses.
        #[arg(long, default_value_t = 100)]
        limit: usize,
    },
    /// One hypothesis with its history, experiments, lineage, rating and plateaus.
    Show {
        /// Key or IRI.
        id: String,
        /// Only this metric's plateau.
        #[arg(long)]
        plateau_metric: Option<String>,
        /// lower or higher is better (inferred from the metric's name when absent).
        #[arg(long)]
        plateau_direction: Option<String>,
        /// Runs without a gain above the threshold after the best that make a plateau.
        #[arg(long, default_value_t = hypatia::research::DEFAULT_WINDOW)]
        plateau_window: usize,
        /// Smallest gain over the best that counts, in the metric's unit.
        #[arg(long, default_value_t = 0.0)]
        plateau_threshold: f64,
    },
    /// Change a hypothesis' status.
    Status {
        /// Key or IRI.
        id: String,
        /// testing, supported, refuted or inconclusive.
        #[arg(long)]
        to: String,
        /// Who changes it.
        #[arg(long, default_value = "cli")]
        agent: String,
        /// An experiment (key or IRI) the change rests on; repeat for several.
        #[arg(long = "outcome")]
        outcomes: Vec<String>,
        /// Why.
        #[arg(long)]
        note: Option<String>,
    },
}

/// A results table to import or watch, and how to read it.
#[derive(Debug, clap::Args)]
pub struct Table {
    /// The table's file (watch waits for it to appear).
    pub file: PathBuf,
    /// Who the runs are attributed to.
    #[arg(long, default_value = "import")]
    pub agent: String,
    /// A hypothesis every run tests.
    #[arg(long)]
    pub hypothesis: Option<String>,
    /// COLUMN=FIELD, FIELD one of description, status, code_version, time, hypothesis, notes,
    /// parameter, ignore, metric[:UNIT[:SPLIT]]; repeat.
    #[arg(long = "map")]
    pub map: Vec<String>,
}

/// `hypatia experiments ...`
#[derive(Debug, Subcommand)]
pub enum Experiments {
    /// Log one run.
    Log {
        /// What was tried.
        #[arg(long)]
        description: String,
        /// keep, discard or crash.
        #[arg(long)]
        status: String,
        /// Who ran it.
        #[arg(long, default_value = "cli")]
        agent: String,
        /// The hypothesis it tests (key or IRI).
        #[arg(long)]
        hypothesis: Option<String>,
        /// Code version (e.g. a git commit).
        #[arg(long)]
        commit: Option<String>,
        /// A metric as NAME=VALUE, NAME=VALUE:UNIT or NAME=VALUE:UNIT:SPLIT; repeat.
        #[arg(long = "metric")]
        metrics: Vec<String>,
        /// A parameter as NAME=VALUE; repeat.
        #[arg(long = "param")]
        params: Vec<String>,
        /// Notes.
        #[arg(long)]
        notes: Option<String>,
    },
    /// Import a results table: the autoresearch results.tsv as is, or any TSV/CSV with --map.
    Import {
        #[command(flatten)]
        table: Table,
        /// Print `ack <run key>` on stdout for every run as soon as it is durable.
        #[arg(long)]
        ack_log: bool,
    },
    /// Follow a results table a loop is appending to (autoresearch's results.tsv, or any
    /// TSV/CSV with --map): every complete new row is logged as a run, once, within --interval
    /// seconds of being written; a row without its line end yet waits. Runs until stopped (or
    /// --idle-exit); stopping and starting again logs nothing twice.
    Watch {
        #[command(flatten)]
        table: Table,
        /// Seconds between looks at the file.
        #[arg(long, default_value_t = 2.0, value_parser = positive_seconds)]
        interval: f64,
        /// Stop after the file has not changed for this many seconds.
        #[arg(long, value_parser = positive_seconds)]
        idle_exit: Option<f64>,
    },
    /// List runs, oldest first.
    List {
        /// Only runs testing this hypothesis.
        #[arg(long)]
        hypothesis: Option<String>,
        /// Only this run status.
        #[arg(long)]
        status: Option<String>,
        /// Only runs whose hypothesis' evidence cites a retracted paper.
        #[arg(long)]
        retracted_evidence: bool,
    },
}

/// Evaluations.
#[derive(Debug, Subcommand)]
pub enum Eval {
    /// nDCG@10 and recall@100 on a BEIR dataset's judged queries (default: SciFact training
    /// claims), for bm25, vector and hybrid, on the ranking /search serves. Ingests the corpus
    /// into --data-dir first if that store lacks a judged document.
    Beir {
        /// The BEIR folder (corpus.jsonl, queries-SPLIT.jsonl, qrels-SPLIT.tsv).
        #[arg(long, env = "HYPATIA_SCIFACT", default_value = "../shared/data/scifact")]
        dataset: PathBuf,
        /// Which split's queries and judgements.
        #[arg(long, default_value = "train")]
        split: String,
        /// Score only the first N queries.
        #[arg(long)]
        limit: Option<usize>,
        /// BM25 weight of the title field (default: the tuned value).
        #[arg(long)]
        title_boost: Option<f32>,
        /// Reciprocal rank fusion constant (default: the tuned value).
        #[arg(long)]
        rrf_k: Option<f32>,
        /// Weight of the vector list in hybrid fusion (default: the tuned value).
        #[arg(long)]
        vector_weight: Option<f32>,
        /// Hybrid fusion: `rrf`, or `convex:ALPHA` (BM25 weight of a min-max score combination).
        #[arg(long)]
        fusion: Option<String>,
        /// Instead of the three modes, score a grid of hybrid fusion settings (RRF constants and
        /// weights, convex alphas) from one retrieval pass per query.
        #[arg(long)]
        grid: bool,
        /// Instead of the served table, score bm25, vector, hybrid and the learned reranker
        /// under 5-fold cross-validation over the split's queries (folds by query position mod
        /// 5), and the bundled reranker in-sample.
        #[arg(long)]
        rerank: bool,
        /// With --rerank: fit the reranker on all the split's queries and write it to this file
        /// (`scripts/train-rerank.sh` writes models/rerank-model.json).
        #[arg(long, requires = "rerank")]
        fit: Option<PathBuf>,
        /// Largest share of judged documents that may be missing from the store (no stored
        /// paper carries their corpus id) before the evaluation refuses to score; they count as
        /// relevant documents never retrieved.
        #[arg(long, default_value_t = 0.05)]
        max_unmapped: f64,
    },
    /// Entity and relation precision / recall / F1 of the extractor on SciERC's dev split, with a
    /// lexicon over train text (inductive, the headline) and one over train + dev text.
    Scierc {
        /// Folder holding train.json and dev.json (DyGIE format).
        #[arg(long, env = "HYPATIA_SCIERC", default_value = "../shared/data/extraction/scierc")]
        dir: PathBuf,
    },
    /// Time-sliced link prediction on the concept graph (after Science4Cast): the graph of the
    /// papers up to --cut, with a lexicon and concept types built from those papers only (every
    /// paper re-extracted in memory), scored against the concept pairs first mentioned together
    /// by papers of the --horizon years after it; ROC AUC and precision@k for the served
    /// missing-link score and the baselines. Runs over the store's papers (ingest the ACL
    /// Anthology first for the README's setting).
    Gaps {
        /// The cut year T.
        #[arg(long, default_value_t = 2015)]
        cut: i32,
        /// Positives are pairs first linked by papers of years T+1 ..= T+HORIZON.
        #[arg(long, default_value_t = 3)]
        horizon: i32,
        /// Precision cut-offs.
        #[arg(long, value_delimiter = ',', default_value = "100,1000")]
        k: Vec<usize>,
        /// Only papers read from this format (e.g. `acl`), when the store holds several corpora.
        #[arg(long)]
        source_format: Option<String>,
        /// Minimum C-value score of a term of the as-of-T lexicon.
        #[arg(long, default_value_t = hypatia::ingest::extraction::LEXICON_MIN_SCORE)]
        min_score: f64,
        /// Instead of evaluating, train the learned missing-link score on this cut (features at
        /// T, labels from its horizon) and write the model file here (the bundled one is
        /// models/gaps-link-model.json; `bash scripts/train-gaps.sh` rebuilds it).
        #[arg(long, value_name = "MODEL_FILE")]
        fit: Option<PathBuf>,
    },
    /// How findings label stance (supports / contradicts / related) against hand-labelled
    /// (claim, sentence) pairs, and whether the quote findings picks from an abstract holds the
    /// labelled rationale sentence (needs the BEIR corpus of the pairs' abstracts).
    Stance {
        /// The labelled pairs (JSON lines: claim, doc_id, sentence, label).
        #[arg(long, default_value = "tests/fixtures/stance/scifact-train-stance.jsonl")]
        pairs: PathBuf,
        /// The BEIR folder whose corpus.jsonl holds the pairs' abstracts.
        #[arg(long, env = "HYPATIA_SCIFACT", default_value = "../shared/data/scifact")]
        dataset: PathBuf,
        /// Score the rules alone, without the model's sentence vectors (what findings does when
        /// no model is loaded).
        #[arg(long)]
        no_model: bool,
        /// Which pairs: `even` lines (the thresholds were chosen on them), `odd` lines (held
        /// out from that choice), or `all`.
        #[arg(long, default_value = "odd")]
        half: String,
    },
    /// Relation classification figures on SemEval-2018 task 7 subtask 1.1 training data, and on
    /// test-format data when --test-text and --test-key are given.
    Semeval {
        /// The task's training-data folder.
        #[arg(
            long,
            env = "HYPATIA_SEMEVAL",
            default_value = "../shared/data/extraction/semeval2018-task7/training-data"
        )]
        dir: PathBuf,
        /// Entity-annotated text in the task's format to score as test data (subtask 1.1:
        /// `1.1.test.text.xml`).
        #[arg(long, requires = "test_key")]
        test_text: Option<PathBuf>,
        /// The answer key of --test-text (subtask 1.1: `keys.test.1.1.txt`).
        #[arg(long, requires = "test_text")]
        test_key: Option<PathBuf>,
    },
}

/// A number of seconds above 0 (and at most a day).
fn positive_seconds(s: &str) -> Result<f64, String> {
    let v: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("`{s}` is not a number of seconds"))?;
    if v.is_finite() && v > 0.0 && v <= 86_400.0 {
        Ok(v)
    } else {
        Err(format!("`{s}`: expected seconds above 0 and at most 86400"))
    }
}
