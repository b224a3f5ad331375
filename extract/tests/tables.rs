//! Results from tables, on tables copied cell by cell from the paper fixtures of the workspace
//! (`tests/fixtures/papers`, see their `SOURCE.md`), plus small hand-built layouts.

use hypatia_extract::tables::{cell_value, orientation, table_results, Orientation, TableResult};
use hypatia_extract::Lexicon;

fn rows(cells: &[&[&str]]) -> Vec<Vec<String>> {
    cells
        .iter()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect()
}

fn at(results: &[TableResult], row: usize, col: usize) -> &TableResult {
    results
        .iter()
        .find(|r| r.row == row && r.col == col)
        .unwrap_or_else(|| panic!("no result at ({row}, {col}) in {results:#?}"))
}

/// N18-3011 (Ammar et al. 2018, NAACL), Table 3 as GROBID reads it: no header rows given.
#[test]
fn grobid_table_without_header_rows() {
    let caption = "Results of the entity extraction model on the development set of SemEval-2017 task 10.";
    let body = rows(&[
        &["Description", "F1"],
        &["Without LM", "49.9"],
        &["With LM", "54.1"],
        &["Avg. of 15 models with LM", "55.2"],
    ]);
    let results = table_results(caption, &[], &body, &Lexicon::empty());
    assert_eq!(results.len(), 3, "{results:#?}");
    let r = at(&results, 1, 1);
    assert_eq!(r.method.as_deref(), Some("without lm"));
    assert_eq!(r.metric, "F1");
    assert_eq!(r.value, 49.9);
    assert_eq!(at(&results, 3, 1).value, 55.2);
    assert!(results.iter().all(|r| r.dataset.is_some()), "{results:#?}");
}

/// 2020.acl-main.207 (SPECTER, Cohan et al. 2020), Table 1 as its text states it: "on the MeSH (MAG)
/// dataset, we obtain an 86.4 (82.0) F1 score"; datasets in an upper header row.
#[test]
fn dataset_from_upper_header_row() {
    let header = rows(&[
        &["Model", "MeSH", "MAG", "# params"],
        &["Model", "F1", "F1", "# params"],
    ]);
    let body = rows(&[
        &["SPECTER", "**86.4**", "82.0", "110"],
        &["SciBERT", "79.7*", "80.7", "110"],
    ]);
    let results = table_results(
        "Results on the SCIDOCS evaluation suite consisting of 7 tasks.",
        &header,
        &body,
        &Lexicon::empty(),
    );
    assert_eq!(results.len(), 4, "the # params column is no metric: {results:#?}");
    let r = at(&results, 0, 1);
    assert_eq!(
        (r.method.as_deref(), r.dataset.as_deref(), r.metric.as_str(), r.value),
        (Some("specter"), Some("mesh"), "F1", 86.4)
    );
    let r = at(&results, 1, 2);
    assert_eq!(
        (r.method.as_deref(), r.dataset.as_deref(), r.value),
        (Some("scibert"), Some("mag"), 80.7)
    );
    assert_eq!(at(&results, 1, 1).value, 79.7);
}

/// journal.pone.0146913 (PLOS ONE), Table 1: counts, ages and intervals, no metric at all.
#[test]
fn descriptive_table_gives_nothing() {
    let header = rows(&[&[
        "Model",
        "Subjects",
        "Age (year)*",
        "Gender**",
        "MRI sessions",
        "Follow up interval (month)*",
    ]]);
    let body = rows(&[
        &["Signa Excite", "12", "55.5 (42–75)", "5/7", "24", "5.3 (2.8–12.6)"],
        &["Sonata", "5", "52 (34–59)", "3/2", "10", "5 (3.6–9.7)"],
    ]);
    assert!(table_results("Demographics of the 34 subjects.", &header, &body, &Lexicon::empty()).is_empty());
}

