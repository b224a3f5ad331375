//! The source tree keeps the shape ARCHITECTURE.md gives it: imports point down the layers, no
//! two sibling modules import each other (directly or around a circle), and no source file
//! grows past 800 lines of code (its unit tests aside).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The folders of `src/`, lowest first: a module may name its own layer and the ones before it.
const LAYERS: [&str; 9] = [
    "common",
    "embed",
    "store",
    "ingest",
    "retrieval",
    "answers",
    "research",
    "service",
    "serve",
];

/// Longest a source file may be, not counting a trailing `#[cfg(test)] mod tests`.
const MAX_LINES: usize = 800;

/// One source file: its module path (`["store", "papers"]`) and its code without comments.
struct Source {
    path: PathBuf,
    module: Vec<String>,
    code: String,
}

/// Every `.rs` file below `dir`, sorted.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

fn sources(root: &Path) -> Vec<Source> {
    let src = root.join("src");
    rust_files(&src)
        .into_iter()
        .map(|path| {
            let mut module: Vec<String> = path
                .strip_prefix(&src)
                .unwrap()
                .iter()
                .map(|c| c.to_string_lossy().into_owned())
                .collect();
            let file = module.pop().unwrap();
            match file.as_str() {
                "mod.rs" | "lib.rs" | "main.rs" => {}
                f => module.push(f.trim_end_matches(".rs").to_string()),
            }
            let code = std::fs::read_to_string(&path)
                .unwrap()
                .lines()
                .filter(|l| !l.trim_start().starts_with("//"))
                .collect::<Vec<_>>()
                .join("\n");
            Source { path, module, code }
        })
        .collect()
}

/// The module paths a file names: `crate::a::b` as `[a, b]`, `super::x` resolved against the
/// file's own module, each name of a `{a, b}` group as a path of its own.
fn references(s: &Source) -> Vec<Vec<String>> {
    let ident = |t: &str| -> String {
        t.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    let mut out = Vec::new();
    let bytes = s.code.as_bytes();
    for (start, _) in s.code.match_indices("crate::").chain(s.code.match_indices("super::")) {
        let before = start.checked_sub(1).map(|i| bytes[i]);
        if before.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b == b':') {
            continue;
        }
        let rest = &s.code[start..];
        let mut path: Vec<String> = if rest.starts_with("crate") {
            Vec::new()
        } else {
            // `super` of `a/b.rs` (module a::b) and of `a/mod.rs` (module a) is one up.
            let mut m = s.module.clone();
            m.pop();
            m
        };
        let mut tail = &rest[rest.find("::").unwrap() + 2..];
        loop {
            if let Some(group) = tail.strip_prefix('{') {
                let inner = &group[..group.find('}').unwrap_or(group.len())];
                for item in inner.split(',') {
                    let name = ident(item.trim());
                    if name.starts_with(|c: char| c.is_ascii_lowercase()) && name != "self" {
                        let mut p = path.clone();
                        p.push(name);
                        out.push(p);
                    }
                }
                break;
            }
            let name = ident(tail);
            if name == "super" {
                path.pop();
            } else if name.is_empty() || !name.starts_with(|c: char| c.is_ascii_lowercase()) {
                break;
            } else {
                path.push(name.clone());
            }
            match tail[name.len()..].strip_prefix("::") {
                Some(t) => tail = t,
                None => break,
            }
        }
        out.push(path);
    }
    out
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn imports_point_down_the_layers() {
    let rank = |m: &str| LAYERS.iter().position(|l| *l == m);
    let mut wrong = Vec::new();
    for s in sources(&root()) {
        let Some(own) = s.module.first().and_then(|m| rank(m)) else {
            continue; // lib.rs, main.rs and the binary's cli/
        };
        for r in references(&s) {
            if let Some(theirs) = r.first().and_then(|m| rank(m)) {
                if theirs > own {
                    wrong.push(format!("{} names {}", s.path.display(), r.join("::")));
                }
            }
        }
    }
    wrong.sort();
    wrong.dedup();
    assert!(
        wrong.is_empty(),
        "imports that point up the layers:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn sibling_modules_do_not_import_each_other_in_a_circle() {
    let all = sources(&root());
    let modules: BTreeSet<Vec<String>> = all.iter().map(|s| s.module.clone()).collect();
    // For each folder, an edge between two of its children when code in one names the other.
    let mut edges: BTreeMap<Vec<String>, BTreeSet<(String, String)>> = BTreeMap::new();
    for s in &all {
        for r in references(s) {
            // The deepest common folder of the two, and the child of it each lies in.
            let common = s.module.iter().zip(&r).take_while(|(a, b)| a == b).count();
            if common >= s.module.len() || common >= r.len() {
                continue; // a module naming itself, its ancestor or its descendant
            }
            let folder = s.module[..common].to_vec();
            let (from, to) = (s.module[common].clone(), r[common].clone());
            let mut target = folder.clone();
            target.push(to.clone());
            if modules.contains(&target) {
                edges.entry(folder).or_default().insert((from, to));
            }
        }
    }
    let mut circles = Vec::new();
    for (folder, es) in &edges {
        let next = |n: &str| -> Vec<String> { es.iter().filter(|(a, _)| a == n).map(|(_, b)| b.clone()).collect() };
        for (start, _) in es {
            // Depth-first search from `start` back to itself.
            let mut stack = vec![(start.clone(), vec![start.clone()])];
            let mut seen = BTreeSet::new();
            while let Some((n, trail)) = stack.pop() {
                for m in next(&n) {
                    if m == *start {
                        circles.push(format!("{}: {} -> {}", folder.join("::"), trail.join(" -> "), start));
                    } else if seen.insert(m.clone()) {
                        let mut t = trail.clone();
                        t.push(m.clone());
                        stack.push((m, t));
                    }
                }
            }
        }
    }
    circles.sort();
    circles.dedup();
    assert!(
        circles.is_empty(),
        "modules that import each other:\n{}",
        circles.join("\n")
    );
}

#[test]
fn no_source_file_is_longer_than_800_lines_of_code() {
    let mut long = Vec::new();
    for dir in ["src", "ingest/src", "extract/src", "kernels/src", "benches"] {
        for path in rust_files(&root().join(dir)) {
            let text = std::fs::read_to_string(&path).unwrap();
            let lines: Vec<&str> = text.lines().collect();
            let code = lines
                .windows(2)
                .position(|w| w[0] == "#[cfg(test)]" && w[1].starts_with("mod tests"))
                .unwrap_or(lines.len());
            if code > MAX_LINES {
                long.push(format!("{}: {code} lines", path.display()));
            }
        }
    }
    long.sort();
    assert!(
        long.is_empty(),
        "files over {MAX_LINES} lines of code:\n{}",
        long.join("\n")
    );
}
