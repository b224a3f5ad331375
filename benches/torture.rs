//! Crash torture: a real `hypatia ingest` process, or a real `hypatia experiments import` of a
//! results table (an agent's experiment log), is killed with SIGKILL at random moments (and, in
//! some trials, aborted at a failpoint between two stores' commits); after each kill the store is
//! reopened (running recovery) and checked:
//!
//! - the three indexes agree on papers, records and passages (`Store::check_consistency`);
//! - SPARQL counts of papers and passages equal the text and vector indexes' counts;
//! - every paper and every experiment run the process acknowledged (`--ack-log`) before it died
//!   is there.
//!
//! The ingest and the import then resume where the last ones died; at the end full runs must
//! converge to the same papers and passages as a clean ingest and one run per table row, without
//! duplicates.
//!
//! `cargo bench --bench torture` (env: HYPATIA_TORTURE_TRIALS, default 50;
//! HYPATIA_TORTURE_CORPUS, default the SciFact sample of tests/fixtures; HYPATIA_TORTURE_SEED).

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hypatia::store::{Store, StoreOptions};

const FAILPOINTS: [&str; 4] = ["after-journal", "after-text", "after-vector", "after-graph"];

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
#[derive(Clone, Copy)]
enum Job<'a> {
    /// `hypatia ingest` of a corpus.
    Ingest(&'a Path),
    /// `hypatia experiments import` of a results table.
    Import(&'a Path),
}

fn run_ingest(data: &Path, job: Job<'_>, failpoint: Option<&str>, kill_after: Option<Duration>) -> Trial {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_hypatia"));
    cmd.args(["--embed-threads", "1"]);
    match job {
        Job::Ingest(corpus) => cmd.args(["ingest", "--batch", "8", "--ack-log"]).arg(corpus),
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
    let what = match job {
        Job::Ingest(_) => "ingest",
        Job::Import(_) => "import",
    };
    let how = match (failpoint, kill_after) {
        (Some(f), _) => {
            let _ = child.wait();
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
            let _ = child.kill();
            let _ = child.wait();
            format!("{what}: SIGKILL after {} ms", d.as_millis())
        }
        (None, None) => {
            let status = child.wait().expect("wait for hypatia");
            assert!(status.success(), "the final {what} failed: {status}");
            format!("{what}: to completion")
        }
    };
    reader.join().expect("stdout reader");
    let acked = acked.lock().unwrap().clone();
    Trial { how, acked }
}

/// Reopens the store (running recovery) and returns what is wrong with it, and its papers,
/// passages and experiment runs.
fn violations(data: &Path, acked: &BTreeSet<String>) -> (Vec<String>, usize, usize, usize) {
    let mut out = Vec::new();
    if !data.join("hypatia.json").exists() {
        // Killed before the store was created: nothing acknowledged, nothing to check.
        return if acked.is_empty() {
            (out, 0, 0, 0)
        } else {
            (vec!["acknowledged writes but no store".into()], 0, 0, 0)
        };
    }
    let store = match Store::open(data, &StoreOptions::default()) {
        Ok(s) => s,
        Err(e) => return (vec![format!("reopen failed: {e}")], 0, 0, 0),
    };
    let c = store.check_consistency().expect("consistency check");
    if !c.is_consistent() {
        out.push(format!("indexes disagree: {c:?}"));
    }
    let stats = store.stats().expect("stats");
    let (papers, passages) = sparql_counts(&store);
    if papers != stats.papers || passages != stats.passages || stats.passages != stats.vectors {
        out.push(format!("counts disagree: sparql {papers}/{passages}, stores {stats:?}"));
    }
    for k in acked {
        if !store.has_doc(k).unwrap_or(false) {
            out.push(format!("acknowledged paper or run {k} is missing"));
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
    (out, stats.papers, stats.passages - run_passages, runs.len())
}

fn sparql_counts(store: &Store) -> (usize, usize) {
    let oxigraph::sparql::QueryResults::Solutions(mut rows) = store
        .graph()
        .query(hypatia::queries::COUNT_PAPERS, &[], &[])
        .expect("count query")
    else {
        panic!("count query is a SELECT")
    };
    let row = rows.next().expect("one row").expect("row");
    let n = |v: &str| {
        hypatia::papers::lexical(row.get(v).expect("bound"))
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

/// Papers and passages of a clean ingest of the same corpus (hash embedder: counts only).
fn reference_counts(corpus: &Path, dir: &Path) -> (usize, usize) {
    let e = hypatia::embed::HashEmbedder::new(8);
    let store = Store::open(
        dir,
        &StoreOptions {
            dim: Some(8),
            ..Default::default()
        },
    )
    .expect("reference store");
    let r = hypatia::pipeline::ingest_paths(&store, &e, &[corpus.to_path_buf()], &Default::default(), &|_| {})
        .expect("reference ingest");
    let s = store.stats().expect("stats");
    assert_eq!(s.papers, r.papers);
    (s.papers, s.passages)
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
    let (want_papers, want_passages) = reference_counts(&corpus, &tmp.path().join("reference"));
    let table = tmp.path().join("results.tsv");
    let want_runs = 40;
    std::fs::write(&table, results_table(want_runs)).expect("write the results table");
    println!(
        "torture: {trials} trials on {} ({want_papers} papers, {want_passages} passages) and a results table of {want_runs} runs, seed {seed}",
        corpus.display()
    );

    let mut acked = BTreeSet::new();
    let mut total_violations = 0;
    let mut cycles = 0;
    let started = Instant::now();
    for t in 1..=trials {
        // One trial in four kills an agent's import instead of an ingest.
        let job = if rng.below(4) == 0 {
            Job::Import(&table)
        } else {
            Job::Ingest(&corpus)
        };
        let trial = if rng.below(10) < 3 {
            let f = FAILPOINTS[rng.below(FAILPOINTS.len() as u64) as usize];
            run_ingest(&data, job, Some(f), None)
        } else {
            let ms = 300 + rng.below(6000);
            run_ingest(&data, job, None, Some(Duration::from_millis(ms)))
        };
        acked.extend(trial.acked.iter().cloned());
        let (v, papers, passages, runs) = violations(&data, &acked);
        total_violations += v.len();
        if papers == want_papers {
            // The corpus is in: check convergence, then start over so that every trial kills a
            // process in the middle of writes rather than one skipping unchanged papers.
            if passages != want_passages {
                total_violations += 1;
                println!("  cycle {cycles}: {papers} papers but {passages} passages, clean ingest has {want_passages}");
            }
            cycles += 1;
            std::fs::remove_dir_all(&data).expect("reset the store");
            acked.clear();
        }
        println!(
            "  trial {t:>3}: {:<36} acked {:>3} this run, {:>3} papers / {:>4} passages / {:>2} runs after recovery{}",
            trial.how,
            trial.acked.len(),
            papers,
            passages,
            runs,
            if v.is_empty() {
                String::new()
            } else {
                format!("  VIOLATIONS: {v:?}")
            }
        );
    }
    for job in [Job::Ingest(&corpus), Job::Import(&table)] {
        acked.extend(run_ingest(&data, job, None, None).acked);
    }
    let (v, papers, passages, runs) = violations(&data, &acked);
    total_violations += v.len();
    let converged = papers == want_papers && passages == want_passages && runs == want_runs;
    println!(
        "torture: {trials} trials, {cycles} completed ingest cycles, {total_violations} violations; final {papers} papers / {passages} passages / {runs} runs (clean: {want_papers} / {want_passages} / {want_runs}) -> {}; {:.0} s",
        if converged { "converged" } else { "DID NOT CONVERGE" },
        started.elapsed().as_secs_f64()
    );
    if total_violations > 0 || !converged {
        std::process::exit(1);
    }
}
