//! Pairwise comparisons of hypotheses and the Elo ratings read from them, as in AI
//! co-scientist's tournament: each judgement (by an agent or a person) is its own immutable
//! record with provenance, and a rating is never stored; it is computed, when read, from every
//! comparison in record-time order.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::Serialize;
use utoipa::ToSchema;

use crate::common::clock::Moment;
use crate::common::error::{Error, Result, UserError};
use crate::common::fields;
use crate::common::ids::RecordKind;
use crate::common::vocab::{hyp, prov, rdf, xsd};
use crate::ingest::facts::Facts;
use crate::store::queries::{self, select, Row};
use crate::store::{ResearchWrite, Store};

use super::actor::Actor;
use super::helpers::{key_of_iri, node};
use super::nanopub::nanopub_graphs;
use super::requests::{hypothesis_key_in, NewComparison, MAX_MATCH_ID};

/// The rating of a hypothesis nobody has compared yet.
pub const INITIAL_RATING: f64 = 1200.0;
/// How far one comparison moves a rating at most (the Elo K-factor).
pub const K_FACTOR: f64 = 32.0;

/// A hypothesis' Elo rating and the comparisons behind it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Rating {
    /// The Elo rating: 1200 before any comparison; each comparison moves the two ratings by
    /// K = 32 times (score − expected score), the expected score of A against B being
    /// 1 / (1 + 10^((R_B − R_A) / 400)) and the score 1 for a win, ½ for a draw, 0 for a loss.
    pub elo: f64,
    /// Comparisons it took part in.
    pub comparisons: usize,
    /// Comparisons it won.
    pub wins: usize,
    /// Comparisons it lost.
    pub losses: usize,
    /// Comparisons that were draws.
    pub draws: usize,
}

impl Default for Rating {
    fn default() -> Self {
        Rating {
            elo: INITIAL_RATING,
            comparisons: 0,
            wins: 0,
            losses: 0,
            draws: 0,
        }
    }
}

/// A stored comparison of two hypotheses.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Comparison {
    /// Its key (`cmp_…`).
    pub key: String,
    /// Its IRI.
    pub iri: String,
    /// The hypothesis judged better (key); for a draw, the one whose IRI sorts first.
    pub winner: String,
    /// The other hypothesis (key).
    pub loser: String,
    /// Whether it was a draw.
    pub draw: bool,
    /// Who judged.
    pub agent: String,
    /// When it was recorded (RFC 3339): the order ratings are computed in.
    pub time: String,
    /// Why.
    pub rationale: Option<String>,
    /// The client's match id, when it gave one.
    #[serde(rename = "match")]
    pub match_id: Option<String>,
}

impl Comparison {
    /// Whether `other` states the same outcome between the same two hypotheses.
    fn same_outcome(&self, winner: &str, loser: &str, draw: bool) -> bool {
        match (self.draw, draw) {
            (true, true) => {
                let mut a = [self.winner.as_str(), self.loser.as_str()];
                let mut b = [winner, loser];
                a.sort_unstable();
                b.sort_unstable();
                a == b
            }
            (false, false) => self.winner == winner && self.loser == loser,
            _ => false,
        }
    }
}

/// What a comparison did: the record, whether it was new, and both hypotheses' ratings after
/// every comparison stored so far.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Compared {
    /// The stored comparison.
    pub record: Comparison,
    /// `false` when the agent had already recorded this match id.
    pub created: bool,
    /// The rating of `record.winner` now.
    pub winner_rating: Rating,
    /// The rating of `record.loser` now.
    pub loser_rating: Rating,
}

