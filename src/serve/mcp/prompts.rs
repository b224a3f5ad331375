//! The prompts: the common research moves (gaps on a topic, a novelty check, the evidence for a
//! claim) as instructions that name the tools to call, with which arguments, and how to cite.
//!
//! Prompt arguments are strings (MCP's `prompts/get`); a missing required one, an unknown one or
//! a value the named tool would refuse is an invalid-params error naming the argument, so that a
//! client learns of it before the model runs the steps.

use rmcp::model::{GetPromptResult, JsonObject, Prompt, PromptArgument, PromptMessage, Role};
use rmcp::ErrorData as McpError;
use serde_json::Value;

use crate::research::gaps::GapKind;

/// One prompt's arguments: name, description, required.
type Arguments = &'static [(&'static str, &'static str, bool)];

/// The prompts: name, title, description, arguments.
const PROMPTS: [(&str, &str, &str, Arguments); 3] = [
    (
        "find_gaps",
        "Find research gaps on a topic",
        "Find what the stored literature has not done on a topic (missing links, untested combinations, open \
         questions, contested claims), check the strongest gaps for novelty, and report them with verbatim, \
         located evidence.",
        &[
            (
                "topic",
                "The topic: a concept's label as papers name it (e.g. \"BERT\", \"machine translation\")",
                true,
            ),
            (
                "kind",
                "Only this kind: missing_link, untested_combination, open_question or contested_claim",
                false,
            ),
            ("as_of", "Only papers up to this year count (e.g. 2019)", false),
        ],
    ),
    (
        "check_novelty",
        "Check an idea for novelty",
        "Before spending compute on an idea: what papers, past hypotheses and experiment runs in the store already \
         cover it, with a verdict and located quotes.",
        &[("idea", "The idea, in a sentence or a paragraph", true)],
    ),
    (
        "summarise_evidence",
        "Summarise the evidence for a claim",
        "The evidence in the stored papers for and against a claim (or the answers to a question), as verbatim \
         quotes with their offsets, grouped by stance, each with its paper's reference.",
        &[("claim", "The claim or question", true)],
    ),
];

/// How every prompt asks the model to cite: the rule that keeps quotes checkable.
const CITING: &str = "Cite every piece of evidence as a verbatim quote in quotation marks followed by its paper key \
    and character offsets, like \"...\" [paper 1a2b3c4d5e6f7a8b, 1043-1187], exactly as a tool returned it: a quote \
    is checked verbatim against its offsets, so never reword, shorten or join quotes (give a quote whole or leave it \
    out), and never cite text no tool returned. Name each cited paper once by title and year (get_paper with \
    {\"id\": KEY} gives its full reference). Say so when a result reports `dropped` items (trimmed to max_tokens).";

/// `prompts/list`.
pub(super) fn list() -> Vec<Prompt> {
    PROMPTS
        .iter()
        .map(|(name, title, description, args)| {
            let arguments = args
                .iter()
                .map(|(n, d, required)| PromptArgument::new(*n).with_description(*d).with_required(*required))
                .collect();
            Prompt::new(*name, Some(*description), Some(arguments)).with_title(*title)
        })
        .collect()
}

/// `prompts/get`: the prompt's messages for these arguments.
pub(super) fn get(name: &str, arguments: Option<&JsonObject>) -> Result<GetPromptResult, McpError> {
    let Some((_, title, _, spec)) = PROMPTS.iter().find(|p| p.0 == name) else {
        return Err(McpError::invalid_params(
            format!("no prompt `{name}`; the prompts are find_gaps, check_novelty and summarise_evidence"),
            None,
        ));
    };
    let args = Args::read(name, spec, arguments)?;
    let text = match name {
        "find_gaps" => find_gaps(&args)?,
        "check_novelty" => check_novelty(args.required("idea")),
        _ => summarise_evidence(args.required("claim")),
    };
    Ok(GetPromptResult::new(vec![PromptMessage::new_text(Role::User, text)]).with_description(*title))
}

