//! Crash torture: a real `hypatia` process is killed with SIGKILL at random moments (and, in
//! some trials, aborted at a failpoint between two stores' commits) while it
//!
//! - ingests the corpus (`hypatia ingest`),
//! - replaces its papers with a revised version of every text (`hypatia ingest` of a second
//!   corpus with the same ids and other abstracts),
//! - deletes some papers (`hypatia delete`), or
//! - imports a results table (`hypatia experiments import`, an agent's experiment log).
//!
//! After each trial the store is reopened (running recovery) and checked:
//!
//! - the three indexes agree on papers, records and passages, and every passage of the text
//!   index is of its paper's version and quotes the graph's canonical text at its offsets
//!   (`Store::check_consistency`);
//! - SPARQL counts of papers and passages equal the text and vector indexes' counts;
//! - every paper and run acknowledged (`--ack-log`, or a delete that exited 0) is as acknowledged:
//!   present in the version last acknowledged, or absent after an acknowledged delete.
//!
//! At the end full runs must converge to the same papers and passages as a clean ingest and one
//! run per table row, without duplicates.
//!
//! `cargo bench --bench torture` (env: HYPATIA_TORTURE_TRIALS, default 50;
//! HYPATIA_TORTURE_CORPUS, default the SciFact sample of tests/fixtures; HYPATIA_TORTURE_SEED).

use std::collections::{BTreeSet, HashMap};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hypatia::embed::Embedder;
use hypatia::store::{Store, StoreOptions};

const FAILPOINTS: [&str; 5] = [
    "after-journal",
    "after-text",
    "after-vector",
    "after-graph",
    "after-flush",
];

/// What the torture knows of one paper: the state its last acknowledged write left, or nothing
/// when a write after it may or may not have landed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// Present, in this corpus version (0 the original, 1 the revision).
    Version(u8),
    /// Deleted.
    Absent,
    /// Either (an unacknowledged write may have landed).
    Unknown,
}

/// What marks the revised corpus' texts.
const REVISED: &str = "[revised for the torture]";

/// xorshift64*: enough randomness for kill times, reproducible from a seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

struct Trial {
    how: String,
    acked: Vec<String>,
}

/// What a trial runs.
#[derive(Clone)]
enum Job<'a> {
    /// `hypatia ingest` of a corpus (version 0 or 1).
    Ingest(&'a Path, u8),
    /// `hypatia delete` of these paper keys.
    Delete(Vec<String>),
    /// `hypatia experiments import` of a results table.
    Import(&'a Path),
}

fn run_ingest(data: &Path, job: Job<'_>, failpoint: Option<&str>, kill_after: Option<Duration>) -> Trial {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_hypatia"));
    cmd.args(["--embed-threads", "1"]);
    match &job {
        Job::Ingest(corpus, _) => cmd.args(["ingest", "--batch", "8", "--ack-log"]).arg(corpus),
        Job::Delete(keys) => cmd.arg("delete").args(keys),
        Job::Import(table) => cmd
            .args(["experiments", "import", "--agent", "torture", "--ack-log"])
            .arg(table),
    };
    cmd.env("HYPATIA_DATA_DIR", data)
        .env("HYPATIA_LOG", "error")
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    if let Some(f) = failpoint {
        cmd.env("HYPATIA_FAILPOINT", f);
    }
    let mut child = cmd.spawn().expect("start hypatia");
    let acked = Arc::new(Mutex::new(Vec::new()));
    let stdout = child.stdout.take().expect("piped stdout");
    let sink = acked.clone();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(k) = line.strip_prefix("ack ") {
                sink.lock().unwrap().push(k.to_string());
            }
        }
    });
    let what = match &job {
        Job::Ingest(_, 0) => "ingest",
        Job::Ingest(..) => "replace",
        Job::Delete(_) => "delete",
        Job::Import(_) => "import",
    };
    let exited_ok;
    let how = match (failpoint, kill_after) {
        (Some(f), _) => {
            exited_ok = child.wait().is_ok_and(|s| s.success());
            format!("{what}: abort at {f}")
        }
        (None, Some(d)) => {
            let started = Instant::now();
            while started.elapsed() < d {
                if child.try_wait().ok().flatten().is_some() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(5));
            }
            // A process that finished before the kill exits 0; one killed does not.
            exited_ok = child.try_wait().ok().flatten().is_some_and(|s| s.success());
            let _ = child.kill();
            let _ = child.wait();
            format!("{what}: SIGKILL after {} ms", d.as_millis())
        }
        (None, None) => {
            let status = child.wait().expect("wait for hypatia");
            assert!(status.success(), "the final {what} failed: {status}");
            exited_ok = true;
            format!("{what}: to completion")
        }
    };
    reader.join().expect("stdout reader");
    let mut acked = acked.lock().unwrap().clone();
    if let (Job::Delete(keys), true) = (&job, exited_ok) {
        // A delete is acknowledged by exiting 0 after it committed.
        acked = keys.clone();
    }
    Trial { how, acked }
}

