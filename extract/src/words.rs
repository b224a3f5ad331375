//! Closed word lists: function words, common verbs, general-English words and generic heads.
//!
//! Written by hand for this crate; the verbs and general adjectives were chosen by looking at
//! which frequent words of the SciERC training split are almost never inside an annotated entity.

use std::collections::HashSet;
use std::sync::OnceLock;

/// Function words and frequent verbs/adverbs/adjectives that never start, end or sit inside a
/// term: a noun-phrase chunk breaks on them.
const BREAK: &str = "a an the as this that these those there here such its it it's their his her our your my we \
    i you he she they them us me him one's which who whom whose what when where why how whether if then than \
    and or but nor not no yes so yet also both either neither each every all any some many much more most few \
    fewer less least several various other others another same own only just even still already again \
    very too quite rather fairly highly well often usually always never sometimes frequently generally typically \
    however therefore thus hence moreover furthermore finally first firstly second secondly third lastly \
    additionally instead indeed namely respectively particularly especially specifically mainly primarily \
    largely mostly nearly almost simply directly easily successfully significantly substantially considerably \
    currently recently previously currently together otherwise meanwhile accordingly consequently \
    of in on at by for with without within into onto from to toward towards upon over under above below \
    between among across through throughout during before after since until via per against along around \
    about beyond despite like unlike near behind beside besides versus vs via whereas while although though \
    because unless is are was were be been being am do does did done doing have has had having can could may \
    might must shall should will would need needs needed ought can't cannot won't don't doesn't didn't isn't \
    aren't wasn't weren't hasn't haven't et al etc e.g i.e cf viz ie eg \
    use uses used using apply applies applied applying employ employs employed employing utilize utilizes \
    utilized utilizing exploit exploits exploited exploiting adopt adopts adopted show shows showed shown \
    showing demonstrate demonstrates demonstrated demonstrating present presents presented presenting \
    propose proposes proposed proposing describe describes described describing introduce introduces \
    introduced introducing provide provides provided providing report reports reported reporting \
    find finds found finding suggest suggests suggested suggesting indicate indicates indicated indicating \
    reveal reveals revealed revealing confirm confirms confirmed obtain obtains obtained obtaining \
    achieve achieves achieved achieving outperform outperforms outperformed outperforming improve improves \
    improved improving increase increases increased decrease decreases decreased reduce reduces reduced \
    reducing allow allows allowed allowing enable enables enabled enabling require requires required \
    requiring make makes made making give gives gave given giving take takes took taken taking \
    yield yields yielded yielding produce produces produced producing generate generates generated \
    perform performs performed performing compare compares compared comparing evaluate evaluates evaluated \
    evaluating     tested investigate investigates investigated investigating examine examines \
    examined explore explores explored exploring study studies studied address addresses addressed \
    addressing consider considers considered considering discuss discusses discussed develop develops \
    developed developing     designed build builds built construct constructs constructed \
    define defines defined represent represents represented combine combines combined combining \
    incorporate incorporates incorporated integrate integrates integrated extend extends extended \
    capture captures captured handle handles handled solve solves solved identify identifies identified \
    determine determines determined estimate estimates estimated compute computes computed derive \
    derives derived extract extracts extracted train trains trained trainer learn learns learned learnt \
    involve involves involved contain contains contained containing include includes included including \
    consist consists consisted consisting depend depends depended rely relies relied focus focuses \
    focused aim aims aimed seek seeks sought tend tends attempt attempts help helps helped lead leads led \
    remain remains remained become becomes became seem seems seemed appear appears appeared occur occurs \
    occurred exist exists existed call called known termed referred observe observes observed \
    conduct conducted carry carried achieve outline outlines argue argues argued claim claims believe \
    explain explains explained establish established verify verified validate validated     \
    supported associate associated relate related correlate correlated affect affects affected \
    enhance enhances enhanced facilitate facilitates benefit benefits ensure ensures assume assumes assumed \
    let lets see seen note noted according due able unable likely unlikely possible impossible \
    new novel different existing previous current recent traditional conventional standard typical \
    simple efficient effective better best good great high higher highest low lower lowest large larger \
    largest small smaller smallest important significant main major key useful successful promising \
    powerful competitive superior comparable similar certain particular specific general overall whole \
    entire full complete additional further following above-mentioned respective corresponding \
    appropriate suitable relevant available difficult easy hard challenging practical real actual \
    potential possible various numerous extensive preliminary empirical experimental strong robust \
    accurate reliable feasible promising necessary sufficient able widely well-known popular \
    way ways paper papers article work works study studies research   result results \
    experiment experiments thing things kind kinds     lot lots number numbers amount part parts \
    case cases example examples instance instances fact facts     order addition contrast respect \
        basis effect effects evidence advantage advantages issue issues aspect aspects idea ideas \
    goal goals purpose purposes end     sense view means manner fashion degree extent   \
    here today now later earlier yet thereby therein wherein whereby";

