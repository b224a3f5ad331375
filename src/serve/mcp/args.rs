//! The tools' arguments, with the JSON Schemas agents see in `tools/list`.

use schemars::JsonSchema;
use serde::Deserialize;

use crate::research::gaps::GapKind;
use crate::research::HypothesisStatus;

/// How much of a record to return.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Detail {
    /// A short summary (the default).
    #[default]
    Summary,
    /// Everything.
    Full,
}

/// Arguments of `search`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SearchArgs {
    /// What to look for, in words.
    pub query: String,
    /// bm25, vector or hybrid (default hybrid).
    #[serde(default)]
    pub mode: Option<String>,
    /// Hits per page (default 10, at most 50).
    #[serde(default)]
    pub limit: Option<usize>,
    /// The `next_cursor` of the previous page.
    #[serde(default)]
    pub cursor: Option<String>,
    /// Only papers from this year on.
    #[serde(default)]
    pub year_from: Option<i32>,
    /// Only papers up to this year.
    #[serde(default)]
    pub year_to: Option<i32>,
    /// Only passages of this section (e.g. "abstract", "results").
    #[serde(default)]
    pub section: Option<String>,
    /// Only papers of this venue.
    #[serde(default)]
    pub venue: Option<String>,
    /// Re-score hybrid candidates with the learned reranker (default false).
    #[serde(default)]
    pub rerank: Option<bool>,
    /// Answer as the store stood then: a year (its end), a date (its end) or an RFC 3339
    /// date-time; papers published or learned later are left out.
    #[serde(default)]
    pub as_of: Option<String>,
    /// Which clocks as_of reads: both (default) or valid (the sources' dates only).
    #[serde(default)]
    pub clock: Option<crate::common::clock::Clocks>,
    /// Fit the result to about this many tokens (4 characters each) by dropping the
    /// lowest-ranked hits whole; the result says how many it `dropped`.
    #[serde(default)]
    #[schemars(range(min = 200, max = 100000))]
    pub max_tokens: Option<usize>,
}

/// Arguments of `findings`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FindingsArgs {
    /// The question.
    pub question: String,
    /// Most papers (default 5, at most 20).
    #[serde(default)]
    pub papers: Option<usize>,
    /// Most passages per paper (default 2, at most 10).
    #[serde(default)]
    pub per_paper: Option<usize>,
    /// bm25, vector or hybrid (default hybrid).
    #[serde(default)]
    pub mode: Option<String>,
    /// Only papers from this year on.
    #[serde(default)]
    pub year_from: Option<i32>,
    /// Only papers up to this year.
    #[serde(default)]
    pub year_to: Option<i32>,
    /// markdown (quotes with footnoted references; the default) or json (the whole pack).
    #[serde(default)]
    pub format: Option<PackFormat>,
    /// Keep passages of retracted papers, marked retracted (default false: left out).
    #[serde(default)]
    pub include_retracted: Option<bool>,
    /// Answer as the store stood then: a year (its end), a date (its end) or an RFC 3339
    /// date-time; papers published or learned later are left out.
    #[serde(default)]
    pub as_of: Option<String>,
    /// Which clocks as_of reads: both (default) or valid (the sources' dates only).
    #[serde(default)]
    pub clock: Option<crate::common::clock::Clocks>,
    /// Fit the result to about this many tokens (4 characters each) by dropping the
    /// lowest-ranked quotes and claims (of the last papers first) whole; the result says how many it `dropped`.
    #[serde(default)]
    #[schemars(range(min = 200, max = 100000))]
    pub max_tokens: Option<usize>,
}

/// The formats of an evidence pack.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum PackFormat {
    /// Markdown with footnotes.
    #[default]
    Markdown,
    /// The evidence pack as JSON.
    Json,
}

/// Arguments of `sparql`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SparqlArgs {
    /// A SPARQL 1.1 query (SELECT, ASK, CONSTRUCT or DESCRIBE); `SERVICE hyp:search` works
    /// inside it.
    pub query: String,
    /// Rows or triples per page (default 100, at most 1000).
    #[serde(default)]
    pub limit: Option<usize>,
    /// The `next_cursor` of the previous page.
    #[serde(default)]
    pub cursor: Option<String>,
}

/// Arguments of `get_paper`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetPaperArgs {
    /// The paper's key (from search results) or IRI.
    pub id: String,
    /// summary (reference, sections, opening text; the default) or full (passages, 20 per page,
    /// and the paper's facts).
    #[serde(default)]
    pub detail: Option<Detail>,
    /// With detail full: the `next_cursor` of the previous page of passages.
    #[serde(default)]
    pub cursor: Option<String>,
}

