//! What kind of container a source is ([`Container`]): gzip, zip and tar magic bytes first, the
//! file name second (old tars without the `ustar` magic, `.tar.gz` names).

use std::fmt;

/// The kind of container a source is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Container {
    /// Not a container: the source is its own single entry.
    Plain,
    /// A gzip stream (one member or several) holding one file.
    Gzip,
    /// A zip archive.
    Zip,
    /// An uncompressed tar archive.
    Tar,
    /// A gzip-compressed tar archive (`.tar.gz`, `.tgz`).
    TarGzip,
}

impl fmt::Display for Container {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Container::Plain => "plain",
            Container::Gzip => "gzip",
            Container::Zip => "zip",
            Container::Tar => "tar",
            Container::TarGzip => "tar.gz",
        })
    }
}

/// Whether `head` (the first bytes, at least 263 of them for tar) starts a gzip stream.
pub(super) fn is_gzip(head: &[u8]) -> bool {
    head.starts_with(&[0x1f, 0x8b])
}

/// Whether `head` starts a zip archive (a local file header, or the end record of an empty one).
pub(super) fn is_zip(head: &[u8]) -> bool {
    head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06")
}

/// Whether `head` is a tar header: the `ustar` magic at byte 257, or (`by_name`, for old tars
/// without the magic) a header block whose checksum holds.
pub(super) fn is_tar(head: &[u8], by_name: bool) -> bool {
    if head.get(257..262) == Some(b"ustar".as_slice()) {
        return true;
    }
    by_name && head.len() >= 512 && tar_checksum_ok(&head[..512])
}

/// Whether the 512-byte tar header `block` (not all zeros) carries its own checksum.
fn tar_checksum_ok(block: &[u8]) -> bool {
    if block.iter().all(|&b| b == 0) {
        return false;
    }
    let header = tar::Header::from_byte_slice(block);
    let sum: u32 = block
        .iter()
        .enumerate()
        .map(|(i, &b)| if (148..156).contains(&i) { 32 } else { u32::from(b) })
        .sum();
    header.cksum().is_ok_and(|c| c == sum)
}

/// The file name of `name` (after the last `/` or `\`), lower-cased.
pub(super) fn lower_file_name(name: &str) -> String {
    name.rsplit(['/', '\\']).next().unwrap_or(name).to_ascii_lowercase()
}

/// What the first bytes of a source (and, second, its name) say it is. For a gzip stream,
/// `head` is the compressed head, so this says [`Container::Gzip`] unless the name ends with
/// `.tar.gz` or `.tgz`; [`entries`](super::entries) looks inside the stream to settle it.
pub fn container(name: &str, head: &[u8]) -> Container {
    let file = lower_file_name(name);
    if is_gzip(head) {
        if file.ends_with(".tar.gz") || file.ends_with(".tgz") {
            Container::TarGzip
        } else {
            Container::Gzip
        }
    } else if is_zip(head) {
        Container::Zip
    } else if is_tar(head, file.ends_with(".tar")) {
        Container::Tar
    } else {
        Container::Plain
    }
}