/// Heads that are not concepts on their own ("the method", "our model"). SciERC calls mentions made
/// only of these `Generic`.
const GENERIC: &str = "method methods approach approaches model models system systems algorithm algorithms \
    technique techniques framework frameworks task tasks problem problems procedure procedures scheme schemes \
    strategy strategies mechanism mechanisms tool tools process processes solution solutions component \
    components module modules architecture architectures formulation formulations methodology methodologies \
    application applications implementation implementations version versions variant variants baseline \
    baselines performance evaluation evaluations analysis analyses representation representations \
    information data feature features resource resources technology technologies domain domains property \
    properties structure structures measure measures metric metrics function functions operation operations \
    step steps stage stages form forms setting settings condition conditions factor factors value values \
    quality";

/// General English words that do not make a term on their own, even when frequent in a corpus.
const COMMON: &str = "time times year years people person group groups area areas world field fields \
    state states age ages patient patients subject subjects human humans user users man men woman women \
    child children individual individuals member members team teams company companies country countries \
    day days week weeks month months hour hours minute minutes question questions answer answers \
    change changes role roles need needs use life list lists word words sentence sentences text texts \
    document documents object objects image images other size sizes rate rates range ranges total \
    control controls treatment treatments response responses risk risks activity activities \
    difference differences increase decrease level levels pattern patterns source sources target targets \
    output outputs input inputs content contents context contexts region regions process knowledge \
    understanding approach problem effect impact factor cost costs set sets point points term terms type types level levels";

/// Number words and ordinals: never a concept on their own.
const NUMBERS: &str = "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen \
    fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred \
    hundreds thousand thousands million millions billion billions trillion dozen dozens half halves single \
    double triple quadruple once twice thrice first second third fourth fifth sixth seventh eighth ninth tenth \
    last next previous ii iii iv vi vii viii ix xi xii";

/// Words that refer to parts of a document, or say nothing about the subject, or describe the people
/// studied: not concepts on their own ("Table", "dataset", "results", "males"). Singular and plural.
const NON_CONCEPTS: &str = "table tables figure figures fig figs section sections appendix appendices \
    equation equations eq eqs chapter chapters page pages supplement supplementary ref refs reference references \
    footnote footnotes panel panels box note notes line lines row rows column columns item items \
    dataset datasets data method methods approach approaches model models system systems paper papers \
    work works result results study studies task tasks problem problems analysis analyses performance \
    experiment experiments value values number numbers set sets case cases way ways time times \
    effect effects level levels group groups patient patients author authors conclusion conclusions \
    background objective objectives abstract title introduction discussion summary aim aims purpose purposes \
    finding findings outcome outcomes measurement measurements test tests testing training evaluation \
    comparison comparisons relationship relationships relation relations association associations \
    interaction interactions presence absence combination combinations variety development developments \
    future history challenge challenges lack reduction reductions distribution distributions average \
    averages percent percentage percentages proportion proportions mean means median total sum majority \
    minority sample samples participant participants control controls session sessions trial trials \
    example examples instance instances aspect aspects factor factors feature features parameter parameters \
    variable variables concept concepts idea ideas term terms word words sentence sentences text texts \
    document documents search deal question questions answer answers score scores rate rates ratio \
    measure measures metric metrics quantity quantities amount amounts size sizes range ranges change \
    changes difference differences increase increases decrease decreases improvement improvements \
    benefit benefits advantage advantages disadvantage limitation limitations strength strengths weakness \
    weaknesses contribution contributions application applications implication implications \
    information knowledge research researcher researchers scientist scientists literature source sources \
    resource resources tool tools technique techniques algorithm algorithms framework frameworks \
    procedure procedures process processes step steps stage stages phase phases component components \
    element elements unit units structure structures property properties characteristic characteristics \
    type types kind kinds class classes category categories form forms version versions variant variants \
    baseline baselines setting settings condition conditions scenario scenarios context contexts \
    domain domains area areas field fields topic topics issue issues point points part parts \
    thing things lot lots order basis extent degree respect addition contrast fact facts evidence \
    list lists pair pairs object objects entity entities input inputs output outputs target targets \
    goal goals need needs role roles use uses usage user users people person persons individual \
    individuals population populations human humans subject subjects volunteer volunteers respondent \
    respondents member members male males female females man men woman women boy boys girl girls \
    adult adults child children infant infants elderly mother mothers father fathers age ages sex gender \
    year years day days week weeks month months hour hours minute minutes second seconds period periods \
    world country countries state states region regions site sites center centre centers centres \
    today yesterday tomorrow status quality quantity view views manner sense means end ends \
    predict predicts contribute contributes lack lacks assess assesses analyze analyse measure \
    detect detects affect affects remove removes recommend recommends tackle tackles enhance \
    common critical clinical scientific functional genetic positive negative normal active \
    future past present recent novel total overall various several numerous high low \
    http https www url doi pmid isbn et al vitro vivo situ silico utero vs";

