//! Relations between neighbouring mentions of a sentence, from the words between them (Hearst
//! patterns, usage, evaluation, comparison, part-whole, feature, coordination), carried across
//! coordinated mentions ("X for A, B and C" relates X to each).

use crate::acronym::is_acronym_like;
use crate::text::{Sentence, Token};
use crate::{typing, ConceptType, Mention, Relation, RelationKind, Span};

/// Gaps longer than this (after dropping determiners) relate nothing.
const MAX_GAP: usize = 6;

/// Words dropped from a gap before matching.
fn droppable(w: &str) -> bool {
    matches!(
        w,
        "the"
            | "a"
            | "an"
            | "our"
            | "their"
            | "its"
            | "this"
            | "these"
            | "those"
            | "which"
            | "that"
            | "also"
            | "then"
            | "both"
            | "his"
            | "her"
            | "."
            | "-"
            | "\""
            | "“"
            | "”"
    )
}

const FEATURE_HEADS: &[&str] = &[
    "feature",
    "features",
    "property",
    "properties",
    "structure",
    "structures",
    "size",
    "shape",
    "distribution",
    "characteristic",
    "characteristics",
    "quality",
    "complexity",
    "length",
    "weight",
    "weights",
    "parameter",
    "parameters",
    "dimension",
    "dimensions",
    "degree",
    "aspect",
    "aspects",
    "behavior",
    "behaviour",
    "context",
    "frequency",
    "position",
    "orientation",
    "boundary",
    "boundaries",
    "surface",
    "style",
    "order",
    "topology",
    "geometry",
    "appearance",
    "variation",
    "variability",
    "sparsity",
    "granularity",
    "resolution",
    "level",
    "illumination",
    "statistics",
    "type",
    "types",
    "form",
    "forms",
    "semantics",
    "syntax",
];

const PART_HEADS: &[&str] = &[
    "component",
    "components",
    "part",
    "parts",
    "layer",
    "layers",
    "module",
    "modules",
    "subset",
    "element",
    "elements",
    "unit",
    "units",
    "subtask",
    "step",
    "steps",
    "stage",
    "stages",
    "node",
    "nodes",
];

const CONTAINER_HEADS: &[&str] = &[
    "set",
    "sets",
    "collection",
    "collections",
    "database",
    "databases",
    "corpus",
    "corpora",
    "sequence",
    "sequences",
    "bank",
    "library",
    "archive",
    "dataset",
    "datasets",
    "list",
    "lists",
    "series",
    "network",
    "graph",
    "lexicon",
];

const USE_VERBS: &[&str] = &[
    "using",
    "uses",
    "use",
    "utilizes",
    "utilizing",
    "utilize",
    "employs",
    "employing",
    "employ",
    "exploits",
    "exploiting",
    "exploit",
    "leverages",
    "leveraging",
    "leverage",
    "adopts",
    "adopting",
    "incorporates",
    "incorporating",
    "integrates",
    "integrating",
    "applies",
    "applying",
    "via",
    "through",
    "requires",
    "require",
    "needs",
    "relies",
    "combines",
    "combining",
    "augmented",
    "enhanced",
    "equipped",
    "extended",
];

