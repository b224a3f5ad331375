//! The configuration file: one place for the settings of every command, read before the
//! command line. Precedence is file < environment < flags: a file value becomes the default of
//! the matching `HYPATIA_*` variable, which clap reads when the flag is absent.
//!
//! ```toml
//! data_dir = "/srv/hypatia"
//! embed_threads = 2
//! [serve]
//! bind = "0.0.0.0:7878"
//! tokens = "/etc/hypatia/tokens"
//! query_timeout = 10
//! cors_origins = ["https://app.example.org"]
//! ```
//!
//! Unknown keys are refused with the file and the key.

use std::collections::BTreeMap;
use std::path::Path;

use crate::common::error::{Error, Result};

/// Keys of the top level and of `[serve]`, with the variable each sets.
const GLOBAL: [(&str, &str); 5] = [
    ("data_dir", "HYPATIA_DATA_DIR"),
    ("base_iri", "HYPATIA_BASE_IRI"),
    ("model_dir", "HYPATIA_MODEL_DIR"),
    ("ort_library", "ORT_DYLIB_PATH"),
    ("embed_threads", "HYPATIA_EMBED_THREADS"),
];
const SERVE: [(&str, &str); 10] = [
    ("bind", "HYPATIA_BIND"),
    ("backup_dir", "HYPATIA_BACKUP_DIR"),
    ("writes", "HYPATIA_WRITES"),
    ("tokens", "HYPATIA_TOKENS_FILE"),
    ("no_anonymous_read", "HYPATIA_NO_ANONYMOUS_READ"),
    ("query_timeout", "HYPATIA_QUERY_TIMEOUT"),
    ("max_rows", "HYPATIA_MAX_ROWS"),
    ("cors_origins", "HYPATIA_CORS_ORIGINS"),
    ("allowed_hosts", "HYPATIA_ALLOWED_HOSTS"),
    ("log", "HYPATIA_LOG"),
];

/// The settings of a configuration file as (variable, value) pairs, in file order of keys.
pub fn settings(text: &str, source: &Path) -> Result<Vec<(&'static str, String)>> {
    let bad = |m: String| Error::invalid("config", format!("{}: {m}", source.display()));
    let table: toml::Table = text.parse().map_err(|e: toml::de::Error| bad(e.to_string()))?;
    let mut out = Vec::new();
    let mut take = |keys: &[(&'static str, &'static str)], t: &toml::Table, section: &str| -> Result<()> {
        for (k, v) in t {
            if section.is_empty() && k == "serve" {
                continue;
            }
            let Some((_, var)) = keys.iter().find(|(name, _)| name == k) else {
                let known: Vec<&str> = keys.iter().map(|(n, _)| *n).collect();
                return Err(bad(format!("unknown key `{section}{k}` (known: {})", known.join(", "))));
            };
            let value = match v {
                toml::Value::String(s) => s.clone(),
                toml::Value::Integer(i) => i.to_string(),
                toml::Value::Float(f) => f.to_string(),
                toml::Value::Boolean(b) => b.to_string(),
                toml::Value::Array(a) => a
                    .iter()
                    .map(|x| {
                        x.as_str()
                            .map(str::to_string)
                            .ok_or_else(|| bad(format!("`{section}{k}`: a list of strings")))
                    })
                    .collect::<Result<Vec<_>>>()?
                    .join(","),
                _ => {
                    return Err(bad(format!(
                        "`{section}{k}`: a string, number, boolean or list of strings"
                    )))
                }
            };
            out.push((*var, value));
        }
        Ok(())
    };
    take(&GLOBAL, &table, "")?;
    match table.get("serve") {
        Some(toml::Value::Table(t)) => take(&SERVE, t, "serve.")?,
        Some(_) => return Err(bad("`serve` must be a table ([serve])".into())),
        None => {}
    }
    Ok(out)
}

/// Applies a configuration file: each setting becomes its variable unless the environment
/// already sets it. Returns what was applied, for the start-up line.
pub fn apply(path: &Path) -> Result<BTreeMap<&'static str, String>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let mut applied = BTreeMap::new();
    for (var, value) in settings(&text, path)? {
        if std::env::var_os(var).is_none() {
            // Called at start-up, before any other thread exists.
            std::env::set_var(var, &value);
            applied.insert(var, value);
        }
    }
    Ok(applied)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_map_to_variables_and_unknown_keys_are_refused() {
        let p = Path::new("hypatia.toml");
        let s = settings(
            "data_dir = \"/srv/h\"\nembed_threads = 2\n[serve]\nquery_timeout = 2.5\nwrites = true\ncors_origins = [\"https://a.org\", \"https://b.org\"]\n",
            p,
        )
        .unwrap();
        assert_eq!(
            s,
            [
                ("HYPATIA_DATA_DIR", "/srv/h".to_string()),
                ("HYPATIA_EMBED_THREADS", "2".to_string()),
                ("HYPATIA_CORS_ORIGINS", "https://a.org,https://b.org".to_string()),
                ("HYPATIA_QUERY_TIMEOUT", "2.5".to_string()),
                ("HYPATIA_WRITES", "true".to_string()),
            ]
        );
        let e = settings("data_dri = \"x\"\n", p).unwrap_err().to_string();
        assert!(
            e.contains("hypatia.toml") && e.contains("unknown key `data_dri`"),
            "{e}"
        );
        let e = settings("[serve]\nbnid = \"x\"\n", p).unwrap_err().to_string();
        assert!(e.contains("`serve.bnid`"), "{e}");
        assert!(settings("data_dir = [1]\n", p).is_err());
        assert!(settings("serve = 3\n", p).is_err());
    }
}
