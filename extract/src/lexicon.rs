//! Corpus-level term statistics (C-value) and the lexicon used to find mentions.
//!
//! C-value (Frantzi, Ananiadou and Mima, 2000) scores a candidate term `a` of `|a|` words seen
//! `f(a)` times, of which some inside longer candidates `T_a`, as
//! `log2(|a| + 1) * (f(a) - sum(f(b) for b in T_a) / |T_a|)`: frequent, long, and not merely a
//! piece of a longer term. (The `+ 1` lets one-word terms score by frequency.) Candidates are the
//! contiguous sub-phrases of noun-phrase chunks, up to [`MAX_WORDS`] words.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::acronym::is_acronym_like;
use crate::chunk::{self, Chunk};
use crate::normalize::normalize_key;
use crate::text::{self, Sentence, Token};
use crate::{typing, words, AcronymDef, ConceptType, Mention, Options, Span};

/// Longest term, in words.
pub const MAX_WORDS: usize = 6;

/// A term of the lexicon: one concept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Term {
    /// Concept key ([`normalize_key`]).
    pub key: String,
    /// Most frequent surface form.
    pub pref_label: String,
    /// Other surface forms seen (case, plural, hyphenation variants) and the acronym.
    pub alt_labels: Vec<String>,
    /// C-value.
    pub score: f64,
    /// Occurrences in the corpus (including inside longer terms, and as its acronym).
    pub freq: u32,
    /// The acronym defined for it, if any ("LSTM").
    pub acronym: Option<String>,
    /// Type from the corpus evidence.
    pub ctype: ConceptType,
    /// Confidence in the type, in `[0, 1]`.
    pub confidence: f32,
}

/// Terms and acronyms of a corpus. Serialisable, so that a store can keep it beside the data.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Lexicon {
    terms: BTreeMap<String, Term>,
    /// Acronym (plural `s` dropped, case kept) to concept key.
    acronyms: BTreeMap<String, String>,
}

/// The form under which an acronym is looked up: "LSTMs" and "LSTM" give "LSTM".
pub fn acronym_key(short: &str) -> String {
    let body = short.strip_suffix('s').unwrap_or(short);
    if short.len() > 2 && body.chars().all(|c| !c.is_lowercase()) {
        body.to_string()
    } else {
        short.to_string()
    }
}

impl Lexicon {
    /// A lexicon without terms: extraction still finds acronyms, cue-typed phrases, claims,
    /// results and relations.
    pub fn empty() -> Self {
        Lexicon::default()
    }

    /// Number of terms.
    pub fn len(&self) -> usize {
        self.terms.len()
    }

    /// True when there are no terms.
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// The term of a concept key.
    pub fn get(&self, key: &str) -> Option<&Term> {
        self.terms.get(key)
    }

    /// All terms, by key.
    pub fn terms(&self) -> impl Iterator<Item = &Term> {
        self.terms.values()
    }

    /// The concept key an acronym stands for in this corpus.
    pub fn resolve_acronym(&self, short: &str) -> Option<&str> {
        self.acronyms.get(&acronym_key(short)).map(|s| s.as_str())
    }

    /// Adds or replaces a term (for curated vocabularies), and its acronym.
    pub fn insert(&mut self, term: Term) {
        if let Some(a) = &term.acronym {
            self.acronyms.insert(acronym_key(a), term.key.clone());
        }
        self.terms.insert(term.key.clone(), term);
    }
}

#[derive(Default)]
struct Stat {
    freq: u32,
    words: u8,
    /// first surface form seen, to enumerate sub-phrases at build time
    surface: String,
    /// every surface form seen, and how often (the labels are the most frequent, at build time)
    forms: HashMap<String, u32>,
    /// type evidence from contexts: sum of confidences per type in hundredths (integers, so that
    /// the sums do not depend on the order texts are added or merged in), and number of contexts
    votes: [u32; 6],
    contexts: u32,
}

