//! Reading input files into records that each remember where they came
//! from: CSV in any encoding or delimiter vendors use, and workbooks. A file
//! is read once, as a stream, and hashed as it is read; each record goes to
//! a [`Sink`] that keeps what its stage needs. What the values mean is left
//! to the columns and normalize modules.

pub mod csv;
pub mod decode;
pub mod digest;
pub mod line;
mod record;
pub mod sheet;

pub use record::{Collect, Ends, NumericCell, Record, Sink};

use crate::columns::Field;
use crate::error::Error;
use decode::Encoding;
use digest::Hashing;
use std::io::{self, Read, Seek};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// How an input was read: its name, layout, header and digest.
#[derive(Debug, Clone)]
pub struct Source {
    /// The file as named in every message.
    pub name: Arc<str>,
    /// The file read, when read from one.
    pub path: Option<PathBuf>,
    pub encoding: Encoding,
    pub delimiter: u8,
    /// The sheet read, for workbooks.
    pub sheet: Option<String>,
    /// The sheet column of the first column (0-based).
    pub first_column: u32,
    pub headers: Vec<String>,
    pub header_line: u32,
    /// The text up to the header row, for diagnostics about it.
    pub header_text: String,
    /// Data rows (blank rows aside).
    pub rows: usize,
    pub blank_rows: usize,
    /// SHA-256 of the file's bytes, lowercase hex.
    pub sha256: String,
    /// The file's size, for sinks to size what they keep.
    pub bytes: u64,
    /// How the file stood when read, so that a line is read again for a
    /// snippet only from the same file.
    identity: Option<(u64, Option<std::time::SystemTime>)>,
    /// Bytes of the file before its text (a UTF-8 BOM).
    text_start: u64,
}

impl Default for Source {
    fn default() -> Source {
        Source::new("".into(), None)
    }
}

impl Source {
    fn new(name: Arc<str>, path: Option<PathBuf>) -> Source {
        Source {
            name,
            path,
            encoding: Encoding::Utf8,
            delimiter: b',',
            sheet: None,
            first_column: 0,
            headers: Vec::new(),
            header_line: 1,
            header_text: String::new(),
            rows: 0,
            blank_rows: 0,
            sha256: String::new(),
            bytes: 0,
            identity: None,
            text_start: 0,
        }
    }

    /// `Sheet1!D17` for a spreadsheet cell, `Sheet1!17:17` for a whole
    /// row; `None` for text files.
    /// About how many rows the file holds, from its size: enough for most
    /// files (rows are rarely under 48 bytes), to reserve room once.
    pub fn rows_hint(&self) -> usize {
        (self.bytes / 48) as usize + 16
    }

    pub fn cell_ref(&self, line: u32, column: Option<usize>) -> Option<String> {
        let sheet = self.sheet.as_ref()?;
        Some(match column {
            Some(c) => format!(
                "{sheet}!{}{line}",
                sheet::column_letters(self.first_column.saturating_add(c as u32))
            ),
            None => format!("{sheet}!{line}:{line}"),
        })
    }

    /// The line of decoded text at `offset`, read again from the file:
    /// only for snippets, a few a run. `None` for workbooks, and when the
    /// file changed since it was read.
    pub fn line_at(&self, offset: u64) -> Option<String> {
        if self.sheet.is_some() {
            return None;
        }
        let path = self.path.as_ref()?;
        let mut file = std::fs::File::open(path).ok()?;
        if identity(&file) != self.identity {
            return None;
        }
        let line = if self.encoding.is_utf8() {
            file.seek(io::SeekFrom::Start(self.text_start + offset))
                .ok()?;
            let mut bytes = Vec::new();
            file.take(1 << 16).read_to_end(&mut bytes).ok()?;
            String::from_utf8_lossy(&bytes).into_owned()
        } else {
            let mut bytes = Vec::new();
            file.read_to_end(&mut bytes).ok()?;
            let (_, bom) = decode::sniff(&bytes);
            let (text, _) = decode::decode(&bytes[bom..], self.encoding);
            text.get(offset as usize..)?.to_string()
        };
        let end = line.find(['\n', '\r']).unwrap_or(line.len());
        Some(line[..end].to_string())
    }
}