/// journal.pone.0146913 (PLOS ONE), Table 4: a `%` header is a metric, the `p` column is not.
#[test]
fn percent_header_and_p_values() {
    let header = rows(&[&[
        "Volume",
        "Signa Excite",
        "Sonata",
        "TrioTim",
        "Verio",
        "Mean error across MRI models (%)",
        "p*",
    ]]);
    let body = rows(&[
        &[
            "SubCortical Gray Volume",
            "1.55 ± 1.06",
            "1.18 ± 0.73",
            "1.36 ± 1.85",
            "1.45 ± 1.18",
            "1.43 ± 1.18",
            "0.77",
        ],
        &[
            "Cortex Volume",
            "2.34 ± 2.29",
            "2.55 ± 1.52",
            "4.03 ± 4.89",
            "1.73 ± 1.12",
            "2.47 ± 2.58",
            "0.69",
        ],
        &[
            "White Matter Volume",
            "1.34 ± 1.21",
            "2.82 ± 2.38",
            "5.43 ± 7.49",
            "0.87 ± 0.53",
            "2.13 ± 3.55",
            "0.12",
        ],
    ]);
    let caption = "Volumetric reproducibility error for the various MRI models from FreeSurfer segmentation.";
    let results = table_results(caption, &header, &body, &Lexicon::empty());
    assert_eq!(results.len(), 3, "{results:#?}");
    let r = at(&results, 2, 5);
    assert_eq!(r.method.as_deref(), Some("white matter volume"));
    assert_eq!(r.metric, "Mean error across MRI models (%)");
    assert_eq!(r.value, 2.13);
    assert_eq!(r.unit.as_deref(), Some("%"));
}

/// 1472-6831-8-11 (BMC Oral Health, PMC), Tables 1 and 2: an empty corner cell, metrics named
/// "Cronbach's alpha" and "correlation"; means and SDs are no metrics.
#[test]
fn pmc_reliability_tables() {
    let header = rows(&[&["", "Cronbach's alpha", "Average inter-item correlation"]]);
    let body = rows(&[
        &["Total OHIP-NL", "0.97", "0.42"],
        &["Functional limitation", "0.82", "0.34"],
        &["Handicap", "0.92", "0.65"],
    ]);
    let results = table_results(
        "Internal consistency measured for the total OHIP-NL",
        &header,
        &body,
        &Lexicon::empty(),
    );
    assert_eq!(results.len(), 6);
    let r = at(&results, 2, 2);
    assert_eq!(
        (r.method.as_deref(), r.metric.as_str(), r.value),
        (Some("handicap"), "Average inter-item correlation", 0.65)
    );
    let header = rows(&[&["", "Mean total score", "SD", "Mean item score", "SD"]]);
    let body = rows(&[&["Total OHIP-NL (49)", "44.1", "40.2", "0.9", "0.8"]]);
    assert!(table_results("Mean total scores", &header, &body, &Lexicon::empty()).is_empty());
}

/// A transposed table: metrics as row labels, methods as column headers (values of N18-3011's
/// Table 3 laid out the other way).
#[test]
fn transposed_table() {
    let header = rows(&[&["Metric", "Without LM", "With LM"]]);
    let body = rows(&[
        &["F1", "49.9", "54.1"],
        &["Precision (%)", "51.0%", "55.3%"],
        &["# params", "10", "12"],
    ]);
    assert_eq!(orientation(&header, &body), Orientation::MethodsInColumns);
    let results = table_results(
        "Entity extraction on SemEval-2017 task 10.",
        &header,
        &body,
        &Lexicon::empty(),
    );
    assert_eq!(results.len(), 4, "{results:#?}");
    let r = at(&results, 1, 2);
    assert_eq!(
        (r.method.as_deref(), r.metric.as_str(), r.value),
        (Some("with lm"), "Precision (%)", 55.3)
    );
    assert_eq!(r.unit.as_deref(), Some("%"));
    assert_eq!(
        orientation(&rows(&[&["Model", "F1"]]), &rows(&[&["BERT", "90.9"]])),
        Orientation::MethodsInRows
    );
}

#[test]
fn values() {
    assert_eq!(cell_value("0.87 ± 0.02"), Some((0.87, None)));
    assert_eq!(cell_value("92.3%"), Some((92.3, Some("%".to_string()))));
    assert_eq!(cell_value("n/a"), None);
}
