//! A deterministic mutational fuzzer on stable Rust, run as an ordinary test with a time budget.
//!
//! For every format, the seed corpus is the real samples of `tests/fixtures/papers/<format>/`.
//! Each input is a seed put through one to four mutations (bit flips, byte insertions and
//! deletions, truncation, splicing two seeds, a slice repeated many times, deep nesting such as
//! `<a><a>…` or `[[[[`, invalid UTF-8, format tokens such as entity declarations, huge numbers,
//! repeated lines) drawn from a xorshift generator seeded from `HYPATIA_FUZZ_SEED` (default
//! fixed), the format and the iteration number, so that a failure is reproduced from those three.
//! Each input goes through `detect` and `parse` (and `parse` again as the detected format when it
//! differs, and in line chunks through `parse_chunk` for line-oriented formats) on a worker
//! thread, under `catch_unwind`; a panic, or an input that takes longer than the per-input bound
//! (`HYPATIA_FUZZ_INPUT_SECS`, default 2 s), fails the test with the seed, the iteration and the
//! mutations, and the input is written to the temporary folder.
//!
//! Budget: `HYPATIA_FUZZ_SECS` seconds per format (default 3); the iteration count of each format
//! is printed (`cargo test --test fuzz -- --nocapture` shows it).

use std::cell::RefCell;
use std::io::Cursor;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::Once;
use std::time::{Duration, Instant};

use hypatia_ingest::archive::{self, Limits};
use hypatia_ingest::stream::LineChunks;
use hypatia_ingest::{detect, parse, parse_chunk, Format};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/papers");

/// Largest input made by a mutation.
const MAX_INPUT: usize = 2 << 20;

/// Largest seed kept whole; JSON-lines seeds are cut at a line end past this.
const MAX_SEED: usize = 160 * 1024;

/// Mixed into the archive fuzzer's seeds.
const ARCHIVE_SALT: u64 = 0xa5c1_1e00_0000_0000;

/// The default base seed.
const DEFAULT_SEED: u64 = 0x5eed_1a7e_c0ff_ee11;

/// A xorshift64* generator.
#[derive(Clone)]
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        // Spread the seed (splitmix64), never zero.
        let mut z = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        Rng((z ^ (z >> 31)) | 1)
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number in `0..n` (0 when n is 0).
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }

    fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
    }
}

