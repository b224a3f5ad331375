//! LaTeX text (as found in BibTeX fields) to plain Unicode text.
//!
//! Accents (`\"o`, `\'{e}`, `{\c c}`, `\v{s}`, `\H{o}`, `\k{a}`, `{\'\i}`, …) become precomposed
//! letters (or the base letter followed by a combining mark when Unicode has no precomposed
//! form); special letters (`\ss`, `\o`, `\aa`, `\ae`, `\oe`, `\l`, `\i`, …), escaped specials
//! (`\&`, `\%`, `\_`, …), dashes (`--`, `---`), TeX quotes and `~` become their characters; other
//! commands are dropped but their braced arguments kept (`\emph{x}` → `x`), braces are removed,
//! math keeps its text without the `$`, and whitespace is normalised.

use crate::model::normalize_ws;

/// Precomposed letters: (combining mark, base letters, composed letters), position for position.
const COMPOSE: &[(char, &str, &str)] = &[
    ('\u{308}', "AEHIOUWXYaehiotuwxy", "ÄËḦÏÖÜẄẌŸäëḧïöẗüẅẍÿ"),
    (
        '\u{301}',
        "ACEGIKLMNOPRSUWYZacegiklmnoprsuwyz",
        "ÁĆÉǴÍḰĹḾŃÓṔŔŚÚẂÝŹáćéǵíḱĺḿńóṕŕśúẃýź",
    ),
    ('\u{300}', "AEINOUWYaeinouwy", "ÀÈÌǸÒÙẀỲàèìǹòùẁỳ"),
    ('\u{302}', "ACEGHIJOSUWYZaceghijosuwyz", "ÂĈÊĜĤÎĴÔŜÛŴŶẐâĉêĝĥîĵôŝûŵŷẑ"),
    ('\u{303}', "AEINOUVYaeinouvy", "ÃẼĨÑÕŨṼỸãẽĩñõũṽỹ"),
    ('\u{304}', "AEGIOUYaegiouy", "ĀĒḠĪŌŪȲāēḡīōūȳ"),
    (
        '\u{307}',
        "ABCDEFGHIMNOPRSTWXYZabcdefghmnoprstwxyz",
        "ȦḂĊḊĖḞĠḢİṀṄȮṖṘṠṪẆẊẎŻȧḃċḋėḟġḣṁṅȯṗṙṡṫẇẋẏż",
    ),
    ('\u{327}', "CDEGHKLNRSTcdeghklnrst", "ÇḐȨĢḨĶĻŅŖŞŢçḑȩģḩķļņŗşţ"),
    (
        '\u{30c}',
        "ACDEGHIKLNORSTUZacdeghijklnorstuz",
        "ǍČĎĚǦȞǏǨĽŇǑŘŠŤǓŽǎčďěǧȟǐǰǩľňǒřšťǔž",
    ),
    ('\u{306}', "AEGIOUaegiou", "ĂĔĞĬŎŬăĕğĭŏŭ"),
    ('\u{30b}', "OUou", "ŐŰőű"),
    ('\u{30a}', "AUauwy", "ÅŮåůẘẙ"),
    ('\u{328}', "AEIOUaeiou", "ĄĘĮǪŲąęįǫų"),
    (
        '\u{323}',
        "ABDEHIKLMNORSTUVWYZabdehiklmnorstuvwyz",
        "ẠḄḌẸḤỊḲḶṂṆỌṚṢṬỤṾẈỴẒạḅḍẹḥịḳḷṃṇọṛṣṭụṿẉỵẓ",
    ),
    ('\u{331}', "BDKLNRTZbdhklnrtz", "ḆḎḴḺṈṞṮẔḇḏẖḵḻṉṟṯẕ"),
];

/// The combining mark of a LaTeX accent command (`"`, `'`, `c`, `v`, …).
fn accent_mark(cmd: &str) -> Option<char> {
    Some(match cmd {
        "\"" => '\u{308}',
        "'" => '\u{301}',
        "`" => '\u{300}',
        "^" => '\u{302}',
        "~" => '\u{303}',
        "=" => '\u{304}',
        "." => '\u{307}',
        "c" => '\u{327}',
        "v" => '\u{30c}',
        "u" => '\u{306}',
        "H" => '\u{30b}',
        "r" => '\u{30a}',
        "k" => '\u{328}',
        "d" => '\u{323}',
        "b" => '\u{331}',
        _ => return None,
    })
}

