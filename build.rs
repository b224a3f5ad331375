//! Builds the web UI (`web/`) for the binary to embed: installs its locked npm packages when the
//! lockfile changed, bundles it with esbuild (`web/build.mjs`) into `OUT_DIR/ui`, and writes
//! `OUT_DIR/ui_assets.rs`, the list of files `serve::http::ui` serves. Needs Node.js (≥ 18) and
//! npm, which reach only the npm registry; `HYPATIA_UI_DIST=DIR` uses a bundle built elsewhere
//! (`npm run build` in `web/` makes one in `web/dist`) instead.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let web = root.join("web");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    for input in ["src", "index.html", "build.mjs", "package.json", "package-lock.json"] {
        println!("cargo:rerun-if-changed=web/{input}");
    }
    println!("cargo:rerun-if-env-changed=HYPATIA_UI_DIST");

    let dist = match std::env::var_os("HYPATIA_UI_DIST") {
        Some(dir) => PathBuf::from(dir),
        None => {
            install(&web);
            let dist = out.join("ui");
            run(
                Command::new("node").arg("build.mjs").arg(&dist).current_dir(&web),
                "bundling the web UI (node web/build.mjs)",
            );
            dist
        }
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dist)
        .unwrap_or_else(|e| fail(&format!("reading the UI bundle in {}: {e}", dist.display())))
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    for needed in ["app.js", "index.html"] {
        if !files.iter().any(|p| p.ends_with(needed)) {
            fail(&format!("{} has no {needed}: not a bundle of web/", dist.display()));
        }
    }
    let mut list = String::from("// Written by build.rs: the UI files, from the bundle in ");
    let _ = writeln!(list, "{}.\n&[", dist.display());
    for path in &files {
        let name = path.file_name().and_then(|n| n.to_str()).expect("a UTF-8 file name");
        let _ = writeln!(
            list,
            "    Asset {{ name: {name:?}, media_type: {:?}, body: include_bytes!({:?}) }},",
            media_type(name),
            path.display().to_string()
        );
    }
    list.push_str("]\n");
    std::fs::write(out.join("ui_assets.rs"), list).expect("writing OUT_DIR/ui_assets.rs");
}

/// `npm ci` in `web/` unless `node_modules` was installed from this very lockfile.
fn install(web: &Path) {
    let lock =
        std::fs::read(web.join("package-lock.json")).unwrap_or_else(|e| fail(&format!("web/package-lock.json: {e}")));
    let stamp_path = web.join("node_modules").join(".hypatia-lock");
    let stamp = format!("{:016x}", fnv1a(&lock));
    if std::fs::read_to_string(&stamp_path).ok().as_deref() == Some(stamp.as_str()) {
        return;
    }
    run(
        Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
            .current_dir(web),
        "installing the web UI's locked npm packages (npm ci in web/)",
    );
    std::fs::write(&stamp_path, stamp).expect("writing web/node_modules/.hypatia-lock");
}

fn run(cmd: &mut Command, what: &str) {
    match cmd.status() {
        Ok(s) if s.success() => {}
        Ok(s) => fail(&format!("{what} failed ({s})")),
        Err(e) => fail(&format!(
            "{what}: {e}. The web UI is built with Node.js (>= 18) and npm (Debian: apt install nodejs npm); \
             or set HYPATIA_UI_DIST to a bundle made with `npm run build` in web/"
        )),
    }
}

fn fail(message: &str) -> ! {
    eprintln!("error: {message}");
    std::process::exit(1);
}

/// A 64-bit FNV-1a hash: enough to tell one lockfile from another.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn media_type(name: &str) -> &'static str {
    match name.rsplit_once('.').map(|(_, ext)| ext) {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("woff2") => "font/woff2",
        Some("woff") => "font/woff",
        Some("ttf") => "font/ttf",
        Some("txt") => "text/plain; charset=utf-8",
        Some("map") => "application/json",
        _ => "application/octet-stream",
    }
}