/// What the words between two mentions say: the kind, whether the left mention is the head, and
/// the confidence. `left`/`right` are the mentions' types and lower-case head words.
pub fn classify(
    gap: &[&str],
    left: (ConceptType, &str),
    right: (ConceptType, &str),
) -> Option<(RelationKind, bool, f32)> {
    use RelationKind::*;
    let g: Vec<&str> = gap.iter().copied().filter(|w| !droppable(w)).collect();
    // a relative clause or a comma before a verb: ", which uses" -> "uses"
    let g: Vec<&str> = if g.len() >= 2
        && g[0] == ","
        && g[1] != "and"
        && g[1] != "or"
        && g[1] != "such"
        && g[1] != "including"
        && g[1] != "e.g"
    {
        g[1..].to_vec()
    } else {
        g
    };
    if g.len() > MAX_GAP {
        return None;
    }
    let s = g.join(" ");
    let s = s.as_str();
    let (lt, lh) = left;
    let (rt, rh) = right;
    // Hearst patterns
    if matches!(
        s,
        "such as"
            | ", such as"
            | "including"
            | ", including"
            | "e.g"
            | ", e.g"
            | "( e.g"
            | "e.g ,"
            | ", e.g ,"
            | "( e.g ,"
            | "like"
            | ", like"
            | "especially"
            | ", especially"
            | "particularly"
            | ", particularly"
            | "in particular"
            | ", in particular"
            | "for example"
            | ", for example"
            | ", for example ,"
            | "for instance"
            | ", for instance"
            | "for instance ,"
            | "( such as"
            | "namely"
            | ", namely"
            | "i.e"
            | ", i.e"
            | "( i.e"
            | "e.g. ,"
    ) {
        return Some((Broader, false, 0.7));
    }
    if matches!(
        s,
        "and other" | "or other" | ", and other" | ", or other" | "and other such" | "and many other"
    ) {
        return Some((Broader, true, 0.7));
    }
    if matches!(
        s,
        "is" | "is one of"
            | "is kind of"
            | "is type of"
            | "type of"
            | "kind of"
            | "is an instance of"
            | "is form of"
            | "are"
    ) && (!matches!(s, "is" | "are") || rt == lt || rt == ConceptType::Other)
    {
        let conf = if s.len() <= 3 { 0.3 } else { 0.6 };
        return Some((Broader, true, conf));
    }
    // comparison
    if g.iter()
        .any(|w| w.starts_with("outperform") || w.starts_with("surpass") || *w == "beats" || *w == "beat")
        || s.contains("better than")
        || s.contains("superior to")
        || s.contains("improves over")
        || s.contains("improves upon")
        || s.contains("improvement over")
        || s.contains("improvements over")
        || s.contains("gains over")
        || s.contains("improves on")
    {
        return Some((ImprovesOn, true, 0.7));
    }
    if matches!(
        s,
        "compared with"
            | "compared to"
            | "than"
            | "versus"
            | "vs"
            | "vs ."
            | "against"
            | "and compare"
            | "in comparison with"
            | "in comparison to"
            | "over"
    ) || s.ends_with("compared with")
        || s.ends_with("compared to")
        || s.ends_with("comparable to")
        || s.ends_with("similar to")
        || s.contains("comparison")
    {
        return Some((ComparedWith, true, 0.6));
    }
    // evaluation
    let eval_verb = g.iter().any(|w| {
        w.starts_with("evaluat")
            || w.starts_with("test")
            || w.starts_with("experiment")
            || *w == "results"
            || *w == "performance"
            || w.starts_with("benchmark")
            || *w == "accuracy"
    });
    if (s.ends_with(" on") || s == "on") && (eval_verb || matches!(rt, ConceptType::Dataset)) {
        return Some((EvaluatedOn, true, if eval_verb { 0.65 } else { 0.5 }));
    }
    if rt == ConceptType::Metric
        && matches!(
            s,
            "in terms of"
                | "with respect to"
                | "measured by"
                | "achieves"
                | "achieving"
                | "with"
                | "obtains"
                | "yields"
                | "reaches"
                | "improves"
                | "improve"
                | "improved"
                | "increases"
                | "by"
                | "evaluated by"
                | "evaluated with"
                | "in"
                | "on"
                | "with high"
                | "achieves high"
                | "increase"
        )
    {
        return Some((EvaluatedOn, true, 0.55));
    }
    if lt == ConceptType::Metric && matches!(s, "of" | "for" | "on" | "in") {
        return Some((EvaluatedOn, false, 0.55));
    }
    // usage
    if matches!(
        s,
        "based on"
            | "based upon"
            | "built on"
            | "built upon"
            | "relies on"
            | "relying on"
            | "rely on"
            | "driven by"
            | "guided by"
            | "trained on"
            | "learned from"
            | "derived from"
            | "extracted from"
            | "learnt from"
            | "trained with"
            | "is based on"
            | "are based on"
            | "by means of"
            | "with help of"
            | "by using"
            | "by exploiting"
            | "is trained on"
            | "are trained on"
            | "informed by"
            | "conditioned on"
    ) {
        return Some((Uses, true, 0.6));
    }
    if g.len() <= 3 && g.first().is_some_and(|w| USE_VERBS.contains(w)) {
        return Some((Uses, true, 0.55));
    }
    if matches!(s, "with" | "by") {
        return Some((Uses, true, 0.35));
    }
    if matches!(
        s,
        "for"
            | "is used for"
            | "are used for"
            | "used for"
            | "is used to"
            | "are used to"
            | "used in"
            | "is used in"
            | "are used in"
            | "is applied to"
            | "are applied to"
            | "applied to"
            | "to improve"
            | "to solve"
            | "for solving"
            | "to perform"
            | "for improving"
            | "to address"
            | "designed for"
            | "developed for"
            | "is useful for"
            | "useful for"
            | "suitable for"
            | "helps"
            | "can be used for"
            | "can be used to"
            | "can be applied to"
            | "is proposed for"
            | "proposed for"
            | "to support"
            | "to help"
            | "to aid"
            | "to enhance"
            | "for use in"
            | "in support of"
            | "to facilitate"
            | "to model"
            | "to handle"
            | "to capture"
            | "to compute"
            | "to estimate"
            | "to detect"
            | "to identify"
            | "to learn"
            | "to predict"
            | "to represent"
            | "to extract"
            | "to generate"
            | "aimed at"
            | "aims at"
            | "to"
            | "is used as"
            | "used as"
            | "as"
            | "serves as"
            | "serve as"
            | "to build"
            | "to construct"
            | "to create"
            | "to produce"
            | "to train"
            | "to guide"
            | "to find"
            | "to select"
            | "to determine"
            | "to obtain"
            | "to recognize"
            | "to classify"
            | "to rank"
            | "to reduce"
            | "towards"
    ) || (g.len() >= 2 && g.last() == Some(&"for") && g.iter().any(|w| w.ends_with("ed")))
    {
        // "to" and "as" alone are weak
        let conf = if matches!(s, "to" | "as") { 0.3 } else { 0.5 };
        return Some((Uses, false, conf));
    }
    // part / feature
    if matches!(s, "of" | "in" | "for" | "within" | "inside" | "from") && FEATURE_HEADS.contains(&lh) {
        return Some((FeatureOf, true, 0.45));
    }
    if matches!(s, "of" | "in" | "within" | "from") && PART_HEADS.contains(&lh) {
        return Some((PartOf, true, 0.45));
    }
    if s == "of" && CONTAINER_HEADS.contains(&lh) {
        return Some((PartOf, false, 0.45));
    }
    if matches!(
        s,
        "consists of"
            | "composed of"
            | "contains"
            | "containing"
            | "includes"
            | "comprising"
            | "comprises"
            | "consisting of"
            | "made of"
            | "with"
    ) {
        return Some((PartOf, false, 0.45));
    }
    if matches!(s, "in" | "within" | "inside" | "into") {
        return Some((PartOf, true, 0.3));
    }
    if s == "of" && (FEATURE_HEADS.contains(&rh) || rt == ConceptType::Other) {
        return Some((FeatureOf, true, 0.3));
    }
    // coordination
    if matches!(
        s,
        "and" | "or" | "," | ", and" | ", or" | "as well as" | "and/or" | "/" | ", as well as" | "nor" | "and even"
    ) {
        return Some((Conjunction, true, 0.5));
    }
    None
}

