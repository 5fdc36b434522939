//! The build cache: highlighted code blocks from earlier builds, by content hash, in
//! `.blog-cache/` under the site's root.
//!
//! Highlighting is most of a cold build's work, and between two builds almost every code block
//! is unchanged. A block's key hashes everything its HTML depends on: the highlighter's version,
//! the theme setting, the fence's language, and the code.
//!
//! The cache is a help, never a source of truth, so every way it can be wrong ends in a miss:
//! a file that is missing, truncated, of another format, or whose checksum does not match is
//! ignored whole, and the build highlights afresh. It is written atomically (a temporary file
//! renamed over the old one), only when this build changed what it holds, and it holds exactly
//! the blocks this build used, so it never grows beyond one build's worth of code.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use twox_hash::{XxHash3_64, XxHash3_128};

/// The cache folder, under the site's root.
pub const DIR: &str = ".blog-cache";
const FILE: &str = "highlighted-code.bin";
const MAGIC: &[u8; 16] = b"blog code cache\n";
const FORMAT: u32 = 1;
/// Magic, format, entry count, checksum of the rest.
const HEADER: usize = 16 + 4 + 8 + 8;

type Key = u128;

/// Highlighted blocks: those an earlier build saved, and those this build added. Shared by
/// every rendering thread.
pub struct CodeCache {
    file: PathBuf,
    /// What the key hashes besides the language and the code.
    namespace: String,
    saved: HashMap<Key, usize>,
    saved_html: Vec<String>,
    /// Which saved blocks this build used; the others are dropped when the cache is written.
    used: Vec<AtomicBool>,
    added: Mutex<Vec<(Key, String)>>,
    /// `check` reads the cache but leaves it as it is.
    writable: bool,
}

impl CodeCache {
    /// Reads `.blog-cache/` under `root`; an absent or unreadable cache is an empty one.
    /// `namespace` names everything besides the block that its HTML depends on (the
    /// highlighter's version and the theme).
    pub fn open(root: &Path, namespace: &str) -> CodeCache {
        let file = root.join(DIR).join(FILE);
        let entries = std::fs::read(&file).ok().and_then(|bytes| decode(&bytes)).unwrap_or_default();
        let mut saved = HashMap::with_capacity(entries.len());
        let mut saved_html = Vec::with_capacity(entries.len());
        for (key, html) in entries {
            saved.insert(key, saved_html.len());
            saved_html.push(html);
        }
        let used = (0..saved_html.len()).map(|_| AtomicBool::new(false)).collect();
        CodeCache {
            file,
            namespace: namespace.to_owned(),
            saved,
            saved_html,
            used,
            added: Mutex::new(Vec::new()),
            writable: true,
        }
    }

    /// This cache, never written back: [`CodeCache::save`] does nothing.
    pub fn read_only(self) -> CodeCache {
        CodeCache { writable: false, ..self }
    }

    /// The block's HTML from the cache, or made by `highlight` and kept for the next build.
    pub fn get_or_insert(&self, language: &str, code: &str, highlight: impl FnOnce() -> String) -> String {
        let key = self.key(language, code);
        if let Some(&index) = self.saved.get(&key) {
            self.used[index].store(true, Ordering::Relaxed);
            return self.saved_html[index].clone();
        }
        let html = highlight();
        self.added.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).push((key, html.clone()));
        html
    }

    fn key(&self, language: &str, code: &str) -> Key {
        let mut hasher = XxHash3_128::new();
        // Lengths first, so no two different (namespace, language, code) run together alike.
        for part in [self.namespace.as_str(), language, code] {
            hasher.write(&(part.len() as u64).to_le_bytes());
            hasher.write(part.as_bytes());
        }
        hasher.finish_128()
    }

    /// Writes the blocks this build used, if that is not what the file already holds. A cache
    /// that cannot be written is no reason to fail a build, so this returns nothing.
    pub fn save(self) {
        if !self.writable {
            return;
        }
        let added = self.added.into_inner().unwrap_or_else(|poisoned| poisoned.into_inner());
        let all_used = self.used.iter().all(|used| used.load(Ordering::Relaxed));
        if added.is_empty() && all_used {
            return;
        }
        let mut keep: Vec<(Key, &str)> = self
            .saved
            .iter()
            .filter(|&(_, &index)| self.used[index].load(Ordering::Relaxed))
            .map(|(&key, &index)| (key, self.saved_html[index].as_str()))
            .chain(added.iter().map(|(key, html)| (*key, html.as_str())))
            .collect();
        // Two threads may highlight one block at once; keep it once. Sorted, the file is the
        // same for the same blocks.
        keep.sort_unstable_by_key(|(key, _)| *key);
        keep.dedup_by_key(|(key, _)| *key);
        let _ = write_atomically(&self.file, &encode(&keep));
    }
}

