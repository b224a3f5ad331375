//! Concept types from evidence: the head word, known names, and cue words around a mention.

use std::collections::HashSet;
use std::sync::OnceLock;

use crate::ConceptType;

static METHOD_HEADS: &str = "model algorithm approach technique network net framework architecture classifier parser \
    tagger encoder decoder autoencoder transformer estimator scheme procedure strategy mechanism heuristic regression \
    machine kernel filter grammar formalism attention embedding optimizer optimization descent sampling sampler \
    learning learner tree forest field chain process system tool toolkit pipeline perceptron layer module method \
    methodology paradigm formulation analyzer recognizer detector segmenter tokenizer generator translator \
    summarizer extractor matcher aligner controller planner solver inference propagation backpropagation \
    dropout normalization regularization smoothing clustering boosting bagging ensemble rule rules technique \
    representation language_model lexicon dictionary ontology thesaurus search pooling convolution projection \
    factorization decomposition lstm cnn rnn gru svm crf hmm mlp gan vae bert gpt elmo word2vec glove";

static TASK_HEADS: &str = "task problem recognition detection classification translation parsing segmentation \
    retrieval extraction generation summarization tagging labeling labelling understanding prediction \
    identification resolution disambiguation answering tracking localization reconstruction matching compression \
    synthesis induction acquisition categorization modeling modelling mining reasoning planning navigation \
    verification alignment correction transliteration diagnosis screening interpretation comprehension \
    completion captioning estimation forecasting ranking recommendation annotation inpainting denoising \
    registration transcription production analysis evaluation discovery linking filtering understanding \
    simplification paraphrasing entailment indexing search";

static DATASET_HEADS: &str = "dataset corpus treebank benchmark collection database bank suite archive repository \
    testbed test_set testset";

static DATASET_NAMES: &str = "imagenet mnist cifar coco squad glue superglue wmt trec conll ontonotes wikipedia \
    penn propbank framenet wordnet semcor muc ace tac duc snli multinli mnli sst imdb kitti pascal voc \
    cityscapes librispeech timit switchboard europarl hansard brown celeba ms-coco msmarco ms marco scifact \
    pubmed medline semeval senseval atis";

static MATERIAL_HEADS: &str = "data text speech image video document sentence utterance dialogue dialog language \
    corpus_material word phrase signal audio recording sample specimen tissue cell cells article articles \
    web tweet tweets review reviews news newspaper transcript photograph photo picture scene";

static LANGUAGES: &str = "english chinese japanese german french arabic spanish italian russian korean hindi \
    dutch portuguese czech turkish finnish swedish hungarian hebrew greek polish mandarin cantonese urdu \
    persian thai vietnamese indonesian malay basque catalan romanian bengali tamil swahili";

static METRIC_HEADS: &str = "accuracy precision recall f1 fscore f-score f-measure fmeasure bleu rouge meteor cider \
    spice perplexity wer cer auc roc mrr ndcg rate score metric measure correlation sensitivity specificity \
    ratio p-value latency throughput speed efficiency robustness error loss likelihood entropy divergence \
    distance similarity agreement kappa coverage fidelity rmse mae mse psnr ssim iou em";

/// Metric names that are metrics on their own, whatever follows.
static METRIC_NAMES: &str = "accuracy precision recall f1 f-score f-measure bleu rouge rouge-l rouge-1 rouge-2 \
    meteor cider spice perplexity wer cer auc mrr ndcg rmse mae mse psnr ssim iou kappa";

/// Heads that type a phrase of one word as a method: specific kinds of model, not "system" or
/// "machine" (a one-word phrase has no other evidence).
static SINGLE_METHODS: &str = "parser tagger classifier encoder decoder autoencoder transformer perceptron \
    regression kernel grammar formalism attention embedding optimizer heuristic tokenizer lemmatizer stemmer \
    segmenter recognizer summarizer aligner solver estimator sampler regularization normalization convolution \
    pooling factorization decomposition dropout backpropagation smoothing clustering boosting bagging ensemble \
    ontology thesaurus lstm cnn rnn gru svm crf hmm mlp gan vae bert gpt elmo word2vec glove";

/// Heads that type a phrase of one word as a task.
static SINGLE_TASKS: &str = "parsing tagging segmentation summarization translation classification retrieval \
    recognition disambiguation captioning paraphrasing transliteration entailment labeling labelling \
    recommendation ranking localization simplification inpainting denoising forecasting";

/// Metric heads that are metrics on their own, beside [`METRIC_NAMES`].
static SINGLE_METRICS: &str = "sensitivity specificity perplexity kappa fscore fmeasure";

/// Sources of text and data: material, never methods.
static MATERIAL_NAMES: &str = "twitter reddit facebook weibo youtube instagram tiktok wechat linkedin \
    stackoverflow github arxiv";