/// Reopens the store (running recovery) and returns what is wrong with it, and its papers,
/// passages and experiment runs.
/// What a check after a trial found.
struct Found {
    violations: Vec<String>,
    papers: usize,
    /// Passages of papers (not of runs).
    passages: usize,
    runs: usize,
    /// Papers stored in the revised version.
    revised: usize,
}

fn violations(data: &Path, runs_acked: &BTreeSet<String>, papers: &HashMap<String, Expect>) -> Found {
    let found = |violations: Vec<String>| Found {
        violations,
        papers: 0,
        passages: 0,
        runs: 0,
        revised: 0,
    };
    let mut out = Vec::new();
    let anything_acked = !runs_acked.is_empty() || papers.values().any(|e| matches!(e, Expect::Version(_)));
    if !data.join("hypatia.json").exists() {
        // Killed before the store was created: nothing acknowledged, nothing to check.
        return if anything_acked {
            found(vec!["acknowledged writes but no store".into()])
        } else {
            found(out)
        };
    }
    let store = match Store::open(data, &StoreOptions::default()) {
        Ok(s) => s,
        Err(e) => return found(vec![format!("reopen failed: {e}")]),
    };
    let c = store.check_consistency().expect("consistency check");
    if !c.is_consistent() {
        out.push(format!("indexes disagree: {c:?}"));
    }
    let stats = store.stats().expect("stats");
    let (n_papers, passages) = sparql_counts(&store);
    if n_papers != stats.papers || passages != stats.passages || stats.passages != stats.vectors {
        out.push(format!(
            "counts disagree: sparql {n_papers}/{passages}, stores {stats:?}"
        ));
    }
    for k in runs_acked {
        if !store.has_doc(k).unwrap_or(false) {
            out.push(format!("acknowledged run {k} is missing"));
        }
    }
    for (k, expect) in papers {
        let text = store.canonical_text(k).expect("canonical text").map(|(_, t)| t);
        let wrong = match (expect, &text) {
            (Expect::Unknown, _) => None,
            (Expect::Absent, None) => None,
            (Expect::Absent, Some(_)) => Some("deleted (acknowledged) but present".to_string()),
            (Expect::Version(_), None) => Some("acknowledged but missing".to_string()),
            (Expect::Version(v), Some(t)) => {
                (t.contains(REVISED) != (*v == 1)).then(|| format!("acknowledged in version {v}, stored in the other"))
            }
        };
        if let Some(w) = wrong {
            out.push(format!("paper {k}: {w}"));
        }
    }
    let runs = hypatia::research::experiments(&store, &Default::default()).expect("runs");
    if runs.len() != stats.records {
        out.push(format!("{} runs listed, {} records stored", runs.len(), stats.records));
    }
    // Passages of papers only: runs are searchable too, with passages of their own.
    let run_passages: usize = runs
        .iter()
        .map(|r| store.text().passages_of(&r.key).expect("run passages").len())
        .sum();
    let revised = store
        .graph_paper_keys()
        .expect("paper keys")
        .iter()
        .filter(|k| {
            store
                .canonical_text(k)
                .expect("canonical text")
                .is_some_and(|(_, t)| t.contains(REVISED))
        })
        .count();
    Found {
        violations: out,
        papers: stats.papers,
        passages: stats.passages - run_passages,
        runs: runs.len(),
        revised,
    }
}