/// `base` with the accent `mark`: precomposed when possible.
fn compose(base: char, mark: char) -> String {
    // Accents over a dotless i or j sit on the plain letter.
    let base = match base {
        'ı' => 'i',
        'ȷ' => 'j',
        b => b,
    };
    for (m, bases, composed) in COMPOSE {
        if *m == mark {
            if let Some(i) = bases.chars().position(|b| b == base) {
                if let Some(c) = composed.chars().nth(i) {
                    return c.to_string();
                }
            }
        }
    }
    format!("{base}{mark}")
}

/// The text of a letter-named command without argument, e.g. `\ss` → `ß`.
fn symbol(cmd: &str) -> Option<&'static str> {
    Some(match cmd {
        "ss" => "ß",
        "SS" => "SS",
        "o" => "ø",
        "O" => "Ø",
        "aa" => "å",
        "AA" => "Å",
        "ae" => "æ",
        "AE" => "Æ",
        "oe" => "œ",
        "OE" => "Œ",
        "l" => "ł",
        "L" => "Ł",
        "i" => "ı",
        "j" => "ȷ",
        "dh" => "ð",
        "DH" => "Ð",
        "th" => "þ",
        "TH" => "Þ",
        "ng" => "ŋ",
        "NG" => "Ŋ",
        "dj" => "đ",
        "DJ" => "Đ",
        "textendash" => "–",
        "hyphen" | "texthyphen" => "-",
        "textemdash" => "—",
        "ldots" | "dots" | "textellipsis" => "…",
        "textquoteleft" => "‘",
        "textquoteright" => "’",
        "textquotedblleft" => "“",
        "textquotedblright" => "”",
        "guillemotleft" | "guillemetleft" => "«",
        "guillemotright" | "guillemetright" => "»",
        "textregistered" => "®",
        "texttrademark" => "™",
        "copyright" | "textcopyright" => "©",
        "S" | "textsection" => "§",
        "P" | "textparagraph" => "¶",
        "pounds" | "textsterling" => "£",
        "euro" | "texteuro" => "€",
        "textdegree" | "degree" => "°",
        "LaTeX" => "LaTeX",
        "TeX" => "TeX",
        "BibTeX" => "BibTeX",
        "backslash" | "textbackslash" => "\\",
        "textasciitilde" => "~",
        "textunderscore" => "_",
        "alpha" => "α",
        "beta" => "β",
        "gamma" => "γ",
        "delta" => "δ",
        "epsilon" | "varepsilon" => "ε",
        "zeta" => "ζ",
        "eta" => "η",
        "theta" => "θ",
        "kappa" => "κ",
        "lambda" => "λ",
        "mu" => "μ",
        "nu" => "ν",
        "xi" => "ξ",
        "pi" => "π",
        "rho" => "ρ",
        "sigma" => "σ",
        "tau" => "τ",
        "phi" | "varphi" => "φ",
        "chi" => "χ",
        "psi" => "ψ",
        "omega" => "ω",
        "Gamma" => "Γ",
        "Delta" => "Δ",
        "Theta" => "Θ",
        "Lambda" => "Λ",
        "Pi" => "Π",
        "Sigma" => "Σ",
        "Phi" => "Φ",
        "Psi" => "Ψ",
        "Omega" => "Ω",
        "times" => "×",
        "pm" => "±",
        "leq" | "le" => "≤",
        "geq" | "ge" => "≥",
        "infty" => "∞",
        "to" | "rightarrow" => "→",
        // Spacing commands.
        "quad" | "qquad" | "space" | "newline" | "par" => " ",
        _ => return None,
    })
}

/// Converts LaTeX text to plain Unicode text, whitespace-normalised.
pub fn to_text(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' => i = command(&chars, i, &mut out),
            '{' | '}' | '$' => i += 1,
            '~' => {
                out.push(' ');
                i += 1;
            }
            '-' if chars.get(i + 1) == Some(&'-') => {
                if chars.get(i + 2) == Some(&'-') {
                    out.push('—');
                    i += 3;
                } else {
                    out.push('–');
                    i += 2;
                }
            }
            '`' if chars.get(i + 1) == Some(&'`') => {
                out.push('“');
                i += 2;
            }
            '\'' if chars.get(i + 1) == Some(&'\'') => {
                out.push('”');
                i += 2;
            }
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
    normalize_ws(&out)
}