/// One seed: the file name (for `detect` and error messages) and its bytes.
struct Seed {
    name: String,
    bytes: Vec<u8>,
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

/// The real samples of `format`: files of its fixture folder that detect as it.
fn seeds(format: Format) -> Vec<Seed> {
    let dir = Path::new(FIXTURES).join(format.name());
    let mut paths = Vec::new();
    files_under(&dir, &mut paths);
    let mut out = Vec::new();
    for path in paths {
        let Ok(mut bytes) = std::fs::read(&path) else {
            continue;
        };
        let rel = path
            .strip_prefix(FIXTURES)
            .unwrap_or(&path)
            .to_string_lossy()
            .into_owned();
        if detect(&rel, &bytes) != Some(format) {
            continue;
        }
        if bytes.len() > MAX_SEED && format.is_line_oriented() {
            let cut = bytes[MAX_SEED..]
                .iter()
                .position(|&b| b == b'\n')
                .map_or(bytes.len(), |i| MAX_SEED + i + 1);
            bytes.truncate(cut);
        }
        out.push(Seed { name: rel, bytes });
    }
    assert!(!out.is_empty(), "no seed for {format} in {}", dir.display());
    out
}

/// Tokens worth inserting, for every format.
const TOKENS: &[&[u8]] = &[
    b"<!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;&lol;\">]>",
    b"<!ENTITY xxe SYSTEM \"file:///etc/passwd\">",
    b"&xxe;",
    b"&lol2;",
    b"&#0;",
    b"&#xFFFFFFFF;",
    b"&#x110000;",
    b"&#55296;",
    b"&amp",
    b"<![CDATA[",
    b"]]>",
    b"<?xml version=\"1.0\" encoding=\"UTF-16\"?>",
    b"<!--",
    b"-->",
    b"</",
    b"/>",
    b"<",
    b">",
    b"\"",
    b"\\",
    b"\\u0000",
    b"\\ud800",
    b"\\uDFFF\\uD800",
    b"99999999999999999999999999999999",
    b"-1",
    b"1e999",
    b"null",
    b"[]",
    b"{}",
    b"@article{",
    b"@string{a = a # a}",
    b"@comment{",
    b"{\\\"{o}}",
    b"\\",
    b"}",
    b"{",
    b"#",
    b"---\n",
    b"\n# ",
    b"\n\n",
    b"\r",
    b"\t",
    b"\0",
    b"\xEF\xBB\xBF",
    b"%PDF-1.7\n",
    b"obj <<",
    b">> endobj",
    b"stream\n",
    b"endstream",
    b"xref\n0 99999999\n",
    b"trailer <</Root 1 0 R/Size 999999999>>",
    b"/Length 999999999",
    b"{{cite:",
    b"{{formula:",
    b"[1]",
    b"\"abstract_inverted_index\": {\"a\": [99999999]}",
];

const INVALID_UTF8: &[&[u8]] = &[
    b"\xff",
    b"\xc3",
    b"\xed\xa0\x80",
    b"\xf4\x90\x80\x80",
    b"\xe2\x82",
    b"\xc0\xaf",
];

/// Applies one mutation to `data`; returns what it did, for the report.
fn mutate(rng: &mut Rng, data: &mut Vec<u8>, seeds: &[Seed]) -> String {
    let len = data.len();
    match rng.below(12) {
        0 => {
            let n = 1 + rng.below(8);
            for _ in 0..n {
                if !data.is_empty() {
                    let i = rng.below(data.len());
                    data[i] ^= 1 << rng.below(8);
                }
            }
            format!("flip {n} bits")
        }
        1 => {
            let at = rng.below(len + 1);
            let n = 1 + rng.below(16);
            let bytes: Vec<u8> = (0..n).map(|_| rng.next() as u8).collect();
            data.splice(at..at, bytes);
            format!("insert {n} random bytes at {at}")
        }
        2 => {
            let at = rng.below(len + 1);
            let most = if rng.chance(4) { 4096 } else { 16 };
            let n = rng.below(1 + (len - at).min(most));
            data.drain(at..at + n);
            format!("delete {n} bytes at {at}")
        }
        3 => {
            let at = rng.below(len + 1);
            data.truncate(at);
            format!("truncate at {at}")
        }
        4 => {
            let other = &seeds[rng.below(seeds.len())];
            let at = rng.below(len + 1);
            let from = rng.below(other.bytes.len() + 1);
            data.truncate(at);
            data.extend_from_slice(&other.bytes[from..]);
            format!("splice at {at} with `{}` from {from}", other.name)
        }
        5 => {
            let at = rng.below(len + 1);
            let n = 1 + rng.below((len - at).min(64) + 1);
            let slice = data[at..(at + n).min(len)].to_vec();
            let most = if rng.chance(3) { 50_000 } else { 200 };
            let times = 1 + rng.below(most);
            let times = times.min(MAX_INPUT / slice.len().max(1));
            let mut repeated = Vec::with_capacity(slice.len() * times);
            for _ in 0..times {
                repeated.extend_from_slice(&slice);
            }
            data.splice(at..at, repeated);
            format!("repeat the {n} bytes at {at} {times} times")
        }
        6 => {
            let (open, close): (&[u8], &[u8]) = match rng.below(6) {
                0 => (b"<a>", b"</a>"),
                1 => (b"[", b"]"),
                2 => (b"{\"a\":", b"}"),
                3 => (b"{", b"}"),
                4 => (b"<sec><p>", b"</p></sec>"),
                _ => (b"> ", b""),
            };
            let most = if rng.chance(2) { 100_000 } else { 1_000 };
            let depth = 1 + rng.below(most);
            let at = rng.below(len + 1);
            let closed = rng.chance(2);
            let mut nest = Vec::with_capacity(depth * (open.len() + close.len()));
            for _ in 0..depth {
                nest.extend_from_slice(open);
            }
            if closed {
                for _ in 0..depth {
                    nest.extend_from_slice(close);
                }
            }
            data.splice(at..at, nest);
            format!(
                "nest `{}` {depth} deep at {at}{}",
                String::from_utf8_lossy(open),
                if closed { ", closed" } else { "" }
            )
        }
        7 => {
            let bad = INVALID_UTF8[rng.below(INVALID_UTF8.len())];
            let at = rng.below(len + 1);
            data.splice(at..at, bad.iter().copied());
            format!("insert invalid UTF-8 {bad:02x?} at {at}")
        }
        8 => {
            let token = TOKENS[rng.below(TOKENS.len())];
            let at = rng.below(len + 1);
            data.splice(at..at, token.iter().copied());
            format!("insert `{}` at {at}", String::from_utf8_lossy(token).escape_debug())
        }
        9 => {
            // A run of digits becomes a huge or negative number.
            let start = rng.below(len + 1);
            match data[start..].iter().position(u8::is_ascii_digit) {
                Some(i) => {
                    let at = start + i;
                    let end = data[at..]
                        .iter()
                        .position(|b| !b.is_ascii_digit())
                        .map_or(len, |j| at + j);
                    let with: &[u8] = match rng.below(3) {
                        0 => b"18446744073709551616",
                        1 => b"-9223372036854775809",
                        _ => b"0",
                    };
                    data.splice(at..end, with.iter().copied());
                    format!("number at {at} becomes `{}`", String::from_utf8_lossy(with))
                }
                None => "no number to change".to_string(),
            }
        }
        10 => {
            // Repeat or drop one line.
            let start = rng.below(len + 1);
            let line_start = data[..start].iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
            let line_end = data[start..]
                .iter()
                .position(|&b| b == b'\n')
                .map_or(len, |i| start + i + 1);
            if rng.chance(2) {
                let line = data[line_start..line_end].to_vec();
                let times = 1 + rng.below(20);
                for _ in 0..times {
                    data.splice(line_end..line_end, line.iter().copied());
                }
                format!("repeat the line at {line_start} {times} times")
            } else {
                data.drain(line_start..line_end);
                format!("drop the line at {line_start}")
            }
        }
        _ => {
            // Swap two slices' bytes of equal length.
            let n = 1 + rng.below(32);
            if len > 2 * n {
                let a = rng.below(len - n);
                let b = rng.below(len - n);
                for k in 0..n {
                    data.swap(a + k, b + k);
                }
                format!("swap {n} bytes at {a} and {b}")
            } else {
                "nothing to swap".to_string()
            }
        }
    }
}

thread_local! {
    /// Where the last panic on this thread happened, recorded by the quiet hook.
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Installs, once, a panic hook that records panics of worker threads instead of printing them
/// (the PDF parser catches the PDF reader's panics on purpose; those must stay quiet).
fn quiet_panics() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let default = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            let worker = std::thread::current().name().is_some_and(|n| n.starts_with("fuzz-"));
            if worker {
                let message = info
                    .payload()
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| info.payload().downcast_ref::<String>().cloned())
                    .unwrap_or_default();
                let at = info.location().map(|l| format!(" at {l}")).unwrap_or_default();
                LAST_PANIC.with(|p| *p.borrow_mut() = Some(format!("{message}{at}")));
            } else {
                default(info);
            }
        }));
    });
}