fn identity(file: &std::fs::File) -> Option<(u64, Option<std::time::SystemTime>)> {
    let meta = file.metadata().ok()?;
    Some((meta.len(), meta.modified().ok()))
}

/// How to read an input.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// The sheet of a workbook; the first when `None`.
    pub sheet: Option<String>,
    /// Config aliases, to find a header row below a title.
    pub aliases: Vec<(Field, String)>,
}

/// The largest input: spans of text in a run are 32 bits.
const MAX_BYTES: u64 = u32::MAX as u64;

/// Reads a file, delimited text or workbook by its content, into the sink
/// that `open` makes once the header is known (and makes again should the
/// file turn out not to be UTF-8). `Err` when the file cannot be read, or
/// when `open` refuses its header.
pub fn read<S: Sink>(
    path: &Path,
    options: &ReadOptions,
    mut open: impl FnMut(&Source) -> Result<S, Error>,
) -> Result<(Source, S), Error> {
    let name: Arc<str> = display_name(path).into();
    let fail = |source| Error::Read {
        path: path.to_path_buf(),
        source,
    };
    let file = std::fs::File::open(path).map_err(fail)?;
    let meta = file.metadata().map_err(fail)?;
    if meta.is_dir() {
        return Err(fail(io::Error::new(
            io::ErrorKind::IsADirectory,
            "it is a folder, not a file",
        )));
    }
    if meta.len() > MAX_BYTES {
        return Err(Error::TooLarge {
            file: name.to_string(),
            bytes: meta.len(),
        });
    }
    let mut source = Source::new(name, Some(path.to_path_buf()));
    source.identity = identity(&file);
    source.bytes = meta.len();
    let reopen = || std::fs::File::open(path);
    read_from(file, reopen, &mut source, options, &mut open)
        .map(|sink| (source, sink))
        .map_err(|e| e.into_error(path))
}

/// [`read`] of bytes in memory, named `name`: for tests and fuzzing.
pub fn read_bytes<S: Sink>(
    name: &str,
    bytes: &[u8],
    options: &ReadOptions,
    mut open: impl FnMut(&Source) -> Result<S, Error>,
) -> Result<(Source, S), Error> {
    let mut source = Source::new(name.into(), None);
    source.bytes = bytes.len() as u64;
    read_from(bytes, || Ok(bytes), &mut source, options, &mut open)
        .map(|sink| (source, sink))
        .map_err(|e| e.into_error(Path::new(name)))
}

/// Why a read failed: for the file, or as the sink's opener said.
enum Failed {
    Io(io::Error),
    Empty,
    /// Bytes that are not UTF-8, in a file read as UTF-8 without a BOM.
    NotUtf8,
    Error(Error),
}

impl Failed {
    fn into_error(self, path: &Path) -> Error {
        let file = path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        match self {
            Failed::Io(_) if crate::output::interrupt::requested() => Error::Stopped,
            Failed::Io(source) => Error::Read {
                path: path.to_path_buf(),
                source,
            },
            Failed::Empty => Error::EmptyFile { file },
            Failed::NotUtf8 => Error::Read {
                path: path.to_path_buf(),
                source: io::Error::new(io::ErrorKind::InvalidData, "not UTF-8"),
            },
            Failed::Error(e) => e,
        }
    }
}

impl From<io::Error> for Failed {
    fn from(e: io::Error) -> Failed {
        Failed::Io(e)
    }
}

impl From<Error> for Failed {
    fn from(e: Error) -> Failed {
        Failed::Error(e)
    }
}

impl From<csv::Stop> for Failed {
    fn from(stop: csv::Stop) -> Failed {
        match stop {
            csv::Stop::Io(e) => Failed::Io(e),
            csv::Stop::Empty => Failed::Empty,
            csv::Stop::NotUtf8 => Failed::NotUtf8,
        }
    }
}

