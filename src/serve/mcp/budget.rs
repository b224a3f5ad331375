//! Results sized for a context window: a tool given `max_tokens` drops its lowest-ranked evidence
//! until the text it returns fits, and says how many items it dropped.
//!
//! Tokens are estimated as one per [`CHARS_PER_TOKEN`] characters of the result's text (the
//! JSON, or the Markdown of an evidence pack), the usual rule of thumb for English under BPE and
//! WordPiece vocabularies; running a tokenizer per trial would cost more than the answer. An item
//! (a hit, a quote with its claims, a gap with its evidence, a near paper or record) is dropped
//! whole: a quote is verified verbatim at its offsets, so it is either all there or absent.

use rmcp::model::{CallToolResult, ContentBlock};
use rmcp::ErrorData as McpError;
use serde_json::{json, Value};

use super::answers::answer;
use super::PackFormat;
use crate::answers::findings::EvidencePack;
use crate::answers::formats::to_markdown;
use crate::common::error::{Error, Result};

/// Characters per token of the estimate.
pub(super) const CHARS_PER_TOKEN: usize = 4;
/// Smallest budget a tool accepts: less would not hold one cited quote with its reference.
pub(super) const MIN_TOKENS: usize = 200;
/// Largest budget a tool accepts.
pub(super) const MAX_TOKENS: usize = 100_000;

/// The estimated tokens of a text.
pub(super) fn tokens(text: &str) -> usize {
    text.chars().count().div_ceil(CHARS_PER_TOKEN)
}

/// The estimated tokens of a JSON answer as the tool's text carries it.
fn json_tokens(v: &Value) -> usize {
    tokens(&v.to_string())
}

/// Checks a `max_tokens` argument.
pub(super) fn checked(max_tokens: Option<usize>) -> Result<Option<usize>> {
    match max_tokens {
        Some(t) if !(MIN_TOKENS..=MAX_TOKENS).contains(&t) => Err(Error::invalid(
            "max_tokens",
            format!("{t}: expected {MIN_TOKENS} to {MAX_TOKENS}"),
        )),
        t => Ok(t),
    }
}

/// Drops items of `answer` with `drop_last` (which removes the lowest-ranked item left and says
/// whether there was one) until it fits `budget`, then records `dropped` and `max_tokens` in it.
/// Without a budget the answer is left as it is.
pub(super) fn fit(answer: &mut Value, budget: Option<usize>, mut drop_last: impl FnMut(&mut Value) -> bool) -> usize {
    let Some(budget) = budget else { return 0 };
    let mut dropped = 0;
    while json_tokens(answer) > budget && drop_last(answer) {
        dropped += 1;
    }
    say_fitted(answer, budget, dropped);
    dropped
}

/// Records in a fitted JSON answer the budget it was fitted to and how many items went.
fn say_fitted(answer: &mut Value, budget: usize, dropped: usize) {
    if let Some(o) = answer.as_object_mut() {
        o.insert("max_tokens".into(), json!(budget));
        o.insert("dropped".into(), json!(dropped));
    }
}

/// Removes the last element of the array at `key`, if any.
pub(super) fn pop(answer: &mut Value, key: &str) -> bool {
    answer
        .get_mut(key)
        .and_then(Value::as_array_mut)
        .is_some_and(|a| a.pop().is_some())
}

/// Removes, of the arrays at `keys`, the element with the lowest `similarity` (the last of its
/// array: each is sorted most similar first).
pub(super) fn pop_least_similar(answer: &mut Value, keys: &[&str]) -> bool {
    let similarity = |k: &&str| {
        answer[*k]
            .as_array()
            .and_then(|a| a.last())
            .and_then(|x| x["similarity"].as_f64())
    };
    let least = keys
        .iter()
        .filter_map(|k| similarity(k).map(|s| (s, *k)))
        .min_by(|a, b| a.0.total_cmp(&b.0));
    least.is_some_and(|(_, k)| pop(answer, k))
}

/// Removes the gap of the lowest rank within its kind (scores compare within a kind only); of
/// equal ranks, the later kind's.
pub(super) fn pop_lowest_gap(answer: &mut Value) -> bool {
    let Some(gaps) = answer.get_mut("gaps").and_then(Value::as_array_mut) else {
        return false;
    };
    let mut seen: Vec<(Value, usize)> = Vec::new();
    let mut worst: Option<(usize, usize)> = None;
    for (i, g) in gaps.iter().enumerate() {
        let kind = g["kind"].clone();
        let rank = match seen.iter_mut().find(|s| s.0 == kind) {
            Some(s) => {
                s.1 += 1;
                s.1
            }
            None => {
                seen.push((kind, 0));
                0
            }
        };
        if worst.is_none_or(|(r, _)| rank >= r) {
            worst = Some((rank, i));
        }
    }
    worst.is_some_and(|(_, i)| {
        gaps.remove(i);
        true
    })
}