/// Gerunds that name a task or a method on their own ("parsing", "clustering").
const GERUND_TERMS: &str = "parsing tagging labeling labelling clustering boosting bagging sampling \
    smoothing mining reasoning planning ranking filtering indexing paraphrasing captioning inpainting \
    denoising pooling pretraining finetuning fine-tuning modeling modelling sequencing imaging screening \
    scanning blotting staining profiling genotyping phenotyping engineering programming computing \
    forecasting matching tracking hashing embedding encoding decoding stemming lemmatization \
    chunking spelling grounding prompting distilling pruning dropout bootstrapping crowdsourcing \
    beamforming multitasking string sibling offspring ceiling spring evening morning building meeting \
    bearing";

/// Nouns with an adjective-like ending ("trial", "manual", "archive").
const NOT_ADJECTIVES: &str = "trial material tutorial polynomial binomial editorial memorial residual \
    manual archive derivative objective detective initiative alternative adhesive explosive sedative \
    laxative preservative additive cable variable table vegetable label label syllable bible \
    stimulus virus corpus nucleus census bonus consensus fetus focus thesaurus sinus uterus tumulus";

fn set(src: &'static str) -> HashSet<&'static str> {
    src.split_whitespace().map(|w| w.trim_end_matches('?')).collect()
}

fn break_set() -> &'static HashSet<&'static str> {
    static S: OnceLock<HashSet<&'static str>> = OnceLock::new();
    S.get_or_init(|| set(BREAK))
}

fn generic_set() -> &'static HashSet<&'static str> {
    static S: OnceLock<HashSet<&'static str>> = OnceLock::new();
    S.get_or_init(|| set(GENERIC))
}

fn common_set() -> &'static HashSet<&'static str> {
    static S: OnceLock<HashSet<&'static str>> = OnceLock::new();
    S.get_or_init(|| set(COMMON))
}

fn number_set() -> &'static HashSet<&'static str> {
    static S: OnceLock<HashSet<&'static str>> = OnceLock::new();
    S.get_or_init(|| set(NUMBERS))
}

fn non_concept_set() -> &'static HashSet<&'static str> {
    static S: OnceLock<HashSet<&'static str>> = OnceLock::new();
    S.get_or_init(|| set(NON_CONCEPTS))
}

fn gerund_set() -> &'static HashSet<&'static str> {
    static S: OnceLock<HashSet<&'static str>> = OnceLock::new();
    S.get_or_init(|| set(GERUND_TERMS))
}

fn not_adjective_set() -> &'static HashSet<&'static str> {
    static S: OnceLock<HashSet<&'static str>> = OnceLock::new();
    S.get_or_init(|| set(NOT_ADJECTIVES))
}

/// True when a lower-cased word is a number word or an ordinal ("two", "third").
pub fn is_number_word(lower: &str) -> bool {
    number_set().contains(lower)
}

/// True when a lower-cased word is a number: digits, a number word or an ordinal.
pub fn is_number(lower: &str) -> bool {
    is_number_word(lower)
        || (!lower.is_empty()
            && lower
                .chars()
                .all(|c| c.is_ascii_digit() || matches!(c, '.' | ',' | '%')))
}

/// Adjective-like endings: "clinical", "functional", "structural", "dangerous", "positive".
fn adjective_like(w: &str) -> bool {
    let n = w.chars().count();
    if n < 6 || not_adjective_set().contains(w) {
        return false;
    }
    [
        "ical", "ional", "ural", "ntal", "ous", "ful", "ible", "able", "ive", "ial", "ual", "istic",
    ]
    .iter()
    .any(|s| w.ends_with(s))
}

/// True when a concept key is one word of the closed lists of [`is_non_concept`] (not one caught
/// by its ending only): "METHODS" or "TABLE" in capitals are still not acronyms.
pub fn is_listed_non_concept(key: &str) -> bool {
    !key.contains(' ') && (is_number(key) || non_concept_set().contains(key) || is_common(key))
}

/// True when a lower-cased word (singular, as in a concept key) is not a concept on its own: a
/// number or an ordinal, a document part ("table", "figure"), a generic or general-academic noun
/// ("dataset", "results", "analysis"), a word for the people studied ("males", "patients"), a verb
/// or a gerund ("predict", "predicting"; not task gerunds such as "parsing"), a participle, an
/// adjective, a single letter, or any word without a letter. Phrases containing such words are
/// concepts all the same ("Penn Treebank dataset", "two-stage model").
pub fn is_non_concept(lower: &str) -> bool {
    let n = lower.chars().count();
    if n <= 1 || !lower.chars().any(|c| c.is_alphabetic()) {
        return true;
    }
    if is_number(lower) || non_concept_set().contains(lower) || is_common(lower) {
        return true;
    }
    if lower.ends_with("ing") && n > 5 && !gerund_set().contains(lower) && !lower.ends_with("thing") {
        return true;
    }
    if lower.ends_with("ed") && !lower.ends_with("eed") && n > 5 {
        return true;
    }
    adjective_like(lower)
}

/// True when a concept key (words separated by single spaces) is not a concept: one word that
/// [`is_non_concept`], or every word a number, a document part or general English ("two",
/// "Table 3", "the data").
pub fn is_non_concept_key(key: &str) -> bool {
    let mut words = key.split(' ');
    match (words.next(), words.next()) {
        (None, _) => true,
        (Some(w), None) => is_non_concept(w),
        _ => key.split(' ').all(|w| is_common(w) || is_trivial(w)),
    }
}

fn is_trivial(w: &str) -> bool {
    is_number(w)
        || matches!(
            w,
            "table" | "figure" | "fig" | "section" | "appendix" | "equation" | "eq" | "chapter" | "page"
        )
        || (w.chars().count() == 1 && !w.chars().all(|c| c.is_ascii_digit()))
        || !w.chars().any(|c| c.is_alphabetic())
}

/// True when every word of a concept key is a number, an ordinal, a document part or a single
/// letter ("two", "Table 3", "Fig"): never a concept, even where every noun phrase counts.
pub fn is_trivial_key(key: &str) -> bool {
    key.split(' ').all(is_trivial)
}

/// True when a lower-cased word breaks a noun-phrase chunk.
pub fn is_break(lower: &str) -> bool {
    break_set().contains(lower)
}

/// True when a lower-cased word is a generic head ("method", "model").
pub fn is_generic(lower: &str) -> bool {
    generic_set().contains(lower)
}

/// True when a lower-cased word is general English, not a term on its own.
pub fn is_common(lower: &str) -> bool {
    common_set().contains(lower) || is_break(lower) || is_generic(lower)
}

/// Determiners and possessives: a word right before one of them is likely a verb.
pub fn is_determiner(lower: &str) -> bool {
    matches!(
        lower,
        "the" | "a" | "an" | "this" | "these" | "those" | "our" | "its" | "their" | "each" | "every" | "both"
    )
}

/// Auxiliaries: an `-ed` word right after one is a verb (`is trained`).
pub fn is_auxiliary(lower: &str) -> bool {
    matches!(
        lower,
        "is" | "are"
            | "was"
            | "were"
            | "be"
            | "been"
            | "being"
            | "has"
            | "have"
            | "had"
            | "can"
            | "could"
            | "may"
            | "might"
            | "will"
            | "would"
            | "should"
            | "must"
            | "not"
            | "also"
            | "then"
            | "we"
            | "they"
            | "it"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_concepts() {
        for w in [
            "two",
            "one",
            "third",
            "table",
            "figure",
            "fig",
            "dataset",
            "data",
            "result",
            "males",
            "male",
            "patient",
            "predicting",
            "annotated",
            "clinical",
            "functional",
            "positive",
            "search",
            "deal",
            "x",
            "42",
            "vitro",
        ] {
            assert!(is_non_concept(w), "{w}");
        }
        for w in [
            "parsing",
            "clustering",
            "bert",
            "lstm",
            "asthma",
            "influenza",
            "treebank",
            "string",
            "polynomial",
            "archive",
            "twitter",
            "embedding",
        ] {
            assert!(!is_non_concept(w), "{w}");
        }
        assert!(is_non_concept_key("table 3"));
        assert!(is_non_concept_key("two model"));
        assert!(!is_non_concept_key("penn treebank dataset"));
        assert!(!is_non_concept_key("two stage parser"));
        assert!(is_trivial_key("fig 2"));
        assert!(!is_trivial_key("method"));
        assert!(is_listed_non_concept("method") && !is_listed_non_concept("predicting"));
    }
}