/// Research fields and broad areas: tasks at most, never methods ("natural language processing").
static FIELDS: &str = "natural language processing|nlp|machine learning|deep learning|computer vision|\
    artificial intelligence|ai|computational linguistic|linguistic|data mining|text mining|information retrieval|\
    bioinformatic|computational biology|data science|speech processing|signal processing|image processing|\
    natural language understanding|natural language generation|robotic|epidemiology|statistic|\
    information extraction|knowledge representation|human computer interaction|computer science|\
    social medium|biomedical nlp|clinical nlp|biomedical natural language processing";

struct Lists {
    sets: Vec<(usize, HashSet<&'static str>)>,
}

fn lists() -> &'static Lists {
    static L: OnceLock<Lists> = OnceLock::new();
    L.get_or_init(|| Lists {
        sets: [
            METHOD_HEADS,
            TASK_HEADS,
            DATASET_HEADS,
            DATASET_NAMES,
            MATERIAL_HEADS,
            LANGUAGES,
            METRIC_HEADS,
            METRIC_NAMES,
            SINGLE_METHODS,
            SINGLE_TASKS,
            SINGLE_METRICS,
            MATERIAL_NAMES,
        ]
        .iter()
        .map(|l| (l.as_ptr() as usize, l.split_whitespace().collect()))
        .collect(),
    })
}

fn has(list: &'static str, w: &str) -> bool {
    let key = list.as_ptr() as usize;
    lists()
        .sets
        .iter()
        .find(|(k, _)| *k == key)
        .is_some_and(|(_, s)| s.contains(w))
}

/// True when a lower-cased word names a metric on its own.
pub fn is_metric_name(lower: &str) -> bool {
    has(METRIC_NAMES, lower) || lower.starts_with("rouge-") || lower.starts_with("bleu-") || lower == "f1-score"
}

/// True when a lower-cased head word says "a method" ("model", "parser", "network", "approach"),
/// however general.
pub fn is_method_head(lower: &str) -> bool {
    let stem = lower.trim_end_matches('s');
    has(METHOD_HEADS, stem)
        || has(SINGLE_METHODS, stem)
        || has(METHOD_HEADS, lower)
        || stem.ends_with("net")
        || stem.ends_with("network")
        || matches!(
            stem,
            "approache" | "baseline" | "variant" | "implementation" | "version"
        )
}

/// True when a lower-cased head word says "a dataset" ("corpus", "benchmark", "test set").
pub fn is_dataset_head(lower: &str) -> bool {
    let stem = lower.trim_end_matches('s');
    has(DATASET_HEADS, stem) || matches!(lower, "corpora" | "set" | "sets" | "collection" | "collections")
}

fn fields() -> &'static HashSet<&'static str> {
    static S: OnceLock<HashSet<&'static str>> = OnceLock::new();
    S.get_or_init(|| FIELDS.split('|').map(str::trim).collect())
}

/// True when a concept key names a research field or a broad area ("natural language processing",
/// "machine learning", "social media"): at most a task, never a method.
pub fn is_field(key: &str) -> bool {
    fields().contains(key)
}

/// A field is not a method: `Method` becomes `Task` for fields, anything else is kept.
pub fn cap_field(key: &str, typed: (ConceptType, f32)) -> (ConceptType, f32) {
    if typed.0 == ConceptType::Method && is_field(key) {
        (ConceptType::Task, typed.1)
    } else {
        typed
    }
}

/// Type from the words of a phrase (lower case, singular last word): the head decides, a known
/// dataset name or language decides more strongly. A phrase of one word is typed only when the
/// word names a specific kind of thing ("parser", "segmentation", "BLEU", "English", "cells"):
/// "system", "machine" or "detection" alone say too little.
pub fn head_type(words: &[&str]) -> Option<(ConceptType, f32)> {
    let head = *words.last()?;
    let n = words.len();
    if n == 1 {
        if has(MATERIAL_NAMES, head) {
            return Some((ConceptType::Material, 0.6));
        }
        if has(SINGLE_METRICS, head) {
            return Some((ConceptType::Metric, 0.7));
        }
        let stem = head.trim_end_matches('s');
        if !is_metric_name(stem)
            && !has(DATASET_NAMES, head)
            && !has(LANGUAGES, head)
            && !has(SINGLE_TASKS, head)
            && !has(SINGLE_METHODS, head)
            && !has(SINGLE_METHODS, stem)
            && !has(DATASET_HEADS, stem)
            && !has(MATERIAL_HEADS, head)
            && !(stem.ends_with("net") && stem.len() > 5)
        {
            return None;
        }
    }
    let head = head.trim_end_matches('s');
    if words.iter().any(|w| has(DATASET_NAMES, w)) && (n <= 3 || has(DATASET_HEADS, head)) {
        return Some((ConceptType::Dataset, 0.8));
    }
    if n == 1 && has(LANGUAGES, head) {
        return Some((ConceptType::Material, 0.8));
    }
    if has(DATASET_HEADS, head) || (n >= 2 && head == "set" && matches!(words[n - 2], "data" | "test" | "training")) {
        return Some((ConceptType::Dataset, 0.75));
    }
    if is_metric_name(head)
        || (n >= 2 && is_metric_name(words[n - 2]) && matches!(head, "score" | "metric" | "measure"))
    {
        return Some((ConceptType::Metric, 0.85));
    }
    if n >= 2 && matches!(head, "rate" | "ratio" | "score" | "error") {
        return Some((ConceptType::Metric, 0.6));
    }
    if has(TASK_HEADS, head) {
        return Some((ConceptType::Task, if n >= 2 { 0.6 } else { 0.45 }));
    }
    if has(METHOD_HEADS, head) || head.ends_with("network") || head.ends_with("net") && head.len() > 5 {
        return Some((ConceptType::Method, if n >= 2 { 0.6 } else { 0.45 }));
    }
    if has(METRIC_HEADS, head) {
        return Some((ConceptType::Metric, 0.4));
    }
    if has(MATERIAL_HEADS, head) || (n >= 2 && has(LANGUAGES, words[0])) {
        return Some((ConceptType::Material, 0.5));
    }
    None
}

