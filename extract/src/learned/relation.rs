//! The relation head: every ordered pair of entities of one sentence classified into "no
//! relation" or one of SciERC's seven labels, from the two spans, the pieces between them (each
//! projected to a few dimensions, then their mean and their maximum), the two predicted labels,
//! and the distance between the spans counted apart for each direction. The arithmetic is the one `scripts/train_extractor.py` trains (`rel_forward` there).

use std::collections::HashSet;

use ndarray::{Array2, ArrayView2, Axis, Slice};

use super::weights::{Weights, WeightsError};
use super::{
    affine, distance_bucket, softmax_argmax, EntityLabel, LearnedEntity, LearnedRelation, RelationLabel, TokenStates,
    DISTANCE_BUCKETS,
};
use crate::text;

#[derive(Debug)]
pub(super) struct RelationHead {
    /// (2·hidden) × (3·dim): arg1 and arg2 projections of a span's [first; last; mean] states.
    arg: Array2<f32>,
    /// gap × dim: every piece projected to a few dimensions, to be pooled between two spans.
    gap: Array2<f32>,
    /// hidden × (2·gap): projection of [mean; max] of the projected pieces between the two spans.
    between: Array2<f32>,
    /// entity classes × hidden, for arg1 and arg2.
    type1: Array2<f32>,
    type2: Array2<f32>,
    /// (entity classes)² × hidden: the two labels together, arg1's first.
    typepair: Array2<f32>,
    /// (2 · distance buckets) × hidden: the buckets of pairs whose arg1 comes first, then those
    /// whose arg1 comes second.
    distance: Array2<f32>,
    bias: Vec<f32>,
    /// classes × hidden.
    out: Array2<f32>,
    out_bias: Vec<f32>,
    hidden: usize,
    /// Added to the "no relation" logit (chosen on dev).
    none_bias: f32,
}

impl RelationHead {
    pub(super) fn read(w: &mut Weights<'_>, dim: usize) -> Result<RelationHead, WeightsError> {
        let rh = w.usize_param("relation_hidden")?;
        let gap = w.usize_param("relation_gap")?;
        let nent = EntityLabel::ALL.len() + 1;
        let nrel = RelationLabel::ALL.len() + 1;
        Ok(RelationHead {
            arg: w.matrix("rel.arg", 2 * rh, 3 * dim)?,
            gap: w.matrix("rel.gap", gap, dim)?,
            between: w.matrix("rel.between", rh, 2 * gap)?,
            type1: w.matrix("rel.type1", nent, rh)?,
            type2: w.matrix("rel.type2", nent, rh)?,
            typepair: w.matrix("rel.typepair", nent * nent, rh)?,
            distance: w.matrix("rel.distance", 2 * DISTANCE_BUCKETS, rh)?,
            bias: w.vector("rel.bias", rh)?,
            out: w.matrix("rel.out", nrel, rh)?,
            out_bias: w.vector("rel.out_bias", nrel)?,
            hidden: rh,
            none_bias: w.f32_param("relation_none_bias")?,
        })
    }

