//! Decompression bounds ([`Limits`]) against bombs and runaway archives, and the short human
//! sizes (`2 GiB`) that limit messages are written in.

/// Bounds on decompression, against decompression bombs and runaway archives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest decompressed size of one entry, in bytes (default 2 GiB).
    pub max_entry_bytes: u64,
    /// Largest decompressed size of all entries of one source together, in bytes, counting the
    /// bytes of refused entries that had to be decompressed to be skipped (default 32 GiB).
    pub max_total_bytes: u64,
    /// Largest accepted ratio of decompressed to compressed bytes (default 200) …
    pub max_ratio: u64,
    /// … for entries past this decompressed size in bytes (default 1 MiB); smaller entries may
    /// compress as well as they like.
    pub ratio_floor_bytes: u64,
}

/// One GiB.
const GIB: u64 = 1 << 30;
/// One MiB.
pub(super) const MIB: u64 = 1 << 20;

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_entry_bytes: 2 * GIB,
            max_total_bytes: 32 * GIB,
            max_ratio: 200,
            ratio_floor_bytes: MIB,
        }
    }
}

/// `bytes` as a short human size: `2 GiB`, `64 MiB`, `512 bytes`.
pub fn human_bytes(bytes: u64) -> String {
    for (unit, size) in [("GiB", GIB), ("MiB", MIB), ("KiB", 1 << 10)] {
        if bytes >= size && bytes.is_multiple_of(size) {
            return format!("{} {unit}", bytes / size);
        }
        if bytes >= size {
            return format!("{:.1} {unit}", bytes as f64 / size as f64);
        }
    }
    format!("{bytes} bytes")
}