/// Records a comparison of two stored hypotheses as `actor`. Each call is a new match, unless
/// it carries a match id the same agent used before: then the stored comparison answers when
/// it states the same outcome, and a different outcome is a conflict.
pub fn compare(store: &Store, actor: &Actor, c: &NewComparison) -> Result<Compared> {
    let agent = fields::agent(&c.agent)?;
    actor.check_agent(agent)?;
    let rationale = c
        .rationale
        .as_deref()
        .map(|r| fields::text("rationale", r))
        .transpose()?;
    let match_id = c.match_id.as_deref().map(match_id).transpose()?;
    let winner = hypothesis_key_in("winner", &c.winner)?;
    let loser = hypothesis_key_in("loser", &c.loser)?;
    if winner == loser {
        return Err(Error::invalid("loser", "a hypothesis cannot be compared with itself"));
    }
    for (field, key, given) in [("winner", &winner, &c.winner), ("loser", &loser, &c.loser)] {
        if !store.has_doc(key)? {
            return Err(UserError::NotFound(format!("{field}: no hypothesis `{}`", given.trim())).into());
        }
    }
    let time = fields::now_rfc3339();
    let key = RecordKind::Comparison.key(&match match_id {
        Some(m) => format!("{agent}\nmatch\n{m}"),
        // No match id: a new match each call, even in the same millisecond.
        None => format!("{agent}\n{winner}\n{loser}\n{}\n{time}\n{}", c.draw, nonce()),
    });
    let _guard = store.research_lock();
    if let Some(stored) = comparison(store, &key)? {
        if !stored.same_outcome(&winner, &loser, c.draw) {
            return Err(UserError::Conflict(format!(
                "match `{}` of `{agent}` is already recorded as {} (comparison {}); a match id names one \
                 outcome",
                match_id.unwrap_or_default(),
                describe(&stored),
                stored.key
            ))
            .into());
        }
        return answer(store, stored, false);
    }
    let base = store.base();
    let iri = base.iri(RecordKind::Comparison.segment(), &key);
    let h = |k: &str| base.iri(RecordKind::Hypothesis.segment(), k);
    let mut a = Facts::new();
    a.link(&iri, rdf::TYPE, hyp::COMPARISON);
    a.link(&iri, hyp::COMPARES, &h(&winner));
    a.link(&iri, hyp::COMPARES, &h(&loser));
    if !c.draw {
        a.link(&iri, hyp::WINNER, &h(&winner));
    }
    a.typed(&iri, prov::GENERATED_AT_TIME, &time, xsd::DATE_TIME);
    if let Some(r) = rationale {
        a.text(&iri, hyp::NOTE, r);
    }
    if let Some(m) = match_id {
        a.text(&iri, hyp::MATCH_ID, m);
    }
    let graphs = nanopub_graphs(store, &key, &iri, (agent, &actor.credential), &time, a, Facts::new());
    store.put_research(ResearchWrite {
        key: key.clone(),
        graphs,
        doc: None,
    })?;
    let stored = comparison(store, &key)?.ok_or_else(|| Error::graph(format!("comparison {key} was not stored")))?;
    answer(store, stored, true)
}

fn answer(store: &Store, record: Comparison, created: bool) -> Result<Compared> {
    let ratings = ratings(&comparisons(store)?, None);
    let of = |k: &str| ratings.get(k).cloned().unwrap_or_default();
    Ok(Compared {
        winner_rating: of(&record.winner),
        loser_rating: of(&record.loser),
        record,
        created,
    })
}

fn describe(c: &Comparison) -> String {
    if c.draw {
        format!("a draw between {} and {}", c.winner, c.loser)
    } else {
        format!("{} winning over {}", c.winner, c.loser)
    }
}

/// A match id: not blank, at most [`MAX_MATCH_ID`] characters, no control characters; trimmed.
fn match_id(s: &str) -> Result<&str> {
    let t = s.trim();
    if t.is_empty() || s.chars().count() > MAX_MATCH_ID || s.chars().any(char::is_control) {
        return Err(Error::invalid(
            "match",
            format!("a match id of 1 to {MAX_MATCH_ID} characters without control characters is required"),
        ));
    }
    Ok(t)
}