/// What a relation needs to know of one of its mentions.
#[derive(Debug, Clone, Copy)]
pub struct Arg<'a> {
    /// Its type.
    pub ctype: ConceptType,
    /// Its last word, lower case.
    pub head: &'a str,
    /// True when written like the name of a system ("SciBERT", "SPECTER"), not resolved to an
    /// expansion.
    pub acronym: bool,
}

/// True when a one-token mention is written like the name of a system: inner capitals after
/// lower case ("SciBERT", "GraphSAGE") or five capitals or more ("SPECTER"), no digits (not a gene
/// or a protein: "CD33", "S100A9").
fn name_like(surface: &str) -> bool {
    if !is_acronym_like(surface) || surface.chars().any(|c| c.is_ascii_digit()) {
        return false;
    }
    let chars: Vec<char> = surface.chars().collect();
    let camel = chars.windows(2).any(|w| w[0].is_lowercase() && w[1].is_uppercase());
    camel || chars.iter().filter(|c| c.is_uppercase()).count() >= 5
}

/// True when the mention may stand for a method: typed so, or untyped with a method head
/// ("tagging system") or written as a name ("SPECTER").
fn methodish(a: Arg) -> bool {
    match a.ctype {
        ConceptType::Method => true,
        ConceptType::Other => typing::is_method_head(a.head) || a.acronym,
        _ => false,
    }
}