/// What the worker does with one input: everything a reader of untrusted bytes would. Besides
/// not panicking or hanging, every error must say where: the source's name and a line or a
/// byte offset (ARCHITECTURE.md's invariant of `hypatia-ingest`); a violation panics, which
/// the harness reports with the input.
fn exercise(format: Format, name: &str, input: &[u8], chunked: bool) -> usize {
    let mut seen = 0;
    let detected = detect(name, input);
    seen += checked(name, parse(format, name, input));
    if let Some(other) = detected.filter(|&f| f != format) {
        seen += checked(name, parse(other, name, input));
    }
    if chunked && format.is_line_oriented() {
        for chunk in LineChunks::new(name, Cursor::new(input))
            .chunk_bytes(4096)
            .max_record(64 * 1024)
        {
            match chunk {
                Ok(chunk) => seen += checked(name, parse_chunk(format, name, &chunk.bytes, &chunk.base)),
                Err(e) => {
                    located(name, &e);
                    seen += 1;
                }
            }
        }
    }
    seen
}

/// Counts the records, checking that each error is located.
fn checked<T>(name: &str, records: impl Iterator<Item = Result<T, hypatia_ingest::ParseError>>) -> usize {
    records
        .map(|r| {
            if let Err(e) = &r {
                located(name, e);
            }
        })
        .count()
}