/// Something no two calls of this process share, so that two identical comparisons without a
/// match id in one millisecond are still two matches.
fn nonce() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!(
        "{}-{nanos}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// One stored comparison, if there is one of that key.
pub fn comparison(store: &Store, key: &str) -> Result<Option<Comparison>> {
    let iri = store.base().iri(RecordKind::Comparison.segment(), key);
    Ok(select(store, queries::COMPARISONS, &[("c", node(&iri)?)])?
        .into_iter()
        .next()
        .map(comparison_from_row))
}

/// Every stored comparison in the order ratings are computed in: record time, then key.
pub fn comparisons(store: &Store) -> Result<Vec<Comparison>> {
    let mut all: Vec<Comparison> = select(store, queries::COMPARISONS, &[])?
        .into_iter()
        .map(comparison_from_row)
        .collect();
    all.sort_by(|x, y| (Moment::latest_in(&x.time), &x.key).cmp(&(Moment::latest_in(&y.time), &y.key)));
    Ok(all)
}

fn comparison_from_row(r: Row) -> Comparison {
    let get = |v: &str| r.get(v).cloned().unwrap_or_default();
    let (a, b) = (key_of_iri(&get("a")), key_of_iri(&get("b")));
    let (winner, loser, draw) = match r.get("winner").map(|w| key_of_iri(w)) {
        Some(w) if w == b => (b, a, false),
        Some(_) => (a, b, false),
        None => (a, b, true),
    };
    Comparison {
        key: key_of_iri(&get("c")),
        iri: get("c"),
        winner,
        loser,
        draw,
        agent: get("agent"),
        time: get("time"),
        rationale: r.get("rationale").cloned(),
        match_id: r.get("match").cloned(),
    }
}

/// The expected score of a player rated `a` against one rated `b`.
fn expected(a: f64, b: f64) -> f64 {
    1.0 / (1.0 + 10f64.powf((b - a) / 400.0))
}

/// Every compared hypothesis' rating (by key) after `comparisons`, taken in the order given
/// (see [`comparisons`]), up to and including those recorded at `until` when it is given.
pub fn ratings(comparisons: &[Comparison], until: Option<Moment>) -> HashMap<String, Rating> {
    let mut r: HashMap<String, Rating> = HashMap::new();
    for c in comparisons {
        if until.is_some_and(|t| Moment::latest_in(&c.time).is_some_and(|m| m > t)) {
            continue;
        }
        let (ra, rb) = (
            r.get(&c.winner).map_or(INITIAL_RATING, |x| x.elo),
            r.get(&c.loser).map_or(INITIAL_RATING, |x| x.elo),
        );
        let score = if c.draw { 0.5 } else { 1.0 };
        let delta = K_FACTOR * (score - expected(ra, rb));
        let w = r.entry(c.winner.clone()).or_default();
        w.elo = ra + delta;
        w.comparisons += 1;
        if c.draw {
            w.draws += 1;
        } else {
            w.wins += 1;
        }
        let l = r.entry(c.loser.clone()).or_default();
        // The two changes sum to zero: what one gains the other loses.
        l.elo = rb - delta;
        l.comparisons += 1;
        if c.draw {
            l.draws += 1;
        } else {
            l.losses += 1;
        }
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    fn game(key: &str, winner: &str, loser: &str, draw: bool) -> Comparison {
        Comparison {
            key: key.into(),
            iri: String::new(),
            winner: winner.into(),
            loser: loser.into(),
            draw,
            agent: "judge".into(),
            time: format!("2026-01-01T00:00:0{}Z", &key[key.len() - 1..]),
            rationale: None,
            match_id: None,
        }
    }

    #[test]
    fn elo_by_hand() {
        // a beats b from 1200 each: expected ½, so ±16.
        let r = ratings(&[game("c1", "a", "b", false)], None);
        assert_eq!(r["a"].elo, 1216.0);
        assert_eq!(r["b"].elo, 1184.0);
        // Then a draws with b: a expected 1/(1+10^(-32/400)) = 0.545922..., so a loses
        // 32 × 0.045922... = 1.4695...
        let r = ratings(&[game("c1", "a", "b", false), game("c2", "b", "a", true)], None);
        let e = 1.0 / (1.0 + 10f64.powf(-32.0 / 400.0));
        assert!((r["a"].elo - (1216.0 - 32.0 * (e - 0.5))).abs() < 1e-9);
        assert!((r["a"].elo - 1214.5304).abs() < 1e-3, "{}", r["a"].elo);
        assert_eq!((r["a"].wins, r["a"].draws, r["b"].losses, r["b"].draws), (1, 1, 1, 1));
        // Until the first one's time, only it counts.
        let r = ratings(
            &[game("c1", "a", "b", false), game("c2", "b", "a", true)],
            Moment::latest_in("2026-01-01T00:00:01Z"),
        );
        assert_eq!(r["a"].elo, 1216.0);
    }

    #[test]
    fn a_match_is_one_outcome() {
        let c = game("c1", "a", "b", true);
        assert!(c.same_outcome("b", "a", true));
        assert!(!c.same_outcome("a", "b", false));
        let d = game("c1", "a", "b", false);
        assert!(d.same_outcome("a", "b", false));
        assert!(!d.same_outcome("b", "a", false));
    }
}
