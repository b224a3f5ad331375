//! Parse throughput per format over a folder of real papers.
//!
//! ```text
//! cargo run --release -p hypatia-ingest --example parse_bench [FOLDER] [--repeat N]
//! ```
//!
//! FOLDER defaults to `$HYPATIA_SHARED_DATA/papers`, else `/work/shared/data/papers`. Every file
//! under it is read (archives and gzip streams through `archive::entries`, each entry on its own),
//! its format detected from its first 64 KiB and its name, and parsed; files of no known format are
//! counted on an `(unknown)` row. The table gives per format: files (entries), bytes, records,
//! failed records, and the parse throughput in MB/s and records/s (parse time only: reading and
//! decompression are not counted). With `--repeat N` each file is parsed N times and the best time
//! is kept.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use hypatia_ingest::archive::{self, Limits};
use hypatia_ingest::{detect, parse, Format};

#[derive(Default)]
struct Row {
    files: u64,
    bytes: u64,
    records: u64,
    failures: u64,
    time: Duration,
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(read) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = read.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths {
        if p.is_dir() {
            files_under(&p, out);
        } else {
            out.push(p);
        }
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let mut folder = None;
    let mut repeat = 1u32;
    while let Some(arg) = args.next() {
        if arg == "--repeat" {
            repeat = args.next().and_then(|n| n.parse().ok()).unwrap_or(1).max(1);
        } else {
            folder = Some(PathBuf::from(arg));
        }
    }
    let folder = folder.unwrap_or_else(|| {
        let shared = std::env::var("HYPATIA_SHARED_DATA").unwrap_or_else(|_| "/work/shared/data".to_string());
        Path::new(&shared).join("papers")
    });
    let mut paths = Vec::new();
    files_under(&folder, &mut paths);
    if paths.is_empty() {
        eprintln!("no files under {}", folder.display());
        std::process::exit(1);
    }
    let mut rows: BTreeMap<String, Row> = BTreeMap::new();
    let mut archive_errors = 0u64;
    let began = Instant::now();
    for path in &paths {
        let name = path.to_string_lossy().into_owned();
        let file = match File::open(path) {
            Ok(f) => BufReader::new(f),
            Err(e) => {
                eprintln!("{name}: {e}");
                continue;
            }
        };
        for entry in archive::entries(&name, file, Limits::default()) {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    eprintln!("{e}");
                    archive_errors += 1;
                    continue;
                }
            };
            let head = &entry.bytes[..entry.bytes.len().min(64 * 1024)];
            let Some(format) = detect(&entry.name, head) else {
                let row = rows.entry("(unknown)".to_string()).or_default();
                row.files += 1;
                row.bytes += entry.bytes.len() as u64;
                continue;
            };
            let mut best = Duration::MAX;
            let (mut records, mut failures) = (0u64, 0u64);
            for _ in 0..repeat {
                let start = Instant::now();
                let (mut ok, mut bad) = (0u64, 0u64);
                for r in parse(format, &entry.name, &entry.bytes) {
                    match r {
                        Ok(_) => ok += 1,
                        Err(_) => bad += 1,
                    }
                }
                best = best.min(start.elapsed());
                (records, failures) = (ok, bad);
            }
            let row = rows.entry(format.name().to_string()).or_default();
            row.files += 1;
            row.bytes += entry.bytes.len() as u64;
            row.records += records;
            row.failures += failures;
            row.time += best;
        }
    }
    println!(
        "{} files under {} in {:.1} s ({} archive errors)\n",
        paths.len(),
        folder.display(),
        began.elapsed().as_secs_f64(),
        archive_errors
    );
    println!("| format | files | bytes | records | failures | MB/s | records/s |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
    for name in Format::ALL
        .iter()
        .map(|f| f.name().to_string())
        .chain(["(unknown)".to_string()])
    {
        let Some(row) = rows.get(&name) else {
            continue;
        };
        let secs = row.time.as_secs_f64();
        let (mbs, rps) = if secs > 0.0 {
            (
                format!("{:.1}", row.bytes as f64 / 1e6 / secs),
                format!("{:.0}", row.records as f64 / secs),
            )
        } else {
            ("-".to_string(), "-".to_string())
        };
        println!(
            "| {name} | {} | {} | {} | {} | {mbs} | {rps} |",
            row.files, row.bytes, row.records, row.failures
        );
    }
}