/// Updates what is known of each paper after a trial: what it acknowledged is known, what it
/// may have written without acknowledging is not.
fn learn(papers: &mut HashMap<String, Expect>, job: &Job<'_>, acked: &[String], all: &[String]) {
    match job {
        Job::Ingest(_, v) => {
            for k in all {
                let e = papers.entry(k.clone()).or_insert(Expect::Absent);
                if acked.contains(k) {
                    *e = Expect::Version(*v);
                } else if *e != Expect::Version(*v) {
                    *e = Expect::Unknown;
                }
            }
        }
        Job::Delete(keys) => {
            for k in keys {
                papers.insert(
                    k.clone(),
                    if acked.contains(k) {
                        Expect::Absent
                    } else {
                        Expect::Unknown
                    },
                );
            }
        }
        Job::Import(_) => {}
    }
}

/// The corpus (BEIR JSON lines) with every text revised, in `dir/<collection>/corpus.jsonl`
/// so that its records name the same papers; `None` for other corpora.
fn revised_corpus(corpus: &Path, dir: &Path) -> Option<PathBuf> {
    let collection = corpus.parent()?.file_name()?;
    let text = std::fs::read_to_string(corpus).ok()?;
    let mut out = String::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let mut v: serde_json::Value = serde_json::from_str(line).ok()?;
        let t = v.get("text")?.as_str()?.to_string();
        v["text"] = serde_json::Value::String(format!("{t} {REVISED}"));
        out.push_str(&v.to_string());
        out.push('\n');
    }
    let path = dir.join(collection).join("corpus.jsonl");
    std::fs::create_dir_all(path.parent()?).ok()?;
    std::fs::write(&path, out).ok()?;
    Some(path)
}

fn sparql_counts(store: &Store) -> (usize, usize) {
    let oxigraph::sparql::QueryResults::Solutions(mut rows) = store
        .graph()
        .query(hypatia::store::queries::COUNT_PAPERS, &[], &[])
        .expect("count query")
    else {
        panic!("count query is a SELECT")
    };
    let row = rows.next().expect("one row").expect("row");
    let n = |v: &str| {
        hypatia::store::queries::lexical(row.get(v).expect("bound"))
            .parse()
            .expect("integer")
    };
    (n("papers"), n("passages"))
}

/// A results table in the autoresearch format with `n` runs.
fn results_table(n: usize) -> String {
    let mut t = String::from("commit\tval_bpb\tmemory_gb\tstatus\tdescription\n");
    for i in 0..n {
        let status = ["keep", "discard", "discard", "crash"][i % 4];
        t.push_str(&format!(
            "{:07x}\t{:.6}\t{:.1}\t{status}\ttry variant {i} of the learning-rate schedule\n",
            0x1000 + i * 7919,
            1.0 - i as f64 / 1000.0,
            40.0 + (i % 5) as f64
        ));
    }
    t
}

/// Papers and passages of a clean ingest of the same corpus (hash embedder: counts only), and
/// the papers' keys.
fn reference_counts(corpus: &Path, dir: &Path) -> (usize, usize, Vec<String>) {
    let e = hypatia::embed::HashEmbedder::new(8);
    let store = Store::open(
        dir,
        &StoreOptions {
            model: Some(e.identity()),
            ..Default::default()
        },
    )
    .expect("reference store");
    let r = hypatia::ingest::pipeline::ingest_paths(&store, &e, &[corpus.to_path_buf()], &Default::default(), &|_| {})
        .expect("reference ingest");
    let s = store.stats().expect("stats");
    assert_eq!(s.papers, r.papers);
    let keys = store.graph_paper_keys().expect("keys").into_iter().collect();
    (s.papers, s.passages, keys)
}