/// Values for `completion/complete` of a prompt's argument: the kinds of gaps for `kind`,
/// nothing for free text. `None` when the prompt or argument does not exist.
pub(super) fn complete(prompt: &str, argument: &str, prefix: &str) -> Option<Vec<String>> {
    let (_, _, _, spec) = PROMPTS.iter().find(|p| p.0 == prompt)?;
    spec.iter().find(|a| a.0 == argument)?;
    Some(match (prompt, argument) {
        ("find_gaps", "kind") => GapKind::ALL
            .iter()
            .map(|k| k.as_str().to_string())
            .filter(|k| k.starts_with(prefix))
            .collect(),
        _ => Vec::new(),
    })
}

/// A prompt's arguments, checked against its list.
struct Args(Vec<(&'static str, String)>);

impl Args {
    fn read(prompt: &str, spec: Arguments, given: Option<&JsonObject>) -> Result<Args, McpError> {
        let empty = JsonObject::new();
        let given = given.unwrap_or(&empty);
        if let Some(unknown) = given.keys().find(|k| !spec.iter().any(|a| a.0 == k.as_str())) {
            let known: Vec<&str> = spec.iter().map(|a| a.0).collect();
            return Err(McpError::invalid_params(
                format!(
                    "prompt {prompt} has no argument `{unknown}` (it takes {})",
                    known.join(", ")
                ),
                None,
            ));
        }
        let mut out = Vec::new();
        for &(name, _, required) in spec {
            let value = match given.get(name) {
                None | Some(Value::Null) => None,
                Some(Value::String(s)) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
                // Clients that send a year as a number mean the same.
                Some(Value::Number(n)) => Some(n.to_string()),
                Some(other) => {
                    return Err(McpError::invalid_params(
                        format!("argument `{name}` of prompt {prompt} must be a string, not {other}"),
                        None,
                    ))
                }
            };
            match value {
                Some(v) => out.push((name, v)),
                None if required => {
                    return Err(McpError::invalid_params(
                        format!("missing required argument `{name}` of prompt {prompt}"),
                        None,
                    ))
                }
                None => {}
            }
        }
        Ok(Args(out))
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|a| a.0 == name).map(|a| a.1.as_str())
    }

    /// A required argument (present: [`Args::read`] checked it).
    fn required(&self, name: &str) -> &str {
        self.get(name).unwrap_or_default()
    }
}

/// A string as a JSON string literal, for tool arguments written into the instructions.
fn lit(s: &str) -> String {
    Value::String(s.to_string()).to_string()
}

fn find_gaps(args: &Args) -> Result<String, McpError> {
    let topic = args.required("topic");
    let mut call = format!("\"concept\": {}", lit(topic));
    if let Some(kind) = args.get("kind") {
        let kind: GapKind = kind
            .parse()
            .map_err(|e: crate::Error| McpError::invalid_params(e.to_string(), None))?;
        call.push_str(&format!(", \"kind\": \"{}\"", kind.as_str()));
    }
    let mut horizon = String::new();
    if let Some(year) = args.get("as_of") {
        let year: i32 = year
            .parse()
            .map_err(|_| McpError::invalid_params(format!("invalid `as_of`: `{year}` is not a year"), None))?;
        call.push_str(&format!(", \"as_of\": {year}"));
        horizon = format!(" as the literature stood at the end of {year}");
    }
    Ok(format!(
        "Find research gaps on {topic}{horizon} in the Hypatia store, using its tools.\n\n\
         1. Call `gaps` with {{{call}, \"limit\": 5, \"max_tokens\": 3000}}. If it answers `not_found` (no \
         concept has that label), call `search` with {{\"query\": {q}, \"limit\": 10}}, pick the concept names the \
         hits use, and call `gaps` again with the closest one.\n\
         2. Scores compare within a kind only. For the three strongest gaps, call `novelty` with {{\"idea\": \
         \"<the gap as a one-sentence research idea>\", \"k\": 5}}: a novelty below 0.3, or a past hypothesis or \
         run near it, means it is covered already; say so.\n\
         3. Report each remaining gap: its kind, its concepts, why it is a gap (its explanation), its novelty, and \
         its evidence.\n\
         4. Offer to record a gap with `propose_hypothesis` (its concepts and evidence passages); do not record \
         one unasked.\n\n{CITING}",
        q = lit(topic),
    ))
}

fn check_novelty(idea: &str) -> String {
    format!(
        "Check whether this idea is new before any compute is spent on it: {idea}\n\n\
         1. Call `novelty` with {{\"idea\": {i}, \"k\": 5, \"max_tokens\": 3000}}. `novelty` is 1 minus the \
         highest similarity to a stored passage, hypothesis or run (higher is newer); `summary` says what was \
         tried before; each past run has its outcome line (kept / discarded / crashed, metrics).\n\
         2. If the idea is a change to an experiment about to run, call `gate` with {{\"change\": {i}}}: \
         `refuse` means a discarded or crashed run repeated it.\n\
         3. Call `findings` with {{\"question\": {i}, \"papers\": 5, \"format\": \"json\", \"max_tokens\": 3000}} \
         to read what the nearest papers say, with stances (supports / contradicts / related).\n\
         4. Answer with a verdict (new / partly covered / done before), the novelty score, the past hypotheses \
         and runs near it (key, status, outcome), and the closest papers with the quotes that cover the idea. \
         The store holds only the papers ingested into it: say \"no close prior work in this store\", not \"no \
         prior work\", when nothing is near.\n\n{CITING}",
        i = lit(idea),
    )
}

fn summarise_evidence(claim: &str) -> String {
    format!(
        "Summarise the evidence in the Hypatia store for and against: {claim}\n\n\
         1. Call `findings` with {{\"question\": {c}, \"papers\": 8, \"per_paper\": 2, \"format\": \"json\", \
         \"max_tokens\": 4000}}. Each passage has a verbatim `quote` with `start`/`end` character offsets in its \
         paper and a `stance` (supports / contradicts / related); the claims extracted from it have stances too.\n\
         2. If fewer than three papers come back, call `search` with {{\"query\": {c}, \"mode\": \"bm25\", \
         \"limit\": 10}} and then `findings` with a question in the hits' own words.\n\
         3. Write a one-line verdict (supported / contested / contradicted / not enough evidence in this store), \
         then Supporting, Contradicting and Related sections, one quote per point, strongest first. Mark papers \
         flagged `retracted`. End with how many papers and passages the pack covered.\n\n{CITING}",
        c = lit(claim),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_prompt_names_a_missing_or_unknown_argument() {
        let e = get("check_novelty", None).unwrap_err();
        assert!(e.message.contains("`idea`"), "{e:?}");
        let mut a = JsonObject::new();
        a.insert("topic".into(), Value::String("BERT".into()));
        a.insert("year".into(), Value::String("2019".into()));
        let e = get("find_gaps", Some(&a)).unwrap_err();
        assert!(e.message.contains("`year`"), "{e:?}");
        a.remove("year");
        a.insert("kind".into(), Value::String("nonsense".into()));
        let e = get("find_gaps", Some(&a)).unwrap_err();
        assert!(e.message.contains("kind"), "{e:?}");
    }

    #[test]
    fn arguments_reach_the_tool_calls_as_json() {
        let mut a = JsonObject::new();
        a.insert("topic".into(), Value::String("say \"hi\"".into()));
        a.insert("as_of".into(), Value::from(2019));
        a.insert("kind".into(), Value::String("missing-links".into()));
        let text = match &get("find_gaps", Some(&a)).unwrap().messages[0].content {
            rmcp::model::ContentBlock::Text(t) => t.text.clone(),
            other => panic!("{other:?}"),
        };
        assert!(
            text.contains(r#"{"concept": "say \"hi\"", "kind": "missing_link", "as_of": 2019, "limit": 5"#),
            "{text}"
        );
        assert_eq!(
            complete("find_gaps", "kind", "o"),
            Some(vec!["open_question".to_string()])
        );
        assert_eq!(complete("find_gaps", "nope", ""), None);
    }
}
