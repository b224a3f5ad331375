//! The configuration file through the real binary: file < environment < flags, unknown keys
//! refused with the file and key.

use std::process::Command;

fn stats(config: &std::path::Path, env: Option<&str>, flag: Option<&str>) -> String {
    let mut c = Command::new(env!("CARGO_BIN_EXE_hypatia"));
    c.arg("--config").arg(config).env_remove("HYPATIA_DATA_DIR");
    if let Some(e) = env {
        c.env("HYPATIA_DATA_DIR", e);
    }
    if let Some(f) = flag {
        c.args(["--data-dir", f]);
    }
    let out = c.arg("stats").output().unwrap();
    assert!(!out.status.success(), "no store exists in any of the folders");
    String::from_utf8_lossy(&out.stderr).to_string()
}

#[test]
fn the_file_is_overridden_by_the_environment_and_flags() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("hypatia.toml");
    std::fs::write(
        &cfg,
        "data_dir = \"/nonexistent/from-file\"\n[serve]\nquery_timeout = 5\n",
    )
    .unwrap();
    assert!(stats(&cfg, None, None).contains("/nonexistent/from-file"));
    assert!(stats(&cfg, Some("/nonexistent/from-env"), None).contains("/nonexistent/from-env"));
    let flagged = stats(&cfg, Some("/nonexistent/from-env"), Some("/nonexistent/from-flag"));
    assert!(flagged.contains("/nonexistent/from-flag"), "{flagged}");

    std::fs::write(&cfg, "data_dir = \"x\"\n[serve]\nquery_timout = 5\n").unwrap();
    let err = stats(&cfg, None, None);
    assert!(
        err.contains("hypatia.toml") && err.contains("unknown key `serve.query_timout`"),
        "{err}"
    );
}