    /// The relations among `entities` (sorted by start, never overlapping) of `text`, whose
    /// standardised states are `h`; an unordered label appears once per pair.
    pub(super) fn relations(
        &self,
        text: &str,
        words: &[(usize, usize)],
        states: &TokenStates,
        h: ArrayView2<'_, f32>,
        entities: &[LearnedEntity],
    ) -> Vec<LearnedRelation> {
        let m = entities.len();
        // the ordered pairs of entities of one sentence
        let toks = text::tokenize(text);
        let sents = text::sentences(text, &toks);
        let sentence_of = |byte: usize| sents.partition_point(|s| s.span.end <= byte);
        let sent: Vec<usize> = entities.iter().map(|e| sentence_of(e.span.start)).collect();
        let pairs: Vec<(usize, usize)> = (0..m)
            .flat_map(|a| (0..m).map(move |b| (a, b)))
            .filter(|&(a, b)| a != b && sent[a] == sent[b])
            .collect();
        if pairs.is_empty() {
            return Vec::new();
        }
        let hid = self.hidden;
        let d = h.ncols();
        // the pieces and words of each entity
        let piece_of = |byte: usize, start: bool| {
            states
                .offsets
                .iter()
                .position(|o| if start { o.0 == byte } else { o.1 == byte })
                .unwrap_or(0)
        };
        let word_of = |piece: usize| words.partition_point(|w| w.1 < piece);
        let spans: Vec<(usize, usize)> = entities
            .iter()
            .map(|e| (piece_of(e.span.start, true), piece_of(e.span.end, false)))
            .collect();
        // [first; last; mean] of each entity, projected for arg1 and arg2
        let mut reps = Array2::<f32>::zeros((m, 3 * d));
        for (k, &(s, t)) in spans.iter().enumerate() {
            let mut row = reps.row_mut(k);
            let (mut ends, mut mean) = row.view_mut().split_at(Axis(0), 2 * d);
            let (mut first, mut last) = ends.view_mut().split_at(Axis(0), d);
            first.assign(&h.row(s));
            last.assign(&h.row(t));
            mean.assign(
                &h.slice_axis(Axis(0), Slice::from(s..t + 1))
                    .mean_axis(Axis(0))
                    .expect("a span has pieces"),
            );
        }
        // entities × 2·hidden
        let args = reps.dot(&self.arg.t());
        // what lies between the two spans is the same for (a, b) and (b, a): the mean and maximum
        // of the projected pieces there (zeros when the spans touch), per unordered pair
        let unordered: Vec<(usize, usize)> = pairs.iter().copied().filter(|&(a, b)| a < b).collect();
        let mut gap_row = vec![0usize; m * m];
        for (n, &(a, b)) in unordered.iter().enumerate() {
            gap_row[a * m + b] = n;
            gap_row[b * m + a] = n;
        }
        let g = h.dot(&self.gap.t()); // pieces × gap
        let k = g.ncols();
        let mut between = Array2::<f32>::zeros((unordered.len(), 2 * k));
        let pooled = between.as_slice_mut().expect("a fresh matrix is contiguous");
        for (out, &(first, second)) in pooled.chunks_exact_mut(2 * k).zip(&unordered) {
            let (gap_start, gap_end) = (spans[first].1 + 1, spans[second].0);
            if gap_end <= gap_start {
                continue;
            }
            let (mean, max) = out.split_at_mut(k);
            max.fill(f32::NEG_INFINITY);
            for t in gap_start..gap_end {
                for ((sum, top), x) in mean.iter_mut().zip(max.iter_mut()).zip(row(&g, t)) {
                    *sum += x;
                    *top = top.max(*x);
                }
            }
            let inv = 1.0 / (gap_end - gap_start) as f32;
            mean.iter_mut().for_each(|v| *v *= inv);
        }
        let between = between.dot(&self.between.t()); // unordered pairs × hidden
        let nent = EntityLabel::ALL.len() + 1;
        let mut out = Vec::new();
        let mut z = vec![0f32; hid];
        let mut logits = vec![0f32; self.out_bias.len()];
        let mut seen = HashSet::new();
        for &(a, b) in &pairs {
            let (first, second) = (a.min(b), a.max(b));
            let gap_words = word_of(spans[second].0).saturating_sub(word_of(spans[first].1) + 1);
            let bucket = distance_bucket(gap_words) + if a > b { DISTANCE_BUCKETS } else { 0 };
            let (ta, tb) = (entities[a].label.index() + 1, entities[b].label.index() + 1);
            let parts = [
                &row(&args, a)[..hid],
                &row(&args, b)[hid..],
                row(&between, gap_row[a * m + b]),
                row(&self.distance, bucket),
                row(&self.type1, ta),
                row(&self.type2, tb),
                row(&self.typepair, ta * nent + tb),
                &self.bias[..],
            ];
            z.copy_from_slice(parts[0]);
            for part in &parts[1..] {
                z.iter_mut().zip(*part).for_each(|(z, x)| *z += x);
            }
            z.iter_mut().for_each(|z| *z = z.max(0.0));
            affine(&self.out, &self.out_bias, &z, &mut logits);
            logits[0] += self.none_bias;
            let (best, p) = softmax_argmax(&mut logits);
            if best == 0 {
                continue;
            }
            let label = RelationLabel::ALL[best - 1];
            let (x, y) = if label.symmetric() { (first, second) } else { (a, b) };
            if seen.insert((x, y, label)) {
                out.push(LearnedRelation {
                    arg1: x,
                    arg2: y,
                    label,
                    score: p,
                });
            }
        }
        out
    }
}

/// Row `i` of a matrix in standard layout.
fn row(m: &Array2<f32>, i: usize) -> &[f32] {
    let w = m.ncols();
    &m.as_slice().expect("a fresh or loaded matrix is contiguous")[i * w..(i + 1) * w]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::learned::BUNDLED;
    use crate::Span;

    #[test]
    fn pairs_stay_in_their_sentence_and_an_unordered_label_comes_once() {
        let text = "Alpha beta gamma. Delta epsilon.";
        // one piece per word and per full stop
        let mut offsets = Vec::new();
        let mut at = 0;
        for piece in ["Alpha", "beta", "gamma", ".", "Delta", "epsilon", "."] {
            let start = at + text[at..].find(piece).unwrap();
            at = start + piece.len();
            offsets.push((start, at));
        }
        let d = 384;
        let states = TokenStates {
            continues: vec![false; offsets.len()],
            dim: d,
            states: (0..offsets.len() * d)
                .map(|i| ((i * 7919) % 97) as f32 / 48.0 - 1.0)
                .collect(),
            offsets,
            truncated: false,
        };
        let words = states.words();
        let h = ArrayView2::from_shape((states.len(), d), &states.states).unwrap();
        let entity = |surface: &str| {
            let start = text.find(surface).unwrap();
            LearnedEntity {
                span: Span::new(start, start + surface.len()),
                label: EntityLabel::Method,
                score: 0.9,
            }
        };
        let entities = [entity("Alpha"), entity("gamma"), entity("Delta"), entity("epsilon")];
        let mut head = RelationHead::read(&mut Weights::parse(BUNDLED).unwrap(), d).unwrap();
        // every pair is labelled: what is left to check is which pairs there are
        head.none_bias = -1e4;
        let found = head.relations(text, &words, &states, h, &entities);
        let mut seen = HashSet::new();
        for r in &found {
            assert!(seen.insert((r.arg1, r.arg2, r.label)), "{r:?} twice");
            assert!(
                r.arg1 < 2 && r.arg2 < 2 || r.arg1 >= 2 && r.arg2 >= 2,
                "{r:?} across sentences"
            );
            assert_ne!(r.arg1, r.arg2);
            if r.label.symmetric() {
                assert!(r.arg1 < r.arg2, "{r:?}");
            }
        }
        // two pairs, each labelled in one order or both
        assert!((2..=4).contains(&found.len()), "{found:?}");
    }
}
