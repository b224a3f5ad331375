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