fn read_from<R: Read, S: Sink>(
    input: R,
    reopen: impl Fn() -> io::Result<R>,
    source: &mut Source,
    options: &ReadOptions,
    open: &mut impl FnMut(&Source) -> Result<S, Error>,
) -> Result<S, Failed> {
    let mut hashing = Hashing::new(input);
    let mut head = Vec::with_capacity(HEAD);
    (&mut hashing).take(HEAD as u64).read_to_end(&mut head)?;
    let workbook = sheet::is_workbook(&head);
    if !workbook && named_as_zip_workbook(&source.name) {
        return Err(Error::NotWorkbook {
            file: source.name.to_string(),
        }
        .into());
    }
    if workbook {
        let mut bytes = head;
        hashing.read_to_end(&mut bytes)?;
        source.sha256 = digest::sha256(&bytes);
        return read_sheet(&bytes, source, options, open);
    }
    let (encoding, bom) = decode::sniff(&head);
    source.encoding = encoding;
    if !matches!(encoding, Encoding::Utf16Le | Encoding::Utf16Be) && looks_binary(&head[bom..]) {
        return Err(Error::NotText {
            file: source.name.to_string(),
        }
        .into());
    }
    match encoding {
        Encoding::Utf16Le | Encoding::Utf16Be => {
            let mut bytes = head;
            hashing.read_to_end(&mut bytes)?;
            source.sha256 = digest::sha256(&bytes);
            let (text, had_errors) = decode::decode(&bytes[bom..], encoding);
            parse_text(
                text.as_bytes(),
                csv::Text::Decoded { had_errors },
                source,
                open,
            )
        }
        _ => {
            source.text_start = bom as u64;
            let text = match encoding {
                Encoding::Utf8Bom => csv::Text::Lossy,
                _ => csv::Text::Strict,
            };
            let stream = io::Cursor::new(&head[bom..]).chain(&mut hashing);
            match parse_text(stream, text, source, open) {
                Err(Failed::NotUtf8) => {
                    // Not UTF-8, so Windows-1252: Excel's "CSV" in Europe.
                    let mut bytes = Vec::new();
                    reopen()?.read_to_end(&mut bytes)?;
                    source.sha256 = digest::sha256(&bytes);
                    source.encoding = Encoding::Windows1252;
                    source.text_start = 0;
                    let (text, _) = decode::decode(&bytes, Encoding::Windows1252);
                    let decoded = csv::Text::Decoded { had_errors: false };
                    parse_text(text.as_bytes(), decoded, source, open)
                }
                Err(e) => Err(e),
                Ok(sink) => {
                    source.sha256 = hashing.finish()?;
                    Ok(sink)
                }
            }
        }
    }
}

/// How an input is named in every output: the path as given, relative to
/// the current folder when it is inside it, so that two inputs with the same
/// file name stay apart.
pub fn display_name(path: &Path) -> String {
    let cwd = std::env::current_dir().ok();
    let shown = match cwd.as_deref().and_then(|cwd| path.strip_prefix(cwd).ok()) {
        Some(inside) if path.is_absolute() => inside,
        _ => path,
    };
    let shown = shown.strip_prefix(".").unwrap_or(shown);
    // One separator everywhere, so that outputs match across systems.
    shown.to_string_lossy().replace('\\', "/")
}

/// How much of a file is looked at to tell what it is.
const HEAD: usize = 8192;

/// Bytes no text file holds, as a share of the first block: more than one
/// NUL or control character in a hundred (tab, line ends, form feed and
/// Ctrl-Z aside). A stray NUL in a text file is the row's problem, not the
/// file's.
fn looks_binary(head: &[u8]) -> bool {
    let controls = head
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c | 0x1a))
        .count();
    controls * 100 > head.len()
}

/// A name that says zip workbook (`.xlsx`, `.xlsm`, `.xlsb`, `.ods`).
/// `.xls` is left out: vendors name CSV and HTML exports `.xls`.
fn named_as_zip_workbook(name: &str) -> bool {
    let extension = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    matches!(extension.as_deref(), Some("xlsx" | "xlsm" | "xlsb" | "ods"))
}

/// Reads delimited text into the sink `open` makes for its header.
fn parse_text<R: Read, S: Sink>(
    input: R,
    text: csv::Text,
    source: &mut Source,
    open: &mut impl FnMut(&Source) -> Result<S, Error>,
) -> Result<S, Failed> {
    let (mut parser, header) = csv::Parser::new(input, text)?;
    source.delimiter = header.delimiter;
    source.header_line = header.line;
    source.headers = header.headers;
    source.header_text = header.text;
    source.rows = 0;
    source.blank_rows = 0;
    let mut sink = open(source)?;
    loop {
        match parser.next()? {
            csv::Next::Record(record) => {
                source.rows += 1;
                sink.record(&record);
            }
            csv::Next::Blank => source.blank_rows += 1,
            csv::Next::End => return Ok(sink),
        }
    }
}