fn main() {
    if std::env::args().any(|a| a == "--list" || a == "--test") {
        return;
    }
    let trials: usize = std::env::var("HYPATIA_TORTURE_TRIALS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50);
    let corpus = std::env::var("HYPATIA_TORTURE_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|_| Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/scifact/corpus.jsonl"));
    let seed: u64 = std::env::var("HYPATIA_TORTURE_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x5eed_1234);
    let mut rng = Rng(seed | 1);
    let tmp = tempfile::tempdir().expect("temp dir");
    let data = tmp.path().join("data");
    let (want_papers, want_passages, keys) = reference_counts(&corpus, &tmp.path().join("reference"));
    let revised = revised_corpus(&corpus, &tmp.path().join("revised"));
    let table = tmp.path().join("results.tsv");
    let want_runs = 40;
    std::fs::write(&table, results_table(want_runs)).expect("write the results table");
    println!(
        "torture: {trials} trials on {} ({want_papers} papers, {want_passages} passages{}) and a results table of {want_runs} runs, seed {seed}",
        corpus.display(),
        if revised.is_some() { ", replaced by a revision and deleted at random" } else { "" }
    );

    let mut runs_acked = BTreeSet::new();
    let mut papers: HashMap<String, Expect> = HashMap::new();
    let mut total_violations = 0;
    let mut cycles = 0;
    let (mut replaces, mut deletes) = (0, 0);
    let started = Instant::now();
    for t in 1..=trials {
        // One trial in four kills an agent's import; of the others, once papers are stored,
        // some replace them with the revision or delete a few.
        let stored = papers.values().any(|e| *e != Expect::Absent);
        let job = match rng.below(8) {
            0 | 1 => Job::Import(&table),
            2 | 3 if stored && revised.is_some() => {
                replaces += 1;
                Job::Ingest(revised.as_deref().expect("revised corpus"), 1)
            }
            4 if stored => {
                deletes += 1;
                let n = 1 + rng.below(5) as usize;
                Job::Delete(
                    (0..n)
                        .map(|_| keys[rng.below(keys.len() as u64) as usize].clone())
                        .collect(),
                )
            }
            _ => Job::Ingest(&corpus, 0),
        };
        let trial = if rng.below(10) < 3 {
            let f = FAILPOINTS[rng.below(FAILPOINTS.len() as u64) as usize];
            run_ingest(&data, job.clone(), Some(f), None)
        } else {
            let ms = match job {
                Job::Delete(_) => 100 + rng.below(1500),
                _ => 300 + rng.below(6000),
            };
            run_ingest(&data, job.clone(), None, Some(Duration::from_millis(ms)))
        };
        match &job {
            Job::Import(_) => runs_acked.extend(trial.acked.iter().cloned()),
            _ => learn(&mut papers, &job, &trial.acked, &keys),
        }
        let Found {
            violations: v,
            papers: n_papers,
            passages,
            runs,
            revised,
        } = violations(&data, &runs_acked, &papers);
        total_violations += v.len();
        if n_papers == want_papers && revised == 0 {
            // The original corpus is in whole: check convergence, then start over so that every
            // trial kills a process in the middle of writes rather than one skipping unchanged
            // papers.
            if passages != want_passages {
                total_violations += 1;
                println!(
                    "  cycle {cycles}: {n_papers} papers but {passages} passages, clean ingest has {want_passages}"
                );
            }
            cycles += 1;
            std::fs::remove_dir_all(&data).expect("reset the store");
            runs_acked.clear();
            papers.clear();
        }
        println!(
            "  trial {t:>3}: {:<36} acked {:>3} this run, {:>3} papers / {:>4} passages / {:>2} runs after recovery{}",
            trial.how,
            trial.acked.len(),
            n_papers,
            passages,
            runs,
            if v.is_empty() {
                String::new()
            } else {
                format!("  VIOLATIONS: {v:?}")
            }
        );
    }
    for job in [Job::Ingest(&corpus, 0), Job::Import(&table)] {
        let trial = run_ingest(&data, job.clone(), None, None);
        match &job {
            Job::Import(_) => runs_acked.extend(trial.acked),
            _ => learn(&mut papers, &job, &trial.acked, &keys),
        }
    }
    let last = violations(&data, &runs_acked, &papers);
    total_violations += last.violations.len();
    for v in &last.violations {
        println!("  final: VIOLATION {v}");
    }
    let (n_papers, passages, runs) = (last.papers, last.passages, last.runs);
    let converged = n_papers == want_papers && passages == want_passages && runs == want_runs;
    println!(
        "torture: {trials} trials ({replaces} replacing, {deletes} deleting), {cycles} completed ingest cycles, {total_violations} violations; final {n_papers} papers / {passages} passages / {runs} runs (clean: {want_papers} / {want_passages} / {want_runs}) -> {}; {:.0} s",
        if converged { "converged" } else { "DID NOT CONVERGE" },
        started.elapsed().as_secs_f64()
    );
    if total_violations > 0 || !converged {
        std::process::exit(1);
    }
}
