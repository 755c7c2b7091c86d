//! A file's SHA-256, as the plan and the report name their inputs by it.
//! A file kept mapped as its table's text can be hashed in the background,
//! by a thread that runs only when a core would otherwise be idle; whoever
//! needs the digest first finishes what is left.

use super::text::Text;
use sha2::Digest as _;
use std::fmt;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

/// A file's SHA-256, in lowercase hex (as `Get-FileHash` shows it, in
/// upper case): known already, or still to be taken from its mapped text.
#[derive(Clone)]
pub struct Sha256(Arc<Inner>);

struct Inner {
    hex: OnceLock<String>,
    /// The hash so far, how many bytes it has read, and the text whose
    /// file it reads: `None` once the digest is known.
    rest: Mutex<Option<Partial>>,
}

struct Partial {
    hasher: sha2::Sha256,
    read: usize,
    text: Arc<Text>,
}

/// A background step reads this much, then lets the lock go.
const STEP: usize = 1 << 20;

impl Sha256 {
    /// The SHA-256 of bytes at hand.
    pub fn of(bytes: &[u8]) -> Sha256 {
        Sha256::known(hex(sha2::Sha256::digest(bytes).as_slice()))
    }

    fn known(hex: String) -> Sha256 {
        Sha256(Arc::new(Inner {
            hex: OnceLock::from(hex),
            rest: Mutex::new(None),
        }))
    }

    /// The SHA-256 of the file a text is mapped from, taken when first
    /// asked for (or in the background, see [`Sha256::take_in_background`]).
    /// `None` for a text that is not the file's bytes.
    pub(crate) fn of_mapped(text: &Arc<Text>) -> Option<Sha256> {
        text.file_bytes()?;
        Some(Sha256(Arc::new(Inner {
            hex: OnceLock::new(),
            rest: Mutex::new(Some(Partial {
                hasher: sha2::Sha256::new(),
                read: 0,
                text: Arc::clone(text),
            })),
        })))
    }

    /// The digest in hex, finishing the hashing if need be.
    pub fn hex(&self) -> &str {
        self.0.hex.get_or_init(|| {
            let mut rest = self.0.rest.lock().unwrap_or_else(PoisonError::into_inner);
            while step(&mut rest, usize::MAX) {}
            let partial = rest.take().expect("a digest not known has its rest");
            hex(partial.hasher.finalize().as_slice())
        })
    }

    /// Hashes the rest on a thread of its own that runs only while a core
    /// would otherwise idle (Linux; elsewhere at the usual priority), a step
    /// at a time, letting go of the file's pages behind it. A digest known
    /// already starts nothing.
    pub fn take_in_background(&self) {
        if self.0.hex.get().is_some() {
            return;
        }
        let digest = self.clone();
        let spawned = std::thread::Builder::new()
            .name("sha256".into())
            .spawn(move || {
                only_when_idle();
                loop {
                    let mut rest = digest.0.rest.lock().unwrap_or_else(PoisonError::into_inner);
                    if !step(&mut rest, STEP) {
                        break;
                    }
                }
                digest.hex();
            });
        // Without a thread, the digest is taken when asked for.
        drop(spawned);
    }
}

/// Hashes up to `limit` more bytes of the rest, if any is left, and lets
/// go of their pages; whether there is more.
fn step(rest: &mut Option<Partial>, limit: usize) -> bool {
    let Some(partial) = rest.as_mut() else {
        return false;
    };
    let bytes = partial.text.file_bytes().unwrap_or_default();
    let end = bytes.len().min(partial.read.saturating_add(limit));
    let Some(chunk) = bytes.get(partial.read..end) else {
        return false;
    };
    partial.hasher.update(chunk);
    partial.text.let_go_of_file(partial.read..end);
    partial.read = end;
    end < bytes.len()
}

fn hex(digest: &[u8]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Lowers the calling thread to the idle scheduling class: it runs only on
/// a core nothing else wants.
fn only_when_idle() {
    #[cfg(target_os = "linux")]
    {
        let param = libc::sched_param { sched_priority: 0 };
        // SAFETY: a call about the calling thread (0), with a valid
        // parameter; a failure leaves the thread as it was.
        unsafe { libc::sched_setscheduler(0, libc::SCHED_IDLE, &param) };
    }
}

impl fmt::Debug for Sha256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.hex.get() {
            Some(hex) => f.write_str(hex),
            None => f.write_str("(being taken)"),
        }
    }
}

impl PartialEq for Sha256 {
    fn eq(&self, other: &Sha256) -> bool {
        self.hex() == other.hex()
    }
}

impl Eq for Sha256 {}

impl serde::Serialize for Sha256 {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.hex())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    const EMPTY: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    #[test]
    fn known_digests() {
        assert_eq!(Sha256::of(b"").hex(), EMPTY);
        assert_eq!(
            Sha256::of(b"abc").hex(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    /// Taken in the background or when asked for, a mapped file's digest is
    /// that of all its bytes, the BOM too, over several steps.
    #[test]
    fn a_mapped_file_is_hashed_whole_in_the_background_or_when_asked() {
        let mut body = b"\xEF\xBB\xBFUPN\n".to_vec();
        body.extend((0..3 * STEP + 5).map(|i| b'a' + (i % 26) as u8));
        let mut file = tempfile::NamedTempFile::new().unwrap();
        file.write_all(&body).unwrap();
        let want = Sha256::of(&body);
        for background in [false, true] {
            let mapped = super::super::text::Mapped::open(file.as_file()).unwrap();
            let text = Arc::new(mapped.into_text(3).unwrap());
            let digest = Sha256::of_mapped(&text).unwrap();
            if background {
                digest.take_in_background();
            }
            assert_eq!(digest, want);
            assert_eq!(&text[..4], "UPN\n", "pages read again after letting go");
        }
        assert!(Sha256::of_mapped(&Arc::new(Text::from(String::new()))).is_none());
    }
}