/// Reads the chosen sheet of a workbook into the sink `open` makes.
fn read_sheet<S: Sink>(
    bytes: &[u8],
    source: &mut Source,
    options: &ReadOptions,
    open: &mut impl FnMut(&Source) -> Result<S, Error>,
) -> Result<S, Failed> {
    let sheet = sheet::read(
        &source.name,
        bytes,
        options.sheet.as_deref(),
        &options.aliases,
    )?;
    source.encoding = Encoding::Spreadsheet(sheet.kind);
    source.sheet = Some(sheet.name.clone());
    source.first_column = sheet.first_column;
    source.header_line = sheet.header_line;
    source.header_text = sheet.header_text();
    source.headers = sheet.headers.clone();
    source.rows = sheet.rows.len();
    source.blank_rows = sheet.blank_rows;
    let mut sink = open(source)?;
    let mut text = String::new();
    let mut ends = Vec::new();
    for row in &sheet.rows {
        text.clear();
        ends.clear();
        for cell in &row.cells {
            text.push_str(cell);
            ends.push(text.len() as u32);
        }
        sink.record(&Record {
            line: row.line,
            offset: 0,
            problem: None,
            text: &text,
            ends: Ends::Wide(&ends),
            numbers: &row.numbers,
        });
    }
    Ok(sink)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(bytes: &[u8]) -> (Source, Collect) {
        read_bytes("t.csv", bytes, &ReadOptions::default(), |_| {
            Ok(Collect::default())
        })
        .unwrap()
    }

    #[test]
    fn a_file_that_is_not_utf8_is_read_again_as_windows_1252() {
        let (source, rows) = collect(b"UPN;Name\nann@x;Caf\xe9\nbob@x;O\x92Neil\n");
        assert_eq!(source.encoding, Encoding::Windows1252);
        assert_eq!(source.delimiter, b';');
        assert_eq!(rows.rows[0].1, ["ann@x", "Café"]);
        assert_eq!(rows.rows[1].1, ["bob@x", "O\u{2019}Neil"]);
        assert_eq!(
            source.sha256,
            digest::sha256(b"UPN;Name\nann@x;Caf\xe9\nbob@x;O\x92Neil\n")
        );
    }

    #[test]
    fn utf16_and_bom_files_read_as_text_with_their_digest() {
        let text = "UPN\tName\r\nann@x\tÉlise\r\n";
        let mut utf16 = vec![0xFF, 0xFE];
        for unit in text.encode_utf16() {
            utf16.extend(unit.to_le_bytes());
        }
        let (source, rows) = collect(&utf16);
        assert_eq!(
            (source.encoding, source.delimiter),
            (Encoding::Utf16Le, b'\t')
        );
        assert_eq!(rows.rows[0].1, ["ann@x", "Élise"]);
        assert_eq!(source.sha256, digest::sha256(&utf16));

        let bom = [&[0xEF, 0xBB, 0xBF][..], text.as_bytes()].concat();
        let (source, rows) = collect(&bom);
        assert_eq!(source.encoding, Encoding::Utf8Bom);
        assert_eq!(rows.rows[0].1, ["ann@x", "Élise"]);
        assert_eq!(source.sha256, digest::sha256(&bom));
    }

    #[test]
    fn lines_are_read_again_for_snippets_unless_the_file_changed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.csv");
        std::fs::write(&path, "\u{feff}a,b\nZo\u{eb},1\nx,2\n").unwrap();
        let (source, _) = read(&path, &ReadOptions::default(), |_| Ok(Collect::default())).unwrap();
        assert_eq!(source.line_at(4).as_deref(), Some("Zo\u{eb},1"));
        std::fs::write(&path, "a,b\nBo,2\nchanged\n").unwrap();
        assert_eq!(source.line_at(4), None);
    }

    #[test]
    fn a_folder_or_a_missing_file_cannot_be_read() {
        let dir = tempfile::tempdir().unwrap();
        for path in [dir.path().to_path_buf(), dir.path().join("none.csv")] {
            let read = read(&path, &ReadOptions::default(), |_| Ok(Collect::default()));
            assert!(matches!(read, Err(Error::Read { .. })), "{path:?}");
        }
    }
}
