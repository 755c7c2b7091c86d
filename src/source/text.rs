//! A table's text: the file's own bytes, mapped in, when they are UTF-8
//! already (nearly every file), or a decoded copy. Mapped text costs no
//! fresh memory, and its pages go back to the page cache when a run is
//! done with them for a while ([`Text::let_go`]).

use std::fmt;
use std::fs::File;
use std::ops::{Deref, Range};

/// Decoded text, owned or mapped from its file.
pub struct Text(Repr);

enum Repr {
    Owned(String),
    /// Bytes `start..` of the map, checked to be UTF-8 when mapped.
    Mapped {
        map: memmap2::Mmap,
        start: usize,
    },
}

/// A file mapped in, as bytes, before it is known to be text.
#[derive(Debug)]
pub struct Mapped(memmap2::Mmap);

impl Mapped {
    /// Maps a regular, non-empty file. `None` where mapping does not
    /// serve (pipes, empty files, file systems that refuse): read it instead.
    pub fn open(file: &File) -> Option<Mapped> {
        let meta = file.metadata().ok()?;
        if !meta.is_file() || meta.len() == 0 {
            return None;
        }
        // SAFETY: the map is only read. A file changed while a run reads it
        // is not supported: its bytes could change under the text (the
        // binary ends the run on SIGBUS when the file is cut short).
        let map = unsafe { memmap2::Mmap::map(file) }.ok()?;
        Some(Mapped(map))
    }

    pub fn bytes(&self) -> &[u8] {
        &self.0
    }

    /// The bytes from `start` as text, when they are UTF-8.
    pub fn into_text(self, start: usize) -> Result<Text, Mapped> {
        match std::str::from_utf8(self.0.get(start..).unwrap_or_default()) {
            Ok(_) => Ok(Text(Repr::Mapped { map: self.0, start })),
            Err(_) => Err(self),
        }
    }
}

impl Text {
    pub fn as_str(&self) -> &str {
        match &self.0 {
            Repr::Owned(text) => text,
            // SAFETY: checked to be UTF-8 when mapped (see `Mapped::open`).
            Repr::Mapped { map, start } => unsafe { std::str::from_utf8_unchecked(&map[*start..]) },
        }
    }

    /// Whether the text is the file's own bytes, mapped.
    pub fn is_mapped(&self) -> bool {
        matches!(self.0, Repr::Mapped { .. })
    }

    /// Hands a mapped text's pages back to the system: they stay in the
    /// page cache and are read from there again if touched. Owned text is
    /// left as it is.
    pub fn let_go(&self) {
        self.let_go_range(0..self.len());
    }

    /// [`Text::let_go`] for the pages that hold `range` of the text.
    pub fn let_go_range(&self, range: Range<usize>) {
        if let Repr::Mapped { start, .. } = &self.0 {
            self.let_go_of_file(start.saturating_add(range.start)..start.saturating_add(range.end));
        }
    }

    /// The whole file a mapped text is from, its BOM too.
    pub fn file_bytes(&self) -> Option<&[u8]> {
        match &self.0 {
            Repr::Mapped { map, .. } => Some(map),
            Repr::Owned(_) => None,
        }
    }

    /// [`Text::let_go`] for the pages that hold `range` of the file.
    pub fn let_go_of_file(&self, range: Range<usize>) {
        #[cfg(unix)]
        if let Repr::Mapped { map, .. } = &self.0 {
            let from = range.start.min(map.len());
            let len = range.end.saturating_sub(from).min(map.len() - from);
            if len > 0 {
                // SAFETY: the map is read-only and file-backed, so pages
                // given back read again as the file's bytes.
                let _ = unsafe {
                    map.unchecked_advise_range(memmap2::UncheckedAdvice::DontNeed, from, len)
                };
            }
        }
        #[cfg(not(unix))]
        let _ = range;
    }
}

impl Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl From<String> for Text {
    fn from(text: String) -> Text {
        Text(Repr::Owned(text))
    }
}

impl Default for Text {
    fn default() -> Text {
        Text::from(String::new())
    }
}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = if self.is_mapped() { "mapped" } else { "owned" };
        write!(f, "Text({kind}, {} bytes)", self.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn maps_utf8_and_refuses_the_rest() {
        let mut file = tempfile::NamedTempFile::new().unwrap();
        file.write_all(b"\xEF\xBB\xBFUPN\n\xC3\xA9lise@x\n")
            .unwrap();
        let mapped = Mapped::open(file.as_file()).unwrap();
        let text = mapped.into_text(3).unwrap();
        assert!(text.is_mapped());
        assert_eq!(text, "UPN\nélise@x\n");
        text.let_go();
        assert_eq!(&text[4..], "élise@x\n", "pages read again after let_go");

        let mut latin = tempfile::NamedTempFile::new().unwrap();
        latin.write_all(b"Caf\xe9").unwrap();
        let mapped = Mapped::open(latin.as_file()).unwrap();
        assert_eq!(mapped.into_text(0).unwrap_err().bytes(), b"Caf\xe9");

        let empty = tempfile::NamedTempFile::new().unwrap();
        assert!(Mapped::open(empty.as_file()).is_none());
    }
}