/// True when the mention may be what a method is evaluated on: a dataset or a task, a phrase
/// headed by "corpus", "benchmark", "set", or (after an explicit "evaluated on", "tested on")
/// material.
fn evaluation_target(a: Arg, eval_cue: bool) -> bool {
    match a.ctype {
        ConceptType::Dataset | ConceptType::Task => true,
        ConceptType::Material => eval_cue || typing::is_dataset_head(a.head),
        ConceptType::Other => typing::is_dataset_head(a.head),
        _ => false,
    }
}

/// Type constraints of a relation (head, tail): `evaluated-on` goes from a method to a dataset or
/// a task (not to a metric: results carry metrics); `uses` from a method or a task to a method,
/// material or a dataset (or to an untyped term, from a typed method or task); `compared-with`
/// and `improves-on` relate comparable things (two methods, or two of one type). Others are free.
/// "Method" includes an untyped mention with a method head ("tagging system") or an undefined
/// name ("SPECTER"). `eval_cue`: the words between say "evaluated", "tested", "experiments",
/// "results" or "benchmark".
pub fn admissible(kind: RelationKind, head: Arg, tail: Arg, eval_cue: bool) -> bool {
    use ConceptType::*;
    match kind {
        RelationKind::EvaluatedOn => methodish(head) && evaluation_target(tail, eval_cue),
        RelationKind::Uses => {
            (methodish(head) || head.ctype == Task)
                && (methodish(tail)
                    || matches!(tail.ctype, Material | Dataset)
                    || (tail.ctype == Other && matches!(head.ctype, Method | Task)))
        }
        RelationKind::ComparedWith | RelationKind::ImprovesOn => {
            (methodish(head) && methodish(tail))
                || (head.ctype == tail.ctype && matches!(head.ctype, Method | Dataset | Task | Material))
        }
        _ => true,
    }
}

/// True when a gap between two mentions has an evaluation word.
fn eval_cue(gap: &[&str]) -> bool {
    gap.iter().any(|w| {
        w.starts_with("evaluat")
            || w.starts_with("test")
            || w.starts_with("experiment")
            || *w == "results"
            || w.starts_with("benchmark")
    })
}

/// Token range `[first, last)` of a span.
pub fn token_range(tokens: &[Token], span: Span) -> (usize, usize) {
    let first = tokens.partition_point(|t| t.start < span.start);
    let last = tokens.partition_point(|t| t.end <= span.end).max(first);
    (first, last)
}

fn head_word(lowers: &[String], last: usize, first: usize) -> &str {
    if last > first {
        lowers[last - 1].as_str()
    } else {
        ""
    }
}