fn encode(entries: &[(Key, &str)]) -> Vec<u8> {
    let body_len: usize = entries.iter().map(|(_, html)| 16 + 4 + html.len()).sum();
    let mut out = Vec::with_capacity(HEADER + body_len);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT.to_le_bytes());
    out.extend_from_slice(&(entries.len() as u64).to_le_bytes());
    out.extend_from_slice(&[0; 8]); // the checksum, once the body is written
    for (key, html) in entries {
        out.extend_from_slice(&key.to_le_bytes());
        out.extend_from_slice(&(html.len() as u32).to_le_bytes());
        out.extend_from_slice(html.as_bytes());
    }
    let checksum = XxHash3_64::oneshot(&out[HEADER..]);
    out[HEADER - 8..HEADER].copy_from_slice(&checksum.to_le_bytes());
    out
}

/// The entries of a cache file, or `None` for anything that is not one written whole by this
/// format.
fn decode(bytes: &[u8]) -> Option<Vec<(Key, String)>> {
    let header = bytes.get(..HEADER)?;
    if &header[..16] != MAGIC || u32::from_le_bytes(header[16..20].try_into().ok()?) != FORMAT {
        return None;
    }
    let count = u64::from_le_bytes(header[20..28].try_into().ok()?);
    let checksum = u64::from_le_bytes(header[28..36].try_into().ok()?);
    let mut body = &bytes[HEADER..];
    if XxHash3_64::oneshot(body) != checksum {
        return None;
    }
    let mut entries = Vec::with_capacity(usize::try_from(count).ok()?.min(body.len() / 20));
    while !body.is_empty() {
        let key = Key::from_le_bytes(body.get(..16)?.try_into().ok()?);
        let len = u32::from_le_bytes(body.get(16..20)?.try_into().ok()?) as usize;
        let html = std::str::from_utf8(body.get(20..20 + len)?).ok()?;
        entries.push((key, html.to_owned()));
        body = &body[20 + len..];
    }
    (entries.len() as u64 == count).then_some(entries)
}

/// Writes beside the file and renames over it, so a reader (or a killed build) never sees half
/// a cache.
fn write_atomically(file: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = file.parent().expect("the cache file is inside the cache folder");
    std::fs::create_dir_all(dir)?;
    // Whatever a blogger's version control, the cache stays out of it.
    let ignore = dir.join(".gitignore");
    if !ignore.exists() {
        std::fs::write(&ignore, "# blog's build cache: safe to delete, never to commit.\n*\n")?;
    }
    let temporary = dir.join(format!(".{FILE}.{}.tmp", std::process::id()));
    let written = std::fs::write(&temporary, bytes).and_then(|()| std::fs::rename(&temporary, file));
    if written.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    written
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_survive_a_round_trip_and_damage_is_refused() {
        let entries = [(1u128, "<b>one</b>"), (u128::MAX, ""), (7, "é")];
        let bytes = encode(&entries);
        let decoded = decode(&bytes).unwrap();
        assert_eq!(decoded.iter().map(|(k, h)| (*k, h.as_str())).collect::<Vec<_>>(), entries);
        for cut in [0, 10, HEADER, bytes.len() - 1] {
            assert!(decode(&bytes[..cut]).is_none(), "truncated at {cut}");
        }
        for flip in [0, 17, 25, HEADER + 3, bytes.len() - 1] {
            let mut damaged = bytes.clone();
            damaged[flip] ^= 0x20;
            assert!(decode(&damaged).is_none(), "byte {flip} flipped");
        }
    }

    #[test]
    fn the_key_separates_namespace_language_and_code() {
        let dir = tempfile::tempdir().unwrap();
        let cache = CodeCache::open(dir.path(), "v1");
        let other = CodeCache::open(dir.path(), "v2");
        assert_ne!(cache.key("rust", "x"), cache.key("rus", "tx"));
        assert_ne!(cache.key("rust", "x"), cache.key("elixir", "x"));
        assert_ne!(cache.key("rust", "x"), other.key("rust", "x"));
        assert_eq!(cache.key("rust", "x"), CodeCache::open(dir.path(), "v1").key("rust", "x"));
    }

    #[test]
    fn a_saved_block_is_reused_and_an_unused_one_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let cache = CodeCache::open(dir.path(), "v1");
        assert_eq!(cache.get_or_insert("rust", "a", || "A".to_owned()), "A");
        assert_eq!(cache.get_or_insert("rust", "b", || "B".to_owned()), "B");
        cache.save();

        let cache = CodeCache::open(dir.path(), "v1");
        assert_eq!(cache.get_or_insert("rust", "a", || unreachable!("a hit")), "A");
        cache.save();

        let cache = CodeCache::open(dir.path(), "v1");
        assert_eq!(cache.get_or_insert("rust", "b", || "fresh".to_owned()), "fresh", "b was not used last time");
        assert_eq!(cache.saved.len(), 1);
    }
}