/// Labels a term keeps: its most frequent surface forms.
const MAX_FORMS: usize = 8;

/// A context's confidence in a type, in the hundredths [`Stat::votes`] sums.
fn vote(confidence: f32) -> u32 {
    (confidence * 100.0).round() as u32
}

/// Collects corpus statistics: feed every text (titles, abstracts, bodies), then [`build`](Self::build).
#[derive(Default)]
pub struct LexiconBuilder {
    stats: HashMap<String, Stat>,
    /// (acronym key, concept key) -> count
    acronyms: HashMap<(String, String), u32>,
    /// acronym key -> occurrences as a bare token
    acronym_uses: HashMap<String, u32>,
}

fn context_words<'a>(lowers: &'a [String], sentence: &Sentence, c: &Chunk) -> (Vec<&'a str>, Vec<&'a str>) {
    let l0 = c.first.saturating_sub(3).max(sentence.first);
    let left: Vec<&str> = lowers[l0..c.first].iter().map(|s| s.as_str()).collect();
    let r1 = (c.last + 1).min(sentence.last);
    let right: Vec<&str> = lowers[c.last..r1].iter().map(|s| s.as_str()).collect();
    (left, right)
}

fn key_words(key: &str) -> Vec<&str> {
    key.split(' ').collect()
}

impl LexiconBuilder {
    /// An empty builder.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one text (any length; it is split into sentences).
    pub fn add_text(&mut self, text: &str) {
        let tokens = text::tokenize(text);
        let lowers = chunk::lowers(text, &tokens);
        let mut chunks = Vec::new();
        for sentence in text::sentences(text, &tokens) {
            for d in crate::acronym::definitions(text, &tokens, &sentence) {
                *self
                    .acronyms
                    .entry((acronym_key(&d.short_text), d.key.clone()))
                    .or_default() += 1;
                let st = self.stats.entry(d.key.clone()).or_default();
                *st.forms.entry(d.long_text.clone()).or_default() += 1;
            }
            chunks.clear();
            chunk::chunks(text, &tokens, &sentence, &lowers, &mut chunks);
            for c in &chunks {
                let n = c.last - c.first;
                if n == 1 && is_acronym_like(tokens[c.first].text(text)) {
                    *self
                        .acronym_uses
                        .entry(acronym_key(tokens[c.first].text(text)))
                        .or_default() += 1;
                }
                for i in c.first..c.last {
                    for j in i + 1..=(i + MAX_WORDS).min(c.last) {
                        let surface = &text[tokens[i].start..tokens[j - 1].end];
                        let key = normalize_key(surface);
                        if key.is_empty() {
                            continue;
                        }
                        let st = self.stats.entry(key).or_default();
                        st.freq += 1;
                        if st.surface.is_empty() {
                            st.surface = surface.to_string();
                            st.words = (j - i) as u8;
                        }
                        *st.forms.entry(surface.to_string()).or_default() += 1;
                        if i == c.first && j == c.last {
                            let (left, right) = context_words(&lowers, &sentence, c);
                            if let Some((t, conf)) = typing::context_type(&left, &right) {
                                st.votes[t.index()] += vote(conf);
                            }
                            st.contexts += 1;
                        }
                    }
                }
            }
        }
    }

    /// Adds the statistics of `later`, a builder fed the texts that come after this one's: the
    /// result is what one builder fed all of them in that order holds, so that texts can be
    /// counted in parallel, in order-preserving parts, and merged.
    pub fn merge(&mut self, later: LexiconBuilder) {
        for (key, st) in later.stats {
            match self.stats.entry(key) {
                std::collections::hash_map::Entry::Vacant(e) => {
                    e.insert(st);
                }
                std::collections::hash_map::Entry::Occupied(mut e) => {
                    let mine = e.get_mut();
                    mine.freq += st.freq;
                    // the first surface seen: this builder's, unless it only saw the key as an
                    // acronym's expansion
                    if mine.surface.is_empty() {
                        mine.surface = st.surface;
                        mine.words = st.words;
                    }
                    for (form, n) in st.forms {
                        *mine.forms.entry(form).or_default() += n;
                    }
                    for (v, w) in mine.votes.iter_mut().zip(st.votes) {
                        *v += w;
                    }
                    mine.contexts += st.contexts;
                }
            }
        }
        for (k, n) in later.acronyms {
            *self.acronyms.entry(k).or_default() += n;
        }
        for (k, n) in later.acronym_uses {
            *self.acronym_uses.entry(k).or_default() += n;
        }
    }

