//! The IRIs of the vocabularies Hypatia writes, in one place. `schema/hypatia.ttl` defines the
//! `hyp:` terms; the others are the standard vocabularies DESIGN.md names.

/// Declares a namespace module with its prefix IRI and one `const` per term.
macro_rules! namespace {
    ($(#[$doc:meta])* $module:ident, $ns:literal, { $($(#[$tdoc:meta])* $name:ident = $local:literal),* $(,)? }) => {
        $(#[$doc])*
        pub mod $module {
            /// The namespace IRI.
            pub const NS: &str = $ns;
            $($(#[$tdoc])* pub const $name: &str = concat!($ns, $local);)*
            /// Every term above, for checks against the ontology.
            #[allow(dead_code)]
            pub const ALL: &[&str] = &[$($name),*];
        }
    };
}

namespace!(
    /// schema.org: bibliographic data answer engines read.
    schema, "http://schema.org/", {
        /// Class of papers.
        SCHOLARLY_ARTICLE = "ScholarlyArticle",
        /// Class of people.
        PERSON = "Person",
        /// Class of cited works that are not in the store.
        CREATIVE_WORK = "CreativeWork",
        /// Title.
        NAME = "name",
        /// Author (to a Person).
        AUTHOR = "author",
        /// Publication date or year.
        DATE_PUBLISHED = "datePublished",
        /// Journal or proceedings (a literal name here).
        IS_PART_OF = "isPartOf",
        /// Abstract text.
        ABSTRACT = "abstract",
        /// Keyword.
        KEYWORDS = "keywords",
        /// What a work is about (a concept).
        ABOUT = "about",
        /// Cited work.
        CITATION = "citation",
        /// Class of claims (answer engines read these).
        CLAIM = "Claim",
        /// What a claim or quotation is based on (the paper).
        IS_BASED_ON = "isBasedOn",
        /// Software version.
        VERSION = "version",
        /// Another IRI of the same thing.
        SAME_AS = "sameAs",
        /// A literal identifier ("doi:10...").
        IDENTIFIER = "identifier",
        /// Licence.
        LICENSE = "license",
        /// Given name.
        GIVEN_NAME = "givenName",
        /// Family name.
        FAMILY_NAME = "familyName",
        /// Position in a list (author order).
        POSITION = "position",
        /// Free-text description (a raw reference string).
        DESCRIPTION = "description",
        /// Creation date.
        DATE_CREATED = "dateCreated",
    }
);

namespace!(
    /// CiTO: typed citations.
    cito, "http://purl.org/spar/cito/", {
        /// The citing paper cites the object.
        CITES = "cites",
    }
);

namespace!(
    /// W3C Web Annotation: spans inside a paper's text.
    oa, "http://www.w3.org/ns/oa#", {
        /// Selector by character positions.
        TEXT_POSITION_SELECTOR = "TextPositionSelector",
        /// Selector by exact quote.
        TEXT_QUOTE_SELECTOR = "TextQuoteSelector",
        /// Link from a resource to its selectors.
        HAS_SELECTOR = "hasSelector",
        /// Link from a specific resource to the document it is part of.
        HAS_SOURCE = "hasSource",
        /// Start position (inclusive, in characters).
        START = "start",
        /// End position (exclusive, in characters).
        END = "end",
        /// Exact quoted text.
        EXACT = "exact",
        /// A part of a document, described by selectors (a snapshot of cited evidence).
        SPECIFIC_RESOURCE = "SpecificResource",
    }
);

namespace!(
    /// Hypatia's own ontology (schema/hypatia.ttl).
    hyp, "https://w3id.org/hypatia/ns#", {
        /// Class of passages: a citable span of a paper.
        PASSAGE = "Passage",
        /// Passage to paper.
        PASSAGE_OF = "passageOf",
        /// Section label of a passage ("title", "abstract", or a body heading).
        SECTION = "section",
        /// Position of a passage within its paper, from 0.
        ORDINAL = "ordinal",
        /// Hash of a passage's text.
        CONTENT_HASH = "contentHash",
        /// A paper's canonical text, against which all offsets count.
        CANONICAL_TEXT = "canonicalText",
        /// Year of publication as an integer, for filters.
        YEAR = "year",
        /// Venue name as a literal.
        VENUE = "venue",
        /// DOI literal.
        DOI = "doi",
        /// arXiv id literal.
        ARXIV_ID = "arxivId",
        /// PubMed id literal.
        PMID = "pmid",
        /// PubMed Central id literal.
        PMCID = "pmcid",
        /// Collection-local id literal ("scifact:4983").
        CORPUS_ID = "corpusId",
        /// Label of a reference in its citing paper.
        REFERENCE_LABEL = "referenceLabel",
        /// Ingest format the paper came from.
        SOURCE_FORMAT = "sourceFormat",
        /// Class of bibliography entries: a cited work as the citing paper describes it.
        REFERENCE = "Reference",
        /// A paper's match key (`doi:…`, `arxiv:…`, `fp:…`): how references and other records
        /// of the same paper find it.
        MATCH_KEY = "matchKey",
        /// A reference's match key, strongest first in resolution.
        REF_KEY = "refKey",
        /// Reference to the stored paper it was resolved to.
        RESOLVES_TO = "resolvesTo",
        /// The paper's own record marks it retracted (`true`).
        RETRACTED = "retracted",
        /// Class of notices: a link between a published notice (retraction, correction, update,
        /// expression of concern) and the paper it is about, as one record states it.
        NOTICE = "Notice",
        /// A notice's kind: "retraction", "correction", "update" or "expression-of-concern".
        NOTICE_KIND = "noticeKind",
        /// Notice to the paper whose own record names it (the record says: this notice is about me).
        NOTICE_ABOUT = "noticeAbout",
        /// Match key of the notice, when the paper's record names it.
        NOTICE_KEY = "noticeKey",
        /// Notice to the record that is the notice itself.
        NOTICE_BY = "noticeBy",
        /// Match key of the paper a notice is about, when the notice's record names it.
        TARGET_KEY = "targetKey",
        /// When the notice appeared, as the source gives it (ISO 8601 prefix): the valid time
        /// of a retraction.
        NOTICE_DATE = "noticeDate",
        /// Class of versions: one state of a paper's facts as the store held it, from its
        /// record time (`prov:generatedAtTime`) until another replaced it or the paper was
        /// deleted (`prov:invalidatedAtTime`).
        VERSION = "Version",
        /// Version to the paper it is a state of.
        VERSION_OF = "versionOf",
        /// An author's name as a reference prints it.
        AUTHOR_NAME = "authorName",
        /// Class of concept mentions: a span of a paper's text that names a concept.
        MENTION = "Mention",
        /// Mention, claim or result to the concept it names or is about.
        CONCEPT = "concept",
        /// Paper to a concept its text mentions (the co-occurrence graph's edges come from these).
        MENTIONS_CONCEPT = "mentionsConcept",
        /// Start of an extracted item in the paper's canonical text, in characters.
        START = "start",
        /// End (exclusive) of an extracted item in the paper's canonical text, in characters.
        END = "end",
        /// Concept (or mention) to its type: hyp:Method, hyp:Task, hyp:Dataset, hyp:Metric,
        /// hyp:Material or hyp:OtherConcept.
        CONCEPT_TYPE = "conceptType",
        /// Confidence in [0, 1] of an extracted type or relation.
        CONFIDENCE = "confidence",
        /// Class of claims: a sentence stating a finding.
        CLAIM = "Claim",
        /// Polarity of a claim: "supports" or "negative".
        POLARITY = "polarity",
        /// Whether a claim is hedged ("may", "suggest").
        HEDGED = "hedged",
        /// The cue that made a sentence a claim.
        CUE = "cue",
        /// Class of results: (method, dataset, metric, value).
        RESULT = "Result",
        /// Result to its method concept.
        METHOD = "method",
        /// Result to its dataset or task concept.
        DATASET = "dataset",
        /// Result's metric name.
        METRIC = "metric",
        /// Result's value.
        VALUE = "value",
        /// Result's unit.
        UNIT = "unit",
        /// Class of extracted relation statements between two concepts.
        RELATION = "Relation",
        /// Relation statement's head concept.
        HEAD = "head",
        /// Relation statement's tail concept.
        TAIL = "tail",
        /// Relation statement's kind, as the property it asserts.
        RELATION_KIND = "relationKind",
        /// Concept uses concept.
        USES = "uses",
        /// Method evaluated on dataset or task.
        EVALUATED_ON = "evaluatedOn",
        /// Concept compared with concept.
        COMPARED_WITH = "comparedWith",
        /// Concept improves on concept.
        IMPROVES_ON = "improvesOn",
        /// Concept part of concept.
        PART_OF = "partOf",
        /// Concept a feature of concept.
        FEATURE_OF = "featureOf",
        /// Concepts named together in a conjunction.
        CONJUNCTION = "conjunction",
        /// The exact text of an extracted item.
        EXACT = "exact",
        /// Hash of all of a paper's facts: re-ingest skips a paper whose digest is unchanged.
        DIGEST = "digest",
        /// Class of hypotheses agents propose.
        HYPOTHESIS = "Hypothesis",
        /// Hypothesis to its statement.
        STATEMENT = "statement",
        /// Hypothesis, gap or experiment to a concept it is about.
        CONCERNS = "concerns",
        /// Hypothesis to the gap that motivated it.
        MOTIVATED_BY = "motivatedBy",
        /// Class of gaps (as recorded when a hypothesis cites one).
        GAP = "Gap",
        /// Gap to its kind ("missing_link", "untested_combination", ...).
        GAP_KIND = "gapKind",
        /// Gap to its explanation.
        EXPLANATION = "explanation",
        /// Gap to its score.
        SCORE = "score",
        /// Hypothesis or gap to a passage (or paper) that supports it.
        EVIDENCE = "evidence",
        /// An agent's assertion graph to the name of the credential (API token, `anonymous`,
        /// `local`) the write came through.
        VIA_CREDENTIAL = "viaCredential",
        /// Hypothesis or gap to what an evidence passage said when it was cited (an
        /// oa:SpecificResource with quote and position selectors, content hash and the paper's
        /// digest then).
        QUOTED_EVIDENCE = "quotedEvidence",
        /// Hypothesis to its current status (hyp:Proposed, hyp:Testing, hyp:Supported,
        /// hyp:Refuted, hyp:Inconclusive).
        STATUS = "status",
        /// Class of status changes of a hypothesis.
        STATUS_CHANGE = "StatusChange",
        /// Status change to the hypothesis it moves.
        OF_HYPOTHESIS = "ofHypothesis",
        /// Status change to the status before.
        FROM_STATUS = "fromStatus",
        /// Status change to the status after.
        TO_STATUS = "toStatus",
        /// Status change to an experiment whose outcome it rests on.
        BASED_ON = "basedOn",
        /// Free-text note of an agent (a status change's reason, a comparison's rationale).
        NOTE = "note",
        /// Hypothesis to a hypothesis it refines (a sub-property of prov:wasDerivedFrom).
        REFINES = "refines",
        /// Hypothesis to one of the hypotheses it combines (a sub-property of
        /// prov:wasDerivedFrom).
        COMBINES = "combines",
        /// Hypothesis to a hypothesis it contradicts and was derived from (a sub-property of
        /// prov:wasDerivedFrom).
        CONTRADICTS = "contradicts",
        /// Class of pairwise comparisons of two hypotheses, the matches Elo ratings come from.
        COMPARISON = "Comparison",
        /// Comparison to each of the two hypotheses it compares.
        COMPARES = "compares",
        /// Comparison to the hypothesis that won it (absent for a draw).
        WINNER = "winner",
        /// Comparison to the client-chosen match id that makes it idempotent.
        MATCH_ID = "matchId",
        /// Class of experiment runs.
        EXPERIMENT = "Experiment",
        /// Experiment to the hypothesis it tests.
        TESTS = "tests",
        /// Experiment to its code version (e.g. a git commit).
        CODE_VERSION = "codeVersion",
        /// Experiment to a parameter (a node with hyp:name and hyp:value).
        PARAMETER = "parameter",
        /// Parameter or measurement to its name.
        NAME = "name",
        /// Experiment to a measurement (hyp:name, hyp:value, hyp:unit, hyp:split).
        MEASUREMENT = "measurement",
        /// Measurement to the data split it was measured on.
        SPLIT = "split",
        /// Experiment to its run status (hyp:Keep, hyp:Discard, hyp:Crash).
        RUN_STATUS = "runStatus",
        /// Experiment to an artefact (a link to a log, a checkpoint, a plot).
        ARTEFACT = "artefact",
        /// Record to the agent that wrote it (as a literal id; the agent node carries it too).
        AGENT_ID = "agentId",
        /// Class of the statuses of a hypothesis.
        HYPOTHESIS_STATUS = "HypothesisStatus",
        /// Status: proposed, not yet tested.
        PROPOSED = "Proposed",
        /// Status: experiments are running.
        TESTING = "Testing",
        /// Status: the outcomes support it.
        SUPPORTED = "Supported",
        /// Status: the outcomes refute it.
        REFUTED = "Refuted",
        /// Status: the outcomes decide nothing.
        INCONCLUSIVE = "Inconclusive",
        /// Class of the run statuses of an experiment.
        RUN_STATUS_VALUE = "RunStatus",
        /// Run status: the change was kept.
        KEEP = "Keep",
        /// Run status: the change was discarded.
        DISCARD = "Discard",
        /// Run status: the run crashed.
        CRASH = "Crash",
    }
);

namespace!(
    /// SKOS: concepts and their labels.
    skos, "http://www.w3.org/2004/02/skos/core#", {
        /// Class of concepts.
        CONCEPT = "Concept",
        /// Preferred label.
        PREF_LABEL = "prefLabel",
        /// The scheme a concept belongs to.
        IN_SCHEME = "inScheme",
        /// The concept's code in its scheme.
        NOTATION = "notation",
        /// The same concept elsewhere.
        EXACT_MATCH = "exactMatch",
        /// Alternative label (acronym, variant spelling).
        ALT_LABEL = "altLabel",
        /// A broader concept.
        BROADER = "broader",
    }
);

namespace!(
    /// DCTerms, where schema.org has no term.
    dcterms, "http://purl.org/dc/terms/", {
        /// Where a fact came from.
        SOURCE = "source",
        /// A subject of a resource.
        SUBJECT = "subject",
    }
);

namespace!(
    /// PROV-O: which extractor (and version) produced a fact, from which passage.
    prov, "http://www.w3.org/ns/prov#", {
        /// Fact to the software that generated it.
        WAS_GENERATED_BY = "wasGeneratedBy",
        /// Fact to the passage it was derived from.
        WAS_DERIVED_FROM = "wasDerivedFrom",
        /// Entity to the agent responsible for it.
        WAS_ATTRIBUTED_TO = "wasAttributedTo",
        /// Entity to when it was made.
        GENERATED_AT_TIME = "generatedAtTime",
        /// Entity to when it stopped being valid (a superseded version: end-dated, not
        /// deleted).
        INVALIDATED_AT_TIME = "invalidatedAtTime",
        /// Class of activities (an experiment run is one).
        ACTIVITY = "Activity",
        /// Class of software agents.
        SOFTWARE_AGENT = "SoftwareAgent",
    }
);

namespace!(
    /// Nanopublications: an assertion, its provenance and publication info as named graphs.
    np, "http://www.nanopub.org/nschema#", {
        /// Class of nanopublications.
        NANOPUBLICATION = "Nanopublication",
        /// Nanopublication to its assertion graph.
        HAS_ASSERTION = "hasAssertion",
        /// Nanopublication to its provenance graph.
        HAS_PROVENANCE = "hasProvenance",
        /// Nanopublication to its publication-info graph.
        HAS_PUBLICATION_INFO = "hasPublicationInfo",
    }
);

namespace!(
    /// RDF itself.
    rdf, "http://www.w3.org/1999/02/22-rdf-syntax-ns#", {
        /// rdf:type.
        TYPE = "type",
    }
);

namespace!(
    /// XML Schema datatypes.
    xsd, "http://www.w3.org/2001/XMLSchema#", {
        /// Integer.
        INTEGER = "integer",
        /// Year.
        G_YEAR = "gYear",
        /// Decimal.
        DOUBLE = "double",
        /// Boolean.
        BOOLEAN = "boolean",
        /// Date and time.
        DATE_TIME = "dateTime",
        /// Non-negative integer.
        NON_NEGATIVE_INTEGER = "nonNegativeInteger",
    }
);

#[cfg(test)]
mod tests {
    /// Every `hyp:` term the code writes is declared in the ontology file.
    #[test]
    fn every_hyp_term_is_in_the_ontology() {
        let ttl = include_str!("../../schema/hypatia.ttl");
        let missing: Vec<&str> = super::hyp::ALL
            .iter()
            .map(|t| &t[super::hyp::NS.len()..])
            .filter(|local| !ttl.contains(&format!("\nhyp:{local} ")))
            .collect();
        assert!(missing.is_empty(), "not declared in schema/hypatia.ttl: {missing:?}");
    }
}
