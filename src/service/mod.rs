//! The one service layer HTTP routes and MCP tools both call, so that the two surfaces cannot
//! drift apart: each operation checks what it needs (the embedding model), runs the domain code
//! on a blocking thread, and answers in domain types; the surfaces only parse, check scope and
//! shape the answer.

mod caller;
mod limits;

pub use caller::{Caller, Scope};
pub use limits::{Limits, UPLOAD_LIMITS};

use std::sync::Arc;

use oxigraph::sparql::CancellationToken;

use crate::answers::findings::{self, EvidencePack, FindingsRequest};
use crate::common::error::{Error, Result, UserError};
use crate::common::work::Watch;
use crate::embed::Embedder;
use crate::research::concepts::{self, ConceptMatch, ConceptView};
use crate::research::gaps::{self, Gap, GapQuery};
use crate::research::gate::{self, GateAnswer, GateRequest};
use crate::research::novelty::{self, NoveltyReport, NoveltyRequest};
use crate::research::results_import::{self, ImportOptions, ImportReport};
use crate::research::{
    self, Actor, Compared, Experiment, ExperimentFilter, Hypothesis, HypothesisFilter, NewComparison, NewExperiment,
    NewHypothesis, PlateauSettings, StatusUpdate, Written,
};
use crate::retrieval::search::{self, Hit, SearchRequest};
use crate::store::papers::{self, PaperRecord};
use crate::store::Store;

/// What the operations work on: the store, the embedding model when loaded, and the limits.
#[derive(Clone)]
pub struct Service {
    /// The store.
    pub store: Arc<Store>,
    /// The embedding model (vector and hybrid search, findings, novelty and research writes).
    pub embedder: Option<Arc<dyn Embedder>>,
    /// What one request may cost.
    pub limits: Limits,
}

impl Service {
    /// The embedding model, or the error both surfaces give without one (503).
    pub fn model(&self) -> Result<Arc<dyn Embedder>> {
        self.embedder
            .clone()
            .ok_or_else(|| UserError::Setup("this needs the embedding model; it is not loaded".into()).into())
    }