    /// Scores the candidates and keeps the terms whose C-value reaches `min_score` (2.0 keeps
    /// two-word terms seen twice; acronym expansions are always kept).
    pub fn build(self, min_score: f64) -> Lexicon {
        // nested occurrences: for every candidate b seen at least twice, its proper sub-phrases
        let mut nested: HashMap<String, (u64, u32)> = HashMap::new();
        let mut seen = HashSet::new();
        for st in self.stats.values() {
            if st.freq < 2 || st.words < 2 {
                continue;
            }
            let toks = text::tokenize(&st.surface);
            let n = toks.len();
            seen.clear();
            for i in 0..n {
                for j in i + 1..=n {
                    if j - i == n {
                        continue;
                    }
                    let key = normalize_key(&st.surface[toks[i].start..toks[j - 1].end]);
                    if seen.insert(key.clone()) {
                        let e = nested.entry(key).or_default();
                        e.0 += st.freq as u64;
                        e.1 += 1;
                    }
                }
            }
        }
        // acronyms: the most frequent expansion of each
        let mut best: HashMap<String, (String, u32)> = HashMap::new();
        for ((short, key), count) in &self.acronyms {
            let e = best.entry(short.clone()).or_insert_with(|| (key.clone(), 0));
            if *count > e.1 || (*count == e.1 && key < &e.0) {
                *e = (key.clone(), *count);
            }
        }
        // one acronym per key: the most frequent, then the first in order (deterministic, whatever
        // the hash order)
        let mut by_key_acronym: HashMap<&str, (&str, u32)> = HashMap::new();
        for (short, (key, count)) in &best {
            let e = by_key_acronym.entry(key.as_str()).or_insert((short.as_str(), *count));
            if *count > e.1 || (*count == e.1 && short.as_str() < e.0) {
                *e = (short.as_str(), *count);
            }
        }
        let mut lexicon = Lexicon::default();
        for (key, st) in &self.stats {
            let words = key_words(key);
            let n = words.len();
            let acronym = by_key_acronym.get(key.as_str()).map(|s| s.0.to_string());
            let freq = st.freq
                + acronym
                    .as_ref()
                    .and_then(|a| self.acronym_uses.get(a))
                    .copied()
                    .unwrap_or(0);
            let base = ((n + 1) as f64).log2();
            let score = match nested.get(key) {
                Some((sum, count)) if *count > 0 => base * (freq as f64 - *sum as f64 / *count as f64),
                _ => base * freq as f64,
            };
            let keep = if acronym.is_some() {
                true
            } else if n == 1 {
                let w = words[0];
                let acr = is_acronym_like(&st.surface);
                score >= min_score
                    && (freq >= 3 || acr && freq >= 2)
                    && (acr || !words::is_non_concept(w))
                    && !words::is_number(w)
                    && w.chars().count() >= 3
                    && w.chars().any(|c| c.is_alphabetic())
            } else {
                // terms made only of general or generic words are not kept ("the data", "table 3")
                score >= min_score && freq >= 2 && !words::is_non_concept_key(key)
            };
            if !keep {
                continue;
            }
            let mut forms: Vec<(&String, &u32)> = st.forms.iter().collect();
            forms.sort_by(|a, b| b.1.cmp(a.1).then_with(|| a.0.cmp(b.0)));
            let pref_label = forms.first().map(|f| f.0.clone()).unwrap_or_else(|| st.surface.clone());
            let mut alt_labels: Vec<String> = forms.iter().take(MAX_FORMS).skip(1).map(|f| f.0.clone()).collect();
            if let Some(a) = &acronym {
                alt_labels.push(a.clone());
            }
            let mut evidence = vec![typing::head_type(&words)];
            // context votes count when a good share of the contexts agree ("using Twitter" once
            // among many plain mentions does not make Twitter a method), from two contexts at least
            if st.contexts > 0 {
                for t in ConceptType::ALL {
                    let v = st.votes[t.index()] as f32 / 100.0;
                    let share = v / st.contexts as f32;
                    if v >= 0.8 && share >= 0.2 {
                        evidence.push(Some((t, share.min(0.9))));
                    }
                }
            }
            let (ctype, confidence) = typing::cap_field(key, typing::combine(&evidence));
            lexicon.insert(Term {
                key: key.clone(),
                pref_label,
                alt_labels,
                score,
                freq,
                acronym,
                ctype,
                confidence,
            });
        }
        lexicon
    }
}