/// Handles the command starting at `chars[start]` (a backslash); returns the index after it.
fn command(chars: &[char], start: usize, out: &mut String) -> usize {
    let mut i = start + 1;
    let Some(&first) = chars.get(i) else {
        return i;
    };
    let name: String = if first.is_ascii_alphabetic() {
        let n: String = chars[i..].iter().take_while(|c| c.is_ascii_alphabetic()).collect();
        i += n.chars().count();
        n
    } else {
        i += 1;
        first.to_string()
    };
    let letter_named = first.is_ascii_alphabetic();
    if let Some(mark) = accent_mark(&name) {
        // A one-character command (`\"`) takes its argument right away; a letter-named one
        // (`\c`) after optional spaces.
        if letter_named {
            while chars.get(i).is_some_and(|c| *c == ' ') {
                i += 1;
            }
        }
        let (base, next) = accent_argument(chars, i);
        if let Some(base) = base {
            out.push_str(&compose(base, mark));
            return next;
        }
        if !letter_named {
            // `\'` with nothing to accent: keep the character.
            out.push_str(&name);
        }
        return i;
    }
    if !letter_named {
        match first {
            '&' | '%' | '$' | '#' | '_' | '{' | '}' => out.push(first),
            '\\' | ' ' | ',' | ';' | ':' | '!' => out.push(' '),
            '-' | '/' => {}
            _ => out.push(first),
        }
        return i;
    }
    if let Some(text) = symbol(&name) {
        out.push_str(text);
        // A control word eats the spaces after it (`\ss x` is `ßx`); `{}` after it is dropped.
        while chars.get(i).is_some_and(|c| *c == ' ') {
            i += 1;
        }
        if chars.get(i) == Some(&'{') && chars.get(i + 1) == Some(&'}') {
            i += 2;
        }
        return i;
    }
    // Any other command is dropped; its arguments stay as text (their braces go).
    while chars.get(i).is_some_and(|c| *c == ' ') {
        i += 1;
    }
    if name == "url" || name == "href" {
        return i;
    }
    i
}

/// The base letter of an accent: `o`, `{o}`, `{\i}`, `\i`, `{}` → none.
fn accent_argument(chars: &[char], i: usize) -> (Option<char>, usize) {
    match chars.get(i) {
        Some('{') => {
            let mut j = i + 1;
            while chars.get(j) == Some(&' ') {
                j += 1;
            }
            let (base, after) = match chars.get(j) {
                Some('\\') => dotless(chars, j),
                Some('}') | None => (None, j),
                Some(&c) => (Some(c), j + 1),
            };
            let mut k = after;
            while chars.get(k) == Some(&' ') {
                k += 1;
            }
            if chars.get(k) == Some(&'}') {
                (base, k + 1)
            } else {
                // More than one character in the braces: accent the first, keep the rest.
                (base, after.max(i + 1))
            }
        }
        Some('\\') => dotless(chars, i),
        Some(&c) if !c.is_whitespace() && c != '}' => (Some(c), i + 1),
        _ => (None, i),
    }
}

/// `\i` or `\j` at `chars[i]` as the dotless letter.
fn dotless(chars: &[char], i: usize) -> (Option<char>, usize) {
    let letter = chars.get(i + 1).copied();
    let follows_letter = chars.get(i + 2).is_some_and(|c| c.is_ascii_alphabetic());
    match letter {
        Some('i') if !follows_letter => (Some('ı'), i + 2),
        Some('j') if !follows_letter => (Some('ȷ'), i + 2),
        _ => (None, i),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accents() {
        let cases = [
            (r#"{\"O}zge Aks{\i}n"#, "Özge Aksın"),
            (r#"T{\"u}rkmen and {\c{C}}etinkaya"#, "Türkmen and Çetinkaya"),
            (r"Eccl{\'e}siastique", "Ecclésiastique"),
            (
                r"\`a \^o \~n \=a \.z \H{o} \r{a} \k{a} \v{s} \u{g}",
                "à ô ñ ā ż ő å ą š ğ",
            ),
            (r"\c c \v c", "ç č"),
            (r"{\'\i}ndice \'{\i}", "índice í"),
            (
                r#"Stra{\ss}e {\o}re {\aa}r {\ae}sir {\l}{\'o}d{\'z} \AA ngstr\"om"#,
                "Straße øre år æsir łódź Ångström",
            ),
            (r"\'{}x", "'x"),
        ];
        for (input, expected) in cases {
            assert_eq!(to_text(input), expected, "{input}");
        }
    }

    #[test]
    fn markup_and_specials() {
        assert_eq!(
            to_text(r"\emph{Higher}-Dimensional {V}: 2--3 --- \textbf{x}\& y~z \$5 50\%"),
            "Higher-Dimensional V: 2–3 — x& y z $5 50%"
        );
        assert_eq!(
            to_text(r"``quoted'' $\alpha$-helix \LaTeX{} rocks"),
            "“quoted” α-helix LaTeX rocks"
        );
        assert_eq!(to_text(r"trailing \ "), "trailing");
        assert_eq!(to_text("\\"), "");
        assert_eq!(to_text(r#"\""#), "\"");
        assert_eq!(to_text(r"\c"), "");
    }
}
