//! A generated corpus for the gap bench (`HYPATIA_GAPS_GENERATE=N`): N Markdown papers of
//! 1990–2020 whose abstracts name methods, tasks and datasets in the phrases the rule extractor
//! types by their head words ("... parser", "... parsing", "... Treebank").
//!
//! The shape is that of a field: a few hundred topics of Zipf-distributed size, each with its
//! own methods, tasks and datasets (also Zipf-distributed, so that a few are hubs), a fifth of
//! each paper's concepts drawn from outside its topic, more papers per year as years pass, newer
//! methods appearing later, and now and then a negative claim or a future-work sentence (for the
//! contested-claim and open-question kinds). Deterministic for a seed.

use std::path::{Path, PathBuf};

const MODIFIERS: [&str; 48] = [
    "sparse",
    "bayesian",
    "hierarchical",
    "recursive",
    "latent",
    "neural",
    "graph",
    "span",
    "lattice",
    "character",
    "syntactic",
    "semantic",
    "discriminative",
    "generative",
    "convolutional",
    "recurrent",
    "structured",
    "probabilistic",
    "incremental",
    "adaptive",
    "contrastive",
    "multilingual",
    "crosslingual",
    "unsupervised",
    "weakly",
    "factored",
    "tree",
    "sequence",
    "shallow",
    "deep",
    "stochastic",
    "greedy",
    "beam",
    "joint",
    "pipeline",
    "lexical",
    "morphological",
    "prosodic",
    "acoustic",
    "visual",
    "temporal",
    "spatial",
    "relational",
    "compositional",
    "distributional",
    "phrase",
    "chunk",
    "dependency",
];
const METHOD_HEADS: [&str; 10] = [
    "parser",
    "tagger",
    "network",
    "classifier",
    "encoder",
    "decoder",
    "grammar",
    "aligner",
    "segmenter",
    "transformer",
];
const TASK_HEADS: [&str; 10] = [
    "parsing",
    "tagging",
    "translation",
    "recognition",
    "classification",
    "summarization",
    "segmentation",
    "retrieval",
    "extraction",
    "generation",
];
const TASK_OBJECTS: [&str; 16] = [
    "entity",
    "relation",
    "event",
    "sentiment",
    "discourse",
    "question",
    "speech",
    "keyphrase",
    "topic",
    "argument",
    "coreference",
    "emotion",
    "claim",
    "document",
    "dialogue",
    "citation",
];
const NAME_PARTS: [&str; 24] = [
    "Kestrel", "Orca", "Basalt", "Juniper", "Merlin", "Quartz", "Tundra", "Falcon", "Cobalt", "Lumen", "Saffron",
    "Harbor", "Nimbus", "Aster", "Marlin", "Sierra", "Vireo", "Onyx", "Cedar", "Pavo", "Talon", "Indigo", "Rook",
    "Zephyr",
];
const DATASET_HEADS: [&str; 3] = ["Treebank", "Corpus", "Benchmark"];

/// A small deterministic generator (a 64-bit LCG; the bench needs no statistical quality).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// An index below `n`, small ones far likelier (about Zipf with exponent 1).
    fn zipf(&mut self, n: usize) -> usize {
        let u = (self.next() % 1_000_000) as f64 / 1_000_000.0;
        (((n as f64 + 1.0).powf(u) - 1.0) as usize).min(n - 1)
    }
}

/// One topic: its methods (each with the year it appears), tasks and datasets.
struct Topic {
    methods: Vec<(String, i32)>,
    tasks: Vec<String>,
    datasets: Vec<String>,
}

fn topics(rng: &mut Rng, n: usize) -> Vec<Topic> {
    let word = |rng: &mut Rng| MODIFIERS[rng.below(MODIFIERS.len())];
    (0..n)
        .map(|_| Topic {
            methods: (0..12)
                .map(|_| {
                    let name = format!(
                        "{} {} {}",
                        word(rng),
                        word(rng),
                        METHOD_HEADS[rng.below(METHOD_HEADS.len())]
                    );
                    (name, 1990 + rng.below(28) as i32)
                })
                .collect(),
            tasks: (0..5)
                .map(|_| {
                    let object = TASK_OBJECTS[rng.below(TASK_OBJECTS.len())];
                    format!("{} {object} {}", word(rng), TASK_HEADS[rng.below(TASK_HEADS.len())])
                })
                .collect(),
            datasets: (0..4)
                .map(|_| {
                    let name = NAME_PARTS[rng.below(NAME_PARTS.len())];
                    format!(
                        "{name}-{} {}",
                        1 + rng.below(99),
                        DATASET_HEADS[rng.below(DATASET_HEADS.len())]
                    )
                })
                .collect(),
        })
        .collect()
}

/// Writes `n` papers into `dir` (one Markdown file each) and returns the folder.
pub fn write(dir: &Path, n: usize, seed: u64) -> anyhow::Result<PathBuf> {
    let folder = dir.join("generated");
    std::fs::create_dir_all(&folder)?;
    let mut rng = Rng(seed);
    let topics = topics(&mut rng, 300);
    for i in 0..n {
        // More papers in later years: the year's share grows linearly.
        let year = 1990 + ((rng.below(1_000_000) as f64 / 1_000_000.0).sqrt() * 31.0) as i32;
        let home = &topics[rng.zipf(topics.len())];
        let pick = |rng: &mut Rng| -> &Topic {
            if rng.below(5) == 0 {
                &topics[rng.below(topics.len())]
            } else {
                home
            }
        };
        let method = |rng: &mut Rng| -> String {
            let t = pick(rng);
            let known: Vec<&(String, i32)> = t.methods.iter().filter(|m| m.1 <= year).collect();
            match known.len() {
                0 => t.methods[0].0.clone(),
                k => known[rng.zipf(k)].0.clone(),
            }
        };
        let task = |rng: &mut Rng| {
            let t = pick(rng);
            t.tasks[rng.zipf(t.tasks.len())].clone()
        };
        let dataset = |rng: &mut Rng| {
            let t = pick(rng);
            t.datasets[rng.zipf(t.datasets.len())].clone()
        };
        let mut text = Vec::new();
        for _ in 0..2 + rng.below(3) {
            let (m, t, d) = (method(&mut rng), task(&mut rng), dataset(&mut rng));
            text.push(match rng.below(3) {
                0 => format!("We apply the {m} to {t} on the {d}."),
                1 => format!(
                    "The {m} improves {t} on the {d} by {}.{} points.",
                    1 + rng.below(5),
                    rng.below(10)
                ),
                _ => format!("We compare the {m} with the {} for {t}.", method(&mut rng)),
            });
        }
        if rng.below(8) == 0 {
            text.push(format!("The {} does not improve {}.", method(&mut rng), task(&mut rng)));
        }
        if rng.below(6) == 0 {
            text.push(format!(
                "Future work will apply the {} to {}.",
                method(&mut rng),
                task(&mut rng)
            ));
        }
        std::fs::write(
            folder.join(format!("paper-{i:06}.md")),
            format!(
                "---\ntitle: Generated paper {i} on {}\nyear: {year}\nabstract: {}\n---\n",
                home.tasks[0],
                text.join(" ")
            ),
        )?;
    }
    Ok(folder)
}
