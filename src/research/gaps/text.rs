//! Sentences of a canonical text by character offsets: where a sentence ends (abbreviations
//! aside), the sentence around a span, and the sentences of a range, for quoting evidence.

/// Longest quote of one evidence item, in characters (a sentence, or two joined).
pub(super) const MAX_QUOTE_CHARS: usize = 600;

pub(super) struct Text {
    pub(super) text: String,
    pub(super) chars: Vec<char>,
    /// Byte offset of each character, plus the text's length.
    bytes: Vec<usize>,
}

impl Text {
    pub(super) fn new(text: String) -> Text {
        let chars: Vec<char> = text.chars().collect();
        let bytes = text
            .char_indices()
            .map(|(b, _)| b)
            .chain(std::iter::once(text.len()))
            .collect();
        Text { text, chars, bytes }
    }

    pub(super) fn slice(&self, s: usize, e: usize) -> Option<&str> {
        (s <= e && e < self.bytes.len()).then(|| &self.text[self.bytes[s]..self.bytes[e]])
    }

    /// Whether a sentence ends right after character `i`.
    fn ends_sentence(&self, i: usize) -> bool {
        let c = self.chars[i];
        if c == '\n' {
            return true;
        }
        if !matches!(c, '.' | '?' | '!') {
            return false;
        }
        if i + 1 < self.chars.len() && !self.chars[i + 1].is_whitespace() {
            return false;
        }
        if c == '.' {
            // "e.g.", "et al.", "Fig.", single initials: not an end.
            let mut w = i;
            while w > 0 && i - w < 7 && (self.chars[w - 1].is_alphabetic() || self.chars[w - 1] == '.') {
                w -= 1;
            }
            let word: String = self.chars[w..i].iter().collect::<String>().to_lowercase();
            const ABBREV: [&str; 12] = [
                "e.g", "i.e", "al", "etc", "vs", "fig", "cf", "approx", "eq", "no", "dr", "ref",
            ];
            if ABBREV.contains(&word.as_str()) || (word.chars().count() == 1 && self.chars[i - 1].is_uppercase()) {
                return false;
            }
        }
        true
    }

    /// The sentence holding characters `s..e`, at most [`MAX_QUOTE_CHARS`] / 2 either side,
    /// trimmed of surrounding white space.
    pub(super) fn sentence_around(&self, s: usize, e: usize) -> (usize, usize) {
        let n = self.chars.len();
        let (s, e) = (s.min(n), e.min(n));
        let window = MAX_QUOTE_CHARS / 2;
        let mut a = s;
        while a > 0 && s - a < window && !self.ends_sentence(a - 1) {
            a -= 1;
        }
        let mut b = e;
        while b < n && b - e < window {
            if self.ends_sentence(b) {
                if self.chars[b] != '\n' {
                    b += 1;
                }
                break;
            }
            b += 1;
        }
        while a < s && self.chars[a].is_whitespace() {
            a += 1;
        }
        while b > e && self.chars[b - 1].is_whitespace() {
            b -= 1;
        }
        (a, b)
    }

    /// The sentences of characters `s..e`, trimmed, empty ones skipped.
    pub(super) fn sentences(&self, s: usize, e: usize) -> Vec<(usize, usize)> {
        let e = e.min(self.chars.len());
        let mut out = Vec::new();
        let mut a = s;
        let mut i = s;
        while i < e {
            if self.ends_sentence(i) || i + 1 == e {
                let mut b = i + 1;
                let mut x = a;
                while x < b && self.chars[x].is_whitespace() {
                    x += 1;
                }
                while b > x && self.chars[b - 1].is_whitespace() {
                    b -= 1;
                }
                if b > x {
                    out.push((x, b));
                }
                a = i + 1;
            }
            i += 1;
        }
        out
    }
}