/// Drops an evidence pack's lowest-ranked evidence (of the last paper: its claims, then its
/// passages from the last; a paper goes with its last passage) until `size` of the pack fits
/// `budget`. Pointers to contradicting evidence that was dropped go too; the summary keeps
/// counting the whole pack. Returns how many quotes and claims were dropped.
pub(super) fn fit_pack(pack: &mut EvidencePack, budget: usize, size: impl Fn(&EvidencePack) -> usize) -> usize {
    let mut dropped = 0;
    while size(pack) > budget {
        let Some(last) = pack.papers.last_mut() else { break };
        if last.claims.pop().is_none() && last.passages.pop().is_none() {
            pack.papers.pop();
            continue;
        }
        dropped += 1;
        if last.passages.is_empty() {
            pack.papers.pop();
        }
        let papers = &pack.papers;
        pack.contradicting.retain(|p| {
            papers.iter().any(|e| {
                e.rank == p.paper
                    && (e.passages.iter().any(|q| q.iri == p.iri) || e.claims.iter().any(|c| c.claim == p.iri))
            })
        });
    }
    dropped
}

/// An evidence pack as a tool answer in `format`, fitted to `max_tokens` when given.
pub(super) fn pack_reply(
    mut pack: EvidencePack,
    format: PackFormat,
    max_tokens: Option<usize>,
) -> std::result::Result<CallToolResult, McpError> {
    match format {
        PackFormat::Markdown => {
            let dropped = max_tokens.map(|b| fit_pack(&mut pack, b, |p| tokens(&to_markdown(p))));
            let mut text = to_markdown(&pack);
            if let (Some(b), Some(d)) = (max_tokens, dropped) {
                text.push_str(&format!(
                    "\n_Fitted to max_tokens {b}: {d} lower-ranked quotes and claims dropped._\n"
                ));
            }
            Ok(CallToolResult::success(vec![ContentBlock::text(text)]))
        }
        PackFormat::Json => {
            let size = |p: &EvidencePack| serde_json::to_string(p).map_or(0, |s| tokens(&s));
            let dropped = max_tokens.map(|b| fit_pack(&mut pack, b, size));
            let mut v = serde_json::to_value(&pack).map_err(|e| McpError::internal_error(e.to_string(), None))?;
            if let (Some(b), Some(d)) = (max_tokens, dropped) {
                say_fitted(&mut v, b, d);
            }
            answer(v)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_go_whole_lowest_ranked_first_until_the_answer_fits() {
        let quote = "x".repeat(400);
        let mut v = json!({ "hits": (1..=5).map(|r| json!({ "rank": r, "quote": quote })).collect::<Vec<_>>() });
        let full = json_tokens(&v);
        let dropped = fit(&mut v, Some(full / 2), |v| pop(v, "hits"));
        let ranks: Vec<u64> = v["hits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["rank"].as_u64().unwrap())
            .collect();
        assert_eq!(ranks, (1..=ranks.len() as u64).collect::<Vec<_>>(), "the best stay");
        assert_eq!(dropped, 5 - ranks.len());
        assert!(json_tokens(&v) <= full / 2 + 20, "{}", json_tokens(&v));
        assert!(v["hits"]
            .as_array()
            .unwrap()
            .iter()
            .all(|h| h["quote"] == quote.as_str()));
        assert_eq!(v["dropped"], dropped);
        assert!(checked(Some(10)).is_err() && checked(Some(MIN_TOKENS)).is_ok());
    }

    #[test]
    fn the_least_similar_record_or_paper_goes_first_and_gaps_by_rank_within_kind() {
        let mut v = json!({
            "papers": [{ "similarity": 0.9 }, { "similarity": 0.2 }],
            "experiments": [{ "similarity": 0.5 }],
        });
        assert!(pop_least_similar(&mut v, &["papers", "experiments"]));
        assert_eq!(v["papers"].as_array().unwrap().len(), 1);
        assert!(pop_least_similar(&mut v, &["papers", "experiments"]));
        assert_eq!(v["experiments"], json!([]));
        let mut g = json!({ "gaps": [
            { "kind": "a", "n": 1 }, { "kind": "a", "n": 2 }, { "kind": "a", "n": 3 }, { "kind": "b", "n": 4 },
        ] });
        assert!(pop_lowest_gap(&mut g));
        assert!(pop_lowest_gap(&mut g));
        let left: Vec<u64> = g["gaps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["n"].as_u64().unwrap())
            .collect();
        assert_eq!(left, vec![1, 4]);
    }
}
