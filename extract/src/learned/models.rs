//! The other models whose token states the bundled heads read: variants of the model they were
//! trained on (exact fp32 weights, ONNX Runtime int8), each listed with the SciERC dev figures
//! measured on its states.

/// The other models (variants of the trained-on one) whose token states the bundled heads were
/// measured on, with their SciERC dev figures: see the file's `about`.
pub const BUNDLED_MODELS: &str = include_str!("../../models/scierc-heads-models.json");

/// A model the heads also read, as [`BUNDLED_MODELS`] lists it.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct ListedModel {
    /// The model folder's name when it was measured.
    pub name: String,
    /// SHA-256 of its `model.onnx`.
    pub model_sha256: String,
    /// SciERC dev, the heads alone, typed exact entity F1.
    pub heads_entity_f1: f64,
    /// SciERC dev, the heads alone, strict end-to-end relation F1.
    pub heads_relation_f1: f64,
    /// SciERC dev, learned + rules, typed exact entity F1.
    pub dev_entity_f1: f64,
    /// SciERC dev, learned + rules, strict end-to-end relation F1.
    pub dev_relation_f1: f64,
}

#[derive(serde::Deserialize)]
struct ModelList {
    heads: String,
    models: Vec<ListedModel>,
}

/// The bundled list's models, if the list names heads of this version (retrained heads must be
/// measured again).
pub(super) fn listed_for(heads_version: &str) -> Vec<ListedModel> {
    let list: ModelList = serde_json::from_str(BUNDLED_MODELS).expect("the bundled model list is well formed");
    if list.heads == heads_version {
        list.models
    } else {
        Vec::new()
    }
}