struct Candidate {
    span: Span,
    key: String,
    /// 2 acronym definition, 1 lexicon term or acronym, 0 chunk
    priority: u8,
    /// token range
    first: usize,
    last: usize,
}

/// Finds the mentions of one sentence and appends them to `out` (sorted, non-overlapping).
#[allow(clippy::too_many_arguments)]
pub fn mentions(
    text: &str,
    tokens: &[Token],
    lowers: &[String],
    sentence: &Sentence,
    lexicon: &Lexicon,
    local: &[AcronymDef],
    options: Options,
    out: &mut Vec<Mention>,
) {
    let mut chunks = Vec::new();
    chunk::chunks(text, tokens, sentence, lowers, &mut chunks);
    let mut cands: Vec<Candidate> = Vec::new();
    let resolve = |short: &str| -> Option<String> {
        let k = acronym_key(short);
        local
            .iter()
            .rev()
            .find(|d| acronym_key(&d.short_text) == k)
            .map(|d| d.key.clone())
            .or_else(|| lexicon.resolve_acronym(short).map(|s| s.to_string()))
    };
    for d in local {
        if sentence.span.contains(&d.long) {
            let (f, l) = token_range(tokens, sentence, d.long);
            cands.push(Candidate {
                span: d.long,
                key: d.key.clone(),
                priority: 2,
                first: f,
                last: l,
            });
            let (f, l) = token_range(tokens, sentence, d.short);
            cands.push(Candidate {
                span: d.short,
                key: d.key.clone(),
                priority: 2,
                first: f,
                last: l,
            });
        }
    }
    for chunk in &chunks {
        let c = chunk;
        let mut matched_any = false;
        let mut i = c.first;
        while i < c.last {
            let mut found = false;
            for j in (i + 1..=(i + MAX_WORDS).min(c.last)).rev() {
                let surface = &text[tokens[i].start..tokens[j - 1].end];
                let key = if j == i + 1 && is_acronym_like(surface) {
                    resolve(surface).unwrap_or_else(|| normalize_key(surface))
                } else {
                    normalize_key(surface)
                };
                if lexicon.terms.contains_key(&key) || (j == i + 1 && resolve(surface).is_some()) {
                    let span = Span::new(tokens[i].start, tokens[j - 1].end);
                    cands.push(Candidate {
                        span,
                        key,
                        priority: 1,
                        first: i,
                        last: j,
                    });
                    i = j;
                    found = true;
                    matched_any = true;
                    break;
                }
            }
            if !found {
                i += 1;
            }
        }
        let span = Span::new(tokens[c.first].start, tokens[c.last - 1].end);
        let n = c.last - c.first;
        // a chunk whose head is a corpus term is reported whole ("robust [dependency parser]"),
        // when short: longer chunks are more often two phrases run together
        // (not when the head is an acronym: "bidirectional LSTMs" keeps the LSTM concept)
        let head_matched = cands.last().is_some_and(|c| {
            c.priority == 1
                && c.last == chunk.last
                && !is_acronym_like(&text[tokens[c.first].start..tokens[c.last - 1].end])
        });
        let whole = if options.all_noun_phrases {
            true
        } else if matched_any {
            head_matched && n <= 4
        } else {
            let surface = span.slice(text);
            let key = normalize_key(surface);
            let ws = key_words(&key);
            let typed = n >= 2 && typing::head_type(&ws).is_some_and(|(t, c)| t != ConceptType::Other && c >= 0.6);
            typed || (n == 1 && is_acronym_like(surface))
        };
        if whole {
            let key = normalize_key(span.slice(text));
            let priority = if options.all_noun_phrases || matched_any { 1 } else { 0 };
            cands.push(Candidate {
                span,
                key,
                priority,
                first: c.first,
                last: c.last,
            });
        }
    }
    // not concepts on their own: numbers, "Table", "dataset", "males", "predicting" (an acronym
    // written in capitals is kept: "DATA" may stand for something)
    // (every noun phrase, for exhaustive annotations, keeps the generic ones: "the method")
    cands.retain(|c| {
        let drop = if options.all_noun_phrases {
            words::is_trivial_key(&c.key)
        } else {
            words::is_non_concept_key(&c.key)
        };
        !drop || (is_acronym_like(c.span.slice(text)) && !words::is_listed_non_concept(&c.key))
    });
    // non-overlapping: definitions first, then longer, then earlier
    cands.sort_by(|a, b| {
        b.priority
            .cmp(&a.priority)
            .then((b.span.end - b.span.start).cmp(&(a.span.end - a.span.start)))
            .then(a.span.start.cmp(&b.span.start))
    });
    let mut accepted: Vec<Candidate> = Vec::new();
    for c in cands {
        if c.key.is_empty() || accepted.iter().any(|a| a.span.overlaps(&c.span)) {
            continue;
        }
        accepted.push(c);
    }
    accepted.sort_by_key(|c| c.span.start);
    for c in accepted {
        let ws = key_words(&c.key);
        let l0 = c.first.saturating_sub(3).max(sentence.first);
        let left: Vec<&str> = lowers[l0..c.first].iter().map(|s| s.as_str()).collect();
        let r1 = (c.last + 1).min(sentence.last);
        let right: Vec<&str> = lowers[c.last..r1].iter().map(|s| s.as_str()).collect();
        let term = lexicon.terms.get(&c.key);
        let single_generic = ws.len() == 1 && words::is_generic(ws[0]) && c.last - c.first == 1;
        // a one-word mention (not an acronym) is not typed by a weak cue alone ("using Twitter")
        let one_word = ws.len() == 1 && !is_acronym_like(c.span.slice(text));
        let (ctype, confidence) = if single_generic {
            (ConceptType::Other, 0.0)
        } else {
            let evidence = [
                term.filter(|t| t.ctype != ConceptType::Other)
                    .map(|t| (t.ctype, t.confidence)),
                typing::head_type(&ws),
                typing::context_type(&left, &right).filter(|(_, conf)| !one_word || *conf >= 0.5),
            ];
            typing::cap_field(&c.key, typing::combine(&evidence))
        };
        let label = term
            .map(|t| t.pref_label.clone())
            .unwrap_or_else(|| c.span.slice(text).to_string());
        out.push(Mention {
            span: c.span,
            key: c.key,
            label,
            ctype,
            confidence,
        });
    }
}

/// The tokens of a sentence that lie inside `span`.
fn token_range(tokens: &[Token], sentence: &Sentence, span: Span) -> (usize, usize) {
    let mut first = sentence.first;
    while first < sentence.last && tokens[first].start < span.start {
        first += 1;
    }
    let mut last = first;
    while last < sentence.last && tokens[last].end <= span.end {
        last += 1;
    }
    (first, last.max(first))
}