/// Panics unless `e` names its source and a line or byte offset, and says what is wrong.
fn located(name: &str, e: &hypatia_ingest::ParseError) {
    assert!(
        e.source_name.starts_with(name) && (e.location.line.is_some() || e.location.byte.is_some()),
        "a parse error without its source and a line or byte: {e:?}"
    );
    assert!(!e.message.trim().is_empty(), "a parse error without a message: {e:?}");
}

/// The job of the worker thread: an input to run, or an archive to read.
enum Job {
    Parse {
        name: String,
        input: Vec<u8>,
        chunked: bool,
    },
    Archive {
        name: String,
        input: Vec<u8>,
    },
}

fn env_f64(key: &str, default: f64) -> f64 {
    std::env::var(key).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn base_seed() -> u64 {
    std::env::var("HYPATIA_FUZZ_SEED")
        .ok()
        .and_then(|v| {
            let v = v.trim();
            v.strip_prefix("0x")
                .map_or_else(|| v.parse().ok(), |h| u64::from_str_radix(h, 16).ok())
        })
        .unwrap_or(DEFAULT_SEED)
}

/// A runner of jobs on a worker thread, with a time bound per job.
struct Worker {
    jobs: mpsc::Sender<Job>,
    results: mpsc::Receiver<Result<usize, String>>,
}

impl Worker {
    fn start(label: &str, format: Format) -> Worker {
        let (jobs, job_rx) = mpsc::channel::<Job>();
        let (result_tx, results) = mpsc::channel();
        std::thread::Builder::new()
            .name(format!("fuzz-{label}"))
            .spawn(move || {
                for job in job_rx {
                    let outcome = panic::catch_unwind(AssertUnwindSafe(|| match &job {
                        Job::Parse { name, input, chunked } => exercise(format, name, input, *chunked),
                        Job::Archive { name, input } => archive_entries(name, input),
                    }));
                    let outcome = outcome.map_err(|_| {
                        LAST_PANIC
                            .with(|p| p.borrow_mut().take())
                            .unwrap_or_else(|| "panic".to_string())
                    });
                    if result_tx.send(outcome).is_err() {
                        break;
                    }
                }
            })
            .expect("worker thread");
        Worker { jobs, results }
    }
}

/// Reads every entry of an archive and parses each one as detected, as a pipeline would.
fn archive_entries(name: &str, input: &[u8]) -> usize {
    let limits = Limits {
        max_entry_bytes: 8 << 20,
        max_total_bytes: 32 << 20,
        ..Limits::default()
    };
    let mut seen = 0;
    for entry in archive::entries(name, Cursor::new(input), limits).take(10_000) {
        seen += 1;
        if let Ok(entry) = entry {
            if let Some(format) = detect(&entry.name, &entry.bytes) {
                seen += parse(format, &entry.name, &entry.bytes).count();
            }
        }
    }
    seen
}

/// Reports a failure: where to find the input and how to make it again.
fn fail(label: &str, seed: u64, iteration: u64, origin: &str, steps: &[String], input: &[u8], what: &str) -> ! {
    let path = std::env::temp_dir().join(format!("hypatia-fuzz-{label}-{seed:x}-{iteration}.bin"));
    let _ = std::fs::write(&path, input);
    panic!(
        "fuzz {label}: {what}\n  reproduce: HYPATIA_FUZZ_SEED={seed:#x}, iteration {iteration}\n  seed file: {origin}\n  \
         mutations: {}\n  input ({} bytes) written to {}",
        steps.join("; "),
        input.len(),
        path.display()
    );
}

/// Fuzzes the parser of `format` for the budget.
fn fuzz(format: Format) {
    quiet_panics();
    let seeds = seeds(format);
    let seed = base_seed();
    let budget = Duration::from_secs_f64(env_f64("HYPATIA_FUZZ_SECS", 3.0));
    let bound = Duration::from_secs_f64(env_f64("HYPATIA_FUZZ_INPUT_SECS", 2.0));
    let label = format.name();
    let worker = Worker::start(label, format);
    let start = Instant::now();
    let mut iteration = 0u64;
    let mut records = 0usize;
    while iteration < 4 || start.elapsed() < budget {
        let mut rng =
            Rng::new(seed ^ (format as u64).wrapping_mul(0x1000_0000_01b3) ^ iteration.wrapping_mul(0x9e37_79b9));
        let which = rng.below(seeds.len());
        let origin = &seeds[which];
        let mut input = origin.bytes.clone();
        let mut steps = Vec::new();
        // Iteration 0 runs each seed as it is.
        if iteration >= seeds.len() as u64 {
            for _ in 0..1 + rng.below(4) {
                steps.push(mutate(&mut rng, &mut input, &seeds));
                input.truncate(MAX_INPUT);
            }
        }
        let chunked = rng.chance(4);
        let began = Instant::now();
        worker
            .jobs
            .send(Job::Parse {
                name: origin.name.clone(),
                input: input.clone(),
                chunked,
            })
            .expect("worker alive");
        match worker.results.recv_timeout(bound + Duration::from_secs(1)) {
            Ok(Ok(n)) => records += n,
            Ok(Err(panic)) => fail(
                label,
                seed,
                iteration,
                &origin.name,
                &steps,
                &input,
                &format!("panic: {panic}"),
            ),
            Err(_) => fail(
                label,
                seed,
                iteration,
                &origin.name,
                &steps,
                &input,
                &format!("no answer after {:?} (hang?)", bound + Duration::from_secs(1)),
            ),
        }
        let took = began.elapsed();
        if took > bound {
            fail(
                label,
                seed,
                iteration,
                &origin.name,
                &steps,
                &input,
                &format!("took {took:?} on one input (bound {bound:?})"),
            );
        }
        iteration += 1;
    }
    drop(worker);
    println!(
        "fuzz {label}: {iteration} inputs in {:.1} s from {} seeds, {records} results, seed {seed:#x}",
        start.elapsed().as_secs_f64(),
        seeds.len()
    );
}

macro_rules! fuzz_tests {
    ($($test:ident => $format:expr,)*) => {
        $(
            #[test]
            fn $test() {
                fuzz($format);
            }
        )*
    };
}

fuzz_tests! {
    fuzz_beir => Format::BeirJsonl,
    fuzz_arxiv => Format::ArxivMetadata,
    fuzz_jats => Format::Jats,
    fuzz_tei => Format::Tei,
    fuzz_openalex => Format::OpenAlex,
    fuzz_medline => Format::Medline,
    fuzz_bibtex => Format::Bibtex,
    fuzz_acl => Format::Acl,
    fuzz_s2orc => Format::S2orc,
    fuzz_unarxive => Format::Unarxive,
    fuzz_markdown => Format::Markdown,
    fuzz_text => Format::Text,
    fuzz_pdf => Format::Pdf,
}

/// The test of each format: the match has no wildcard, so a new format fails to compile here
/// until it has its line in `fuzz_tests!` above.
fn test_of(format: Format) -> &'static str {
    match format {
        Format::BeirJsonl => "fuzz_beir",
        Format::ArxivMetadata => "fuzz_arxiv",
        Format::Jats => "fuzz_jats",
        Format::Tei => "fuzz_tei",
        Format::OpenAlex => "fuzz_openalex",
        Format::Medline => "fuzz_medline",
        Format::Bibtex => "fuzz_bibtex",
        Format::Acl => "fuzz_acl",
        Format::S2orc => "fuzz_s2orc",
        Format::Unarxive => "fuzz_unarxive",
        Format::Markdown => "fuzz_markdown",
        Format::Text => "fuzz_text",
        Format::Pdf => "fuzz_pdf",
    }
}

