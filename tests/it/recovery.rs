//! A crash between any two steps of a write is finished on the next open: the real binary is
//! killed at each failpoint, then the store is reopened and checked.

use std::process::Command;

use super::common::{fixtures, model, reopen};

#[test]
fn a_write_killed_at_any_step_is_finished_on_open() {
    let m = model();
    for point in ["after-journal", "after-text", "after-vector", "after-graph"] {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let out = Command::new(env!("CARGO_BIN_EXE_hypatia"))
            .args(["--embed-threads", "1", "ingest", "--batch", "100"])
            .arg(fixtures().join("papers/arxiv"))
            .env("HYPATIA_DATA_DIR", &data)
            .env("HYPATIA_FAILPOINT", point)
            .output()
            .unwrap();
        assert!(!out.status.success(), "{point}: the process should have aborted");
        assert!(data.join("journal/pending").exists(), "{point}: the write is journaled");
        let store = reopen(&dir, m.identity());
        let stats = store.stats().unwrap();
        assert_eq!(stats.papers, 21, "{point}: recovery rolls the batch forward");
        assert_eq!(stats.passages, stats.vectors, "{point}");
        assert!(store.check_consistency().unwrap().is_consistent(), "{point}");
        assert!(!data.join("journal/pending").exists(), "{point}: recovery commits");
    }
}

#[test]
fn an_experiment_log_killed_at_any_step_is_finished_on_open() {
    let m = model();
    for point in ["after-journal", "after-text", "after-vector", "after-graph"] {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let out = Command::new(env!("CARGO_BIN_EXE_hypatia"))
            .args(["--embed-threads", "1", "experiments", "log", "--status", "discard"])
            .args([
                "--description",
                "double the width of the MLP",
                "--metric",
                "val_bpb=1.02::val",
            ])
            .env("HYPATIA_DATA_DIR", &data)
            .env("HYPATIA_FAILPOINT", point)
            .output()
            .unwrap();
        assert!(!out.status.success(), "{point}: the process should have aborted");
        assert!(data.join("journal/pending").exists(), "{point}: the write is journaled");
        let store = reopen(&dir, m.identity());
        let runs = hypatia::research::experiments(&store, &Default::default()).unwrap();
        assert_eq!(runs.len(), 1, "{point}: recovery rolls the run forward");
        assert_eq!(runs[0].metrics[0].value, 1.02, "{point}");
        assert_eq!(store.stats().unwrap().records, 1, "{point}");
        assert!(store.check_consistency().unwrap().is_consistent(), "{point}");
    }
}