/// Arguments of `gaps`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GapsArgs {
    /// missing_link, untested_combination, open_question or contested_claim; all kinds when
    /// absent.
    #[serde(default)]
    pub kind: Option<GapKind>,
    /// Only gaps touching this concept (IRI or label).
    #[serde(default)]
    pub concept: Option<String>,
    /// Only papers up to this year count.
    #[serde(default)]
    pub as_of: Option<i32>,
    /// Most gaps of each kind (default 5, at most 50).
    #[serde(default)]
    pub limit: Option<usize>,
    /// summary (the default) or full (every concept, evidence span and score feature).
    #[serde(default)]
    pub detail: Option<Detail>,
    /// Fit the result to about this many tokens (4 characters each) by dropping the
    /// lowest-ranked gaps (by rank within their kind) whole; the result says how many it `dropped`.
    #[serde(default)]
    #[schemars(range(min = 200, max = 100000))]
    pub max_tokens: Option<usize>,
}

/// Arguments of `set_hypothesis_status`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SetStatusArgs {
    /// The hypothesis' key or IRI.
    pub hypothesis: String,
    /// testing, supported, refuted or inconclusive.
    pub status: HypothesisStatus,
    /// Who changes it.
    pub agent: String,
    /// The experiments (keys or IRIs) the change rests on; at least one for supported and
    /// refuted.
    #[serde(default)]
    pub outcomes: Vec<String>,
    /// Why.
    #[serde(default)]
    pub note: Option<String>,
}

/// Arguments of `hypotheses`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HypothesesArgs {
    /// One hypothesis (key or IRI), with its status history and experiments; else a list.
    #[serde(default)]
    pub id: Option<String>,
    /// Only this status.
    #[serde(default)]
    pub status: Option<HypothesisStatus>,
    /// Only this agent's.
    #[serde(default)]
    pub agent: Option<String>,
    /// Only flagged ones: `retracted_evidence` (evidence from a paper since retracted).
    #[serde(default)]
    pub flag: Option<crate::research::RecordFlag>,
    /// Order of the list: recency (default), rating (Elo from pairwise comparisons) or
    /// evidence (evidence passages plus kept runs).
    #[serde(default)]
    pub sort: Option<crate::research::HypothesisSort>,
    /// desc (default: newest, highest rated, best supported first) or asc.
    #[serde(default)]
    pub order: Option<crate::research::SortOrder>,
    /// Most hypotheses, after sorting (default 20, at most 100).
    #[serde(default)]
    pub limit: Option<usize>,
    /// With `id`: only this metric's plateau (else every metric the runs report).
    #[serde(default)]
    pub plateau_metric: Option<String>,
    /// With `id`: lower or higher is better (else inferred from the metric's name).
    #[serde(default)]
    pub plateau_direction: Option<crate::research::MetricDirection>,
    /// With `id`: N runs without a gain above the threshold after the best make a plateau
    /// (default 5).
    #[serde(default)]
    pub plateau_window: Option<usize>,
    /// With `id`: the smallest gain over the best that counts, in the metric's unit (default 0).
    #[serde(default)]
    pub plateau_threshold: Option<f64>,
}

/// Arguments of `gate`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GateArgs {
    /// The change about to be tried, as the run would be described.
    pub change: String,
    /// The run's parameters (NAME -> VALUE), if known: equal parameters are a repeat.
    #[serde(default)]
    pub parameters: Option<std::collections::BTreeMap<String, String>>,
    /// Similarity at or above which a discarded or crashed run is a repeat (default 0.8).
    #[serde(default)]
    pub refuse_at: Option<f32>,
    /// Similarity at or above which any run is a warning (default 0.55).
    #[serde(default)]
    pub warn_at: Option<f32>,
    /// Similarity at or above which a paper passage is a warning (default 0.7).
    #[serde(default)]
    pub literature_at: Option<f32>,
    /// Past runs and papers to return, each (default 5, at most 20).
    #[serde(default)]
    pub k: Option<usize>,
    /// summary (the default) or full (whole records).
    #[serde(default)]
    pub detail: Option<Detail>,
}

/// Arguments of `novelty`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NoveltyArgs {
    /// The idea, in a sentence or a paragraph.
    pub idea: String,
    /// Nearest papers, hypotheses and experiments, each (default 5, at most 20).
    #[serde(default)]
    pub k: Option<usize>,
    /// Answer as the store stood then: a year (its end), a date (its end) or an RFC 3339
    /// date-time; papers published or learned later are left out.
    #[serde(default)]
    pub as_of: Option<String>,
    /// Which clocks as_of reads: both (default) or valid (the sources' dates only).
    #[serde(default)]
    pub clock: Option<crate::common::clock::Clocks>,
    /// summary (the default) or full (whole records).
    #[serde(default)]
    pub detail: Option<Detail>,
    /// Fit the result to about this many tokens (4 characters each) by dropping the
    /// lowest-ranked papers, hypotheses and runs (least similar first) whole; the result says how many it `dropped`.
    #[serde(default)]
    #[schemars(range(min = 200, max = 100000))]
    pub max_tokens: Option<usize>,
}