#[test]
fn every_format_is_fuzzed() {
    let names: std::collections::HashSet<&str> = Format::ALL.iter().map(|&f| test_of(f)).collect();
    assert_eq!(names.len(), Format::ALL.len());
    // Every format has seeds.
    for format in Format::ALL {
        assert!(!seeds(format).is_empty(), "{format}");
    }
}

/// Archives built from the fixtures, to be mutated.
fn archive_seeds() -> Vec<Seed> {
    use std::io::Write;
    let jats = std::fs::read(format!("{FIXTURES}/jats/pmc/1472-6831-8-11.nxml")).expect("jats fixture");
    let bib = std::fs::read(format!("{FIXTURES}/bibtex/biblatex-examples.bib")).expect("bibtex fixture");
    let arxiv = std::fs::read(format!("{FIXTURES}/arxiv/arxiv-metadata-oai-snapshot.sample.jsonl")).expect("arxiv");
    let mut tar = tar::Builder::new(Vec::new());
    for (path, bytes) in [("a/paper.nxml", &jats[..]), ("refs.bib", &bib[..8192])] {
        let mut header = tar::Header::new_gnu();
        header.set_size(bytes.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        tar.append_data(&mut header, path, bytes).expect("tar");
    }
    let tar = tar.into_inner().expect("tar");
    let mut tgz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    tgz.write_all(&tar).expect("gz");
    let tgz = tgz.finish().expect("gz");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&arxiv[..6000]).expect("gz");
    let gz = gz.finish().expect("gz");
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("bib/refs.bib", options).expect("zip");
    zip.write_all(&bib[..8192]).expect("zip");
    zip.start_file("paper.nxml", options.compression_method(zip::CompressionMethod::Stored))
        .expect("zip");
    zip.write_all(&jats[..4096]).expect("zip");
    let zip = zip.finish().expect("zip").into_inner();
    vec![
        Seed {
            name: "papers.tar".into(),
            bytes: tar,
        },
        Seed {
            name: "papers.tar.gz".into(),
            bytes: tgz,
        },
        Seed {
            name: "arxiv.jsonl.gz".into(),
            bytes: gz,
        },
        Seed {
            name: "papers.zip".into(),
            bytes: zip,
        },
    ]
}