/// Type from the words right before (`left`, nearest last) and right after (`right`, nearest
/// first) a mention, lower case.
pub fn context_type(left: &[&str], right: &[&str]) -> Option<(ConceptType, f32)> {
    let l1 = left.last().copied().unwrap_or("");
    let l2 = if left.len() >= 2 { left[left.len() - 2] } else { "" };
    let l3 = if left.len() >= 3 { left[left.len() - 3] } else { "" };
    let r1 = right.first().copied().unwrap_or("");
    if matches!(
        r1,
        "dataset" | "datasets" | "corpus" | "corpora" | "benchmark" | "treebank"
    ) {
        return Some((ConceptType::Dataset, 0.7));
    }
    if matches!(r1, "task" | "problem" | "tasks" | "problems") {
        return Some((ConceptType::Task, 0.6));
    }
    if matches!(
        r1,
        "algorithm" | "model" | "architecture" | "network" | "method" | "approach" | "framework"
    ) {
        return Some((ConceptType::Method, 0.55));
    }
    if matches!(r1, "score" | "scores" | "metric") {
        return Some((ConceptType::Metric, 0.6));
    }
    if matches!(l1, "on" | "onto")
        && (matches!(
            l2,
            "evaluated" | "evaluate" | "tested" | "test" | "experiments" | "results" | "benchmarked"
        ) || matches!(l3, "evaluated" | "tested" | "experiments" | "results"))
    {
        return Some((ConceptType::Dataset, 0.6));
    }
    if matches!(
        l1,
        "propose" | "proposes" | "introduce" | "introduces" | "present" | "presents"
    ) || matches!(l2, "propose" | "proposes" | "introduce" | "introduces")
    {
        return Some((ConceptType::Method, 0.5));
    }
    if matches!(l1, "using" | "via" | "employing" | "utilizing")
        || (l1 == "on" && l2 == "based")
        || (l1 == "of" && matches!(l2, "task" | "problem"))
    {
        let t = if l1 == "of" {
            ConceptType::Task
        } else {
            ConceptType::Method
        };
        return Some((t, 0.45));
    }
    if matches!(l1, "terms") || (l1 == "of" && l2 == "terms") {
        return Some((ConceptType::Metric, 0.5));
    }
    None
}

/// Below this confidence a combined type is no evidence: the concept is `Other`.
pub const MIN_CONFIDENCE: f32 = 0.3;

/// Combines type evidence: the strongest wins, agreement adds; a winner below
/// [`MIN_CONFIDENCE`] gives `Other` with confidence 0.
pub fn combine(evidence: &[Option<(ConceptType, f32)>]) -> (ConceptType, f32) {
    let mut score = [0f32; 6];
    for (t, c) in evidence.iter().flatten() {
        let s = &mut score[t.index()];
        *s = 1.0 - (1.0 - *s) * (1.0 - c);
    }
    let mut best = (ConceptType::Other, 0.0f32);
    for t in ConceptType::ALL {
        let s = score[t.index()];
        if s > best.1 {
            best = (t, s);
        }
    }
    if best.1 < MIN_CONFIDENCE {
        return (ConceptType::Other, 0.0);
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heads_and_cues_type_phrases() {
        assert_eq!(
            head_type(&["convolutional", "neural", "network"]).unwrap().0,
            ConceptType::Method
        );
        assert_eq!(head_type(&["machine", "translation"]).unwrap().0, ConceptType::Task);
        assert_eq!(head_type(&["penn", "treebank"]).unwrap().0, ConceptType::Dataset);
        assert_eq!(head_type(&["word", "error", "rate"]).unwrap().0, ConceptType::Metric);
        assert_eq!(head_type(&["bleu"]).unwrap().0, ConceptType::Metric);
        assert_eq!(head_type(&["english"]).unwrap().0, ConceptType::Material);
        assert_eq!(context_type(&["evaluated", "on"], &[]).unwrap().0, ConceptType::Dataset);
        assert_eq!(context_type(&["we", "propose"], &[]).unwrap().0, ConceptType::Method);
        let (t, c) = combine(&[Some((ConceptType::Method, 0.5)), Some((ConceptType::Method, 0.5))]);
        assert_eq!(t, ConceptType::Method);
        assert!((c - 0.75).abs() < 1e-6);
    }
}