/// The relations of one sentence, appended to `out`.
pub fn relations(
    text: &str,
    tokens: &[Token],
    lowers: &[String],
    sentence: &Sentence,
    mentions: &[Mention],
    out: &mut Vec<Relation>,
) {
    let ms: Vec<&Mention> = mentions.iter().filter(|m| sentence.span.contains(&m.span)).collect();
    if ms.len() < 2 {
        return;
    }
    let ranges: Vec<(usize, usize)> = ms.iter().map(|m| token_range(tokens, m.span)).collect();
    // pairwise between neighbours
    let args: Vec<Arg> = ms
        .iter()
        .zip(&ranges)
        .map(|(m, r)| {
            // an acronym counts by its expansion ("PBDEs": "polybrominated diphenyl ether")
            let resolved = m.key.contains(' ');
            Arg {
                ctype: m.ctype,
                head: if resolved {
                    m.key.rsplit(' ').next().unwrap_or("")
                } else {
                    head_word(lowers, r.1, r.0)
                },
                acronym: !resolved && r.1 - r.0 == 1 && name_like(m.span.slice(text)),
            }
        })
        .collect();
    let mut pairs: Vec<(usize, usize, RelationKind, bool, f32, bool)> = Vec::new();
    for i in 0..ms.len() - 1 {
        let j = i + 1;
        let (a, b) = (ranges[i], ranges[j]);
        if b.0 < a.1 {
            continue;
        }
        let gap: Vec<&str> = lowers[a.1..b.0].iter().map(|s| s.as_str()).collect();
        if gap.len() > MAX_GAP + 4 {
            continue;
        }
        let left = (ms[i].ctype, head_word(lowers, a.1, a.0));
        let right = (ms[j].ctype, head_word(lowers, b.1, b.0));
        if let Some((kind, left_is_head, conf)) = classify(&gap, left, right) {
            pairs.push((i, j, kind, left_is_head, conf, eval_cue(&gap)));
        }
    }
    // coordination groups: runs of neighbours joined by a conjunction
    let n = ms.len();
    let mut group = (0..n).collect::<Vec<usize>>();
    for p in &pairs {
        if p.2 == RelationKind::Conjunction {
            group[p.1] = group[p.0];
        }
    }
    let emit = |h: usize, t: usize, kind: RelationKind, conf: f32, cue: bool, out: &mut Vec<Relation>| {
        if h == t || ms[h].key == ms[t].key || !admissible(kind, args[h], args[t], cue) {
            return;
        }
        let span = Span::new(
            ms[h].span.start.min(ms[t].span.start),
            ms[h].span.end.max(ms[t].span.end),
        );
        if out
            .iter()
            .any(|r| r.kind == kind && r.head_span == ms[h].span && r.tail_span == ms[t].span)
        {
            return;
        }
        out.push(Relation {
            kind,
            head: ms[h].key.clone(),
            tail: ms[t].key.clone(),
            head_span: ms[h].span,
            tail_span: ms[t].span,
            span,
            confidence: conf,
        });
    };
    for &(i, j, kind, left_is_head, conf, cue) in &pairs {
        let (h, t) = if left_is_head { (i, j) } else { (j, i) };
        emit(h, t, kind, conf, cue, out);
        if kind == RelationKind::Conjunction {
            continue;
        }
        // carry across coordinated mentions: the members of the right group after j, the members
        // of the left group before i
        let mut rights = vec![j];
        let mut k = j + 1;
        while k < n && group[k] == group[j] {
            rights.push(k);
            k += 1;
        }
        let mut lefts = vec![i];
        let mut k = i;
        while k > 0 && group[k - 1] == group[i] && lefts.len() < 8 {
            k -= 1;
            lefts.push(k);
        }
        for &l in &lefts {
            for &r in &rights {
                if l == i && r == j {
                    continue;
                }
                let (h, t) = if left_is_head { (l, r) } else { (r, l) };
                emit(h, t, kind, conf * 0.9, cue, out);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(gap: &str) -> Option<(RelationKind, bool)> {
        let g: Vec<&str> = gap.split(' ').filter(|w| !w.is_empty()).collect();
        classify(&g, (ConceptType::Other, "x"), (ConceptType::Other, "y")).map(|(k, h, _)| (k, h))
    }

    #[test]
    fn gap_patterns() {
        assert_eq!(c("such as"), Some((RelationKind::Broader, false)));
        assert_eq!(c("and other"), Some((RelationKind::Broader, true)));
        assert_eq!(c("based on the"), Some((RelationKind::Uses, true)));
        assert_eq!(c("for"), Some((RelationKind::Uses, false)));
        assert_eq!(c("outperforms the"), Some((RelationKind::ImprovesOn, true)));
        assert_eq!(c(", which uses a"), Some((RelationKind::Uses, true)));
        assert_eq!(c("and"), Some((RelationKind::Conjunction, true)));
        assert_eq!(c("is evaluated on the"), Some((RelationKind::EvaluatedOn, true)));
        assert_eq!(c("we went home and slept"), None);
    }
}