#[test]
fn fuzz_archives() {
    quiet_panics();
    let seeds = archive_seeds();
    let seed = base_seed();
    let budget = Duration::from_secs_f64(env_f64("HYPATIA_FUZZ_SECS", 3.0));
    let bound = Duration::from_secs_f64(env_f64("HYPATIA_FUZZ_INPUT_SECS", 2.0));
    let worker = Worker::start("archive", Format::Text);
    let start = Instant::now();
    let mut iteration = 0u64;
    let mut results = 0;
    while iteration < 4 || start.elapsed() < budget {
        let mut rng = Rng::new(seed ^ ARCHIVE_SALT ^ iteration.wrapping_mul(0x9e37_79b9));
        let origin = &seeds[rng.below(seeds.len())];
        let mut input = origin.bytes.clone();
        let mut steps = Vec::new();
        if iteration >= seeds.len() as u64 {
            for _ in 0..1 + rng.below(3) {
                // Splicing and nesting make little sense inside compressed bytes: flips, bytes,
                // cuts and repeats do.
                steps.push(mutate(&mut rng, &mut input, &seeds));
                input.truncate(MAX_INPUT);
            }
        }
        let began = Instant::now();
        worker
            .jobs
            .send(Job::Archive {
                name: origin.name.clone(),
                input: input.clone(),
            })
            .expect("worker alive");
        match worker.results.recv_timeout(bound + Duration::from_secs(1)) {
            Ok(Ok(n)) => results += n,
            Ok(Err(panic)) => fail(
                "archive",
                seed,
                iteration,
                &origin.name,
                &steps,
                &input,
                &format!("panic: {panic}"),
            ),
            Err(_) => fail(
                "archive",
                seed,
                iteration,
                &origin.name,
                &steps,
                &input,
                "no answer (hang?)",
            ),
        }
        let took = began.elapsed();
        if took > bound {
            fail(
                "archive",
                seed,
                iteration,
                &origin.name,
                &steps,
                &input,
                &format!("took {took:?} on one input"),
            );
        }
        iteration += 1;
    }
    println!(
        "fuzz archive: {iteration} inputs in {:.1} s, {results} results, seed {seed:#x}",
        start.elapsed().as_secs_f64()
    );
}

/// Replays one saved input: `HYPATIA_FUZZ_REPLAY=path HYPATIA_FUZZ_FORMAT=name cargo test --test
/// fuzz replay -- --ignored --nocapture` (the name defaults to the one in the file name).
#[test]
#[ignore = "replays the input named by HYPATIA_FUZZ_REPLAY"]
fn replay() {
    let Ok(path) = std::env::var("HYPATIA_FUZZ_REPLAY") else {
        return;
    };
    let input = std::fs::read(&path).expect("replay input");
    let format: Format = std::env::var("HYPATIA_FUZZ_FORMAT")
        .ok()
        .or_else(|| {
            path.split("hypatia-fuzz-")
                .nth(1)?
                .split('-')
                .next()
                .map(str::to_string)
        })
        .and_then(|f| f.parse().ok())
        .expect("HYPATIA_FUZZ_FORMAT");
    let began = Instant::now();
    let n = exercise(format, &format!("replay.{}", format.name()), &input, true);
    println!("{format}: {n} results in {:?}", began.elapsed());
}
