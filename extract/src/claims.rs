//! Claims: sentences that state a finding, with negation and hedging.

use crate::text::Sentence;
use crate::{Claim, Mention, Polarity};

const SUBJECTS: &[&str] = &[
    "we",
    "results",
    "result",
    "findings",
    "data",
    "study",
    "analysis",
    "analyses",
    "experiments",
    "experiment",
    "evaluation",
    "it",
    "this",
    "these",
    "our",
    "work",
    "observations",
    "evidence",
    "trials",
    "trial",
];

const REPORTING: &[&str] = &[
    "show",
    "shows",
    "showed",
    "shown",
    "find",
    "finds",
    "found",
    "demonstrate",
    "demonstrates",
    "demonstrated",
    "indicate",
    "indicates",
    "indicated",
    "suggest",
    "suggests",
    "suggested",
    "reveal",
    "reveals",
    "revealed",
    "confirm",
    "confirms",
    "confirmed",
    "observe",
    "observed",
    "establish",
    "established",
    "prove",
    "proves",
    "proved",
    "report",
    "reported",
    "identify",
    "identified",
    "conclude",
    "concluded",
    "argue",
    "verify",
    "verified",
];

/// Effect cues, as one or two lower-case words.
const EFFECTS: &[&str] = &[
    "outperforms",
    "outperform",
    "outperformed",
    "outperforming",
    "surpasses",
    "surpass",
    "exceeds",
    "better than",
    "superior to",
    "higher than",
    "lower than",
    "associated with",
    "correlated with",
    "correlates with",
    "correlation between",
    "leads to",
    "led to",
    "lead to",
    "results in",
    "resulted in",
    "improves",
    "improve",
    "improved",
    "increases",
    "increased",
    "decreases",
    "decreased",
    "reduces",
    "reduced",
    "enhances",
    "enhanced",
    "inhibits",
    "inhibited",
    "promotes",
    "promoted",
    "induces",
    "induced",
    "prevents",
    "prevented",
    "regulates",
    "mediates",
    "achieves",
    "achieved",
    "is required for",
    "are required for",
    "is essential for",
    "is effective",
    "are effective",
    "significantly",
    "significant",
    "no difference",
    "no effect",
    "no association",
    "predicts",
    "predicted",
    "contributes to",
    "depends on",
    "causes",
    "caused",
];

const HEDGES: &[&str] = &[
    "may",
    "might",
    "could",
    "possibly",
    "likely",
    "unlikely",
    "suggest",
    "suggests",
    "suggested",
    "suggesting",
    "appear",
    "appears",
    "appeared",
    "seem",
    "seems",
    "seemed",
    "potentially",
    "perhaps",
    "probably",
    "putative",
    "putatively",
    "hypothesize",
    "hypothesized",
    "speculate",
    "presumably",
    "plausibly",
    "possible",
];

/// Whether a lower-cased word negates what follows it ("not", "no", "fails", "don't").
pub fn is_negation(w: &str) -> bool {
    matches!(
        w,
        "not" | "no" | "never" | "neither" | "nor" | "cannot" | "none" | "fail" | "fails" | "failed" | "lack" | "lacks"
    ) || w.ends_with("n't")
}

/// The claim made by one sentence, if it makes one.
pub fn claim(lowers: &[String], sentence: &Sentence, mentions: &[Mention]) -> Option<Claim> {
    let (first, last) = (sentence.first, sentence.last);
    let w = |i: usize| lowers[i].as_str();
    // (cue start token, cue end token exclusive, reporting?)
    let mut cue: Option<(usize, usize, bool)> = None;
    'outer: for i in first..last {
        if SUBJECTS.contains(&w(i)) {
            for j in i + 1..(i + 4).min(last) {
                if REPORTING.contains(&w(j)) {
                    // "we found" but not "we propose"; "results suggest"
                    cue = Some((i, j + 1, true));
                    break 'outer;
                }
            }
        }
        if w(i) == "is" && i + 1 < last && matches!(w(i + 1), "shown" | "demonstrated" | "found") {
            cue = Some((i, i + 2, true));
            break;
        }
    }
    if cue.is_none() {
        'effects: for i in first..last {
            for e in EFFECTS {
                let mut parts = e.split(' ');
                if parts.next() != Some(w(i)) {
                    continue;
                }
                let mut len = 1;
                let mut ok = true;
                for p in parts {
                    if i + len >= last || w(i + len) != p {
                        ok = false;
                        break;
                    }
                    len += 1;
                }
                if ok {
                    cue = Some((i, i + len, false));
                    break 'effects;
                }
            }
        }
    }
    let (cs, ce, reporting) = cue?;
    let cue_text = lowers[cs..ce].join(" ");
    // negation: in a window before the cue, inside the cue ("no difference"), or (for a reporting
    // cue) anywhere in the reported clause
    let neg_from = cs.saturating_sub(4).max(first);
    let neg_to = if reporting { last } else { (ce + 2).min(last) };
    let mut negative = (neg_from..neg_to).any(|i| is_negation(w(i)) && !(i + 1 < last && w(i + 1) == "only"));
    if !negative {
        negative = (first..last).any(|i| {
            w(i) == "no"
                && i + 1 < last
                && matches!(
                    w(i + 1),
                    "significant"
                        | "difference"
                        | "differences"
                        | "effect"
                        | "effects"
                        | "association"
                        | "evidence"
                        | "change"
                        | "changes"
                        | "correlation"
                        | "improvement"
                        | "benefit"
                )
        });
    }
    let hedged = (first..last).any(|i| HEDGES.contains(&w(i)));
    let mut concepts: Vec<String> = Vec::new();
    for m in mentions {
        if sentence.span.contains(&m.span) && !concepts.contains(&m.key) {
            concepts.push(m.key.clone());
        }
    }
    Some(Claim {
        span: sentence.span,
        polarity: if negative {
            Polarity::Negative
        } else {
            Polarity::Positive
        },
        hedged,
        cue: cue_text,
        concepts,
    })
}