    /// Runs a SPARQL evaluation `run` on a blocking thread under the query timeout: the timeout
    /// cancels the evaluation itself (the thread is freed), not only the wait, and is reported
    /// as a timeout naming the limit.
    pub async fn sparql<T: Send + 'static>(
        &self,
        run: impl FnOnce(&Arc<Store>, Option<Arc<dyn Embedder>>, CancellationToken) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let (store, embedder, timeout) = (self.store.clone(), self.embedder.clone(), self.limits.query_timeout);
        let cancel = CancellationToken::new();
        let timer = {
            let cancel = cancel.clone();
            tokio::spawn(async move {
                tokio::time::sleep(timeout).await;
                cancel.cancel();
            })
        };
        let answered = blocking(move || run(&store, embedder, cancel)).await;
        timer.abort();
        answered.map_err(|e| match e {
            Error::User(UserError::Timeout(_)) => UserError::Timeout(format!(
                "the query ran longer than {} s and was cancelled",
                timeout.as_secs_f64()
            ))
            .into(),
            other => other,
        })
    }

    /// Passages for a question, best first, each with a verified citation.
    pub async fn search(&self, req: SearchRequest) -> Result<Vec<Hit>> {
        let (store, embedder) = (self.store.clone(), self.embedder.clone());
        blocking(move || search::search(&store, embedder.as_deref(), &req)).await
    }

    /// An evidence pack for a question.
    pub async fn findings(&self, req: FindingsRequest) -> Result<EvidencePack> {
        self.findings_watched(req, Watch::none()).await
    }

    /// [`Service::findings`], heard from and stoppable through `watch`.
    pub async fn findings_watched(&self, req: FindingsRequest, mut watch: Watch<'static>) -> Result<EvidencePack> {
        let (store, embedder) = (self.store.clone(), self.embedder.clone());
        blocking(move || findings::find_watched(&store, embedder.as_deref(), &req, &mut watch)).await
    }

    /// A paper's record: reference, passages and facts.
    pub async fn paper(&self, key_or_iri: String) -> Result<PaperRecord> {
        let store = self.store.clone();
        blocking(move || papers::paper_record(&store, &key_or_iri)).await
    }

    /// Extracted concepts whose label contains `q`, best first.
    pub async fn concepts(&self, q: String, limit: usize) -> Result<Vec<ConceptMatch>> {
        let store = self.store.clone();
        blocking(move || concepts::find(&store, &q, limit)).await
    }

    /// A concept (IRI, key or label) with its papers and neighbours as of a year.
    pub async fn concept(&self, id: String, as_of: Option<i32>, limit: usize) -> Result<ConceptView> {
        let store = self.store.clone();
        blocking(move || concepts::view(&store, &id, as_of, limit)).await
    }

    /// The gaps of the literature, telling `watch` of each step and stopping when it is
    /// cancelled.
    pub async fn gaps(&self, q: GapQuery, mut watch: Watch<'static>) -> Result<Vec<Gap>> {
        let store = self.store.clone();
        blocking(move || gaps::find_gaps_watched(&store, &q, &mut watch)).await
    }

    /// Records a hypothesis as `actor`.
    pub async fn propose(&self, actor: Actor, h: NewHypothesis) -> Result<Written<Hypothesis>> {
        let (store, embedder) = (self.store.clone(), self.model()?);
        blocking(move || research::propose(&store, embedder.as_ref(), &actor, &h)).await
    }

    /// Moves a hypothesis to another status as `actor`.
    pub async fn set_status(&self, actor: Actor, hypothesis: String, u: StatusUpdate) -> Result<Hypothesis> {
        let store = self.store.clone();
        blocking(move || research::set_status(&store, &actor, &hypothesis, &u)).await
    }

    /// Logs an experiment run as `actor`.
    pub async fn log_experiment(&self, actor: Actor, x: NewExperiment) -> Result<Written<Experiment>> {
        let (store, embedder) = (self.store.clone(), self.model()?);
        blocking(move || research::log_experiment(&store, embedder.as_ref(), &actor, &x)).await
    }

    /// Imports a results table as experiment runs of `actor`.
    pub async fn import_results(
        &self,
        actor: Actor,
        source: String,
        table: Vec<u8>,
        opts: ImportOptions,
    ) -> Result<ImportReport> {
        let (store, embedder) = (self.store.clone(), self.model()?);
        blocking(move || results_import::import_results(&store, embedder.as_ref(), &actor, &source, &table, &opts))
            .await
    }

    /// Records a pairwise comparison of two hypotheses as `actor`.
    pub async fn compare(&self, actor: Actor, c: NewComparison) -> Result<Compared> {
        let store = self.store.clone();
        blocking(move || research::compare(&store, &actor, &c)).await
    }

    /// One hypothesis with its history, evidence, experiments, lineage, rating, and the
    /// plateaus of its runs' metrics read with `plateau`.
    pub async fn hypothesis(&self, id: String, plateau: PlateauSettings) -> Result<Hypothesis> {
        let store = self.store.clone();
        blocking(move || research::hypothesis_with(&store, &id, &plateau)).await
    }

    /// Stored hypotheses, in the order the filter asks for (newest first by default).
    pub async fn hypotheses(&self, f: HypothesisFilter) -> Result<Vec<Hypothesis>> {
        let store = self.store.clone();
        blocking(move || research::hypotheses(&store, &f)).await
    }

    /// One experiment run.
    pub async fn experiment(&self, id: String) -> Result<Experiment> {
        let store = self.store.clone();
        blocking(move || research::experiment(&store, &id)).await
    }

    /// Stored experiment runs, newest first.
    pub async fn experiments(&self, f: ExperimentFilter) -> Result<Vec<Experiment>> {
        let store = self.store.clone();
        blocking(move || research::experiments(&store, &f)).await
    }

    /// Whether a proposed change should run: proceed, warn or refuse, with the past runs and
    /// the literature that say why.
    pub async fn gate(&self, req: GateRequest) -> Result<GateAnswer> {
        let (store, embedder) = (self.store.clone(), self.model()?);
        blocking(move || gate::gate(&store, embedder.as_ref(), &req)).await
    }

    /// How novel an idea is against the literature and past records.
    pub async fn novelty(&self, req: NoveltyRequest) -> Result<NoveltyReport> {
        self.novelty_watched(req, Watch::none()).await
    }

    /// [`Service::novelty`], heard from and stoppable through `watch`.
    pub async fn novelty_watched(&self, req: NoveltyRequest, mut watch: Watch<'static>) -> Result<NoveltyReport> {
        let (store, embedder) = (self.store.clone(), self.model()?);
        blocking(move || novelty::novelty_watched(&store, embedder.as_ref(), &req, &mut watch)).await
    }
}

/// Runs blocking domain code (index reads, SPARQL, the embedding model) on tokio's blocking pool.
pub async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Error::journal(format!("blocking task failed: {e}")))?
}
