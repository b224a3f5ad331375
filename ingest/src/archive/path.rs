//! Entry paths inside an archive: refusal of paths that escape it (absolute, `..`, a drive, a NUL
//! byte), and the housekeeping entries (`__MACOSX/`, dot files, `Thumbs.db`) that are skipped.

/// Why an entry's path is refused, or `Ok` with the path normalised (`/` separators, no `.`
/// components).
pub fn safe_entry_path(raw: &str) -> Result<String, &'static str> {
    if raw.contains('\0') {
        return Err("its path contains a NUL byte");
    }
    let path = raw.replace('\\', "/");
    if path.starts_with('/') {
        return Err("its path is absolute");
    }
    let first = path.split('/').next().unwrap_or_default();
    let b = first.as_bytes();
    if b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':' {
        return Err("its path names a drive");
    }
    let mut parts = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => return Err("its path has a `..` component that escapes the archive"),
            _ => parts.push(part),
        }
    }
    if parts.is_empty() {
        return Err("its path is empty");
    }
    Ok(parts.join("/"))
}

/// Whether a (safe, normalised) entry path is housekeeping rather than content.
pub(super) fn is_housekeeping(path: &str) -> bool {
    path.split('/').any(|part| part.starts_with('.') || part == "__MACOSX")
        || matches!(
            path.rsplit('/').next().map(str::to_ascii_lowercase).as_deref(),
            Some("thumbs.db" | "desktop.ini")
        )
}
