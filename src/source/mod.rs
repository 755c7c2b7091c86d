//! Reading input files into a [`Table`]: headers, and rows that each remember
//! where they came from. What the values mean is left to the columns and
//! normalize modules.

pub mod csv;
pub mod decode;
pub mod sheet;

use crate::error::Error;
use decode::Encoding;
use std::path::Path;
use std::sync::Arc;

/// One data row: its cells and its origin.
#[derive(Debug, Clone)]
pub struct Row {
    /// The 1-based line where the row starts, as an editor shows it.
    pub line: u32,
    /// Byte offset of the row in the table's decoded text.
    pub offset: Option<usize>,
    pub fields: ::csv::StringRecord,
    /// Why the row could not be read as the header says (wrong field count,
    /// a quote that never closes, undecodable bytes).
    pub malformed: Option<String>,
    /// Spreadsheet cells that hold numbers, not text.
    pub numbers: Option<Box<[NumericCell]>>,
}

/// A spreadsheet cell that holds a number: where Excel's damage shows.
#[derive(Debug, Clone, PartialEq)]
pub struct NumericCell {
    pub column: u32,
    pub value: f64,
    /// The cell's custom number format, such as `00000000`, when known.
    pub format: Option<Box<str>>,
}

impl Row {
    /// The cell of a column, or "" when the row is shorter.
    pub fn get(&self, column: Option<usize>) -> &str {
        column.and_then(|c| self.fields.get(c)).unwrap_or("")
    }

    /// The number in a spreadsheet cell, when it holds one.
    pub fn number(&self, column: Option<usize>) -> Option<&NumericCell> {
        let column = column? as u32;
        self.numbers.as_ref()?.iter().find(|n| n.column == column)
    }
}

/// A whole input file, decoded and split into rows.
#[derive(Debug, Clone)]
pub struct Table {
    /// The file name as shown in every message.
    pub name: Arc<str>,
    /// The decoded text, kept for source snippets in diagnostics.
    pub text: Arc<str>,
    pub encoding: Encoding,
    pub delimiter: u8,
    pub header_line: u32,
    pub headers: Vec<String>,
    pub rows: Vec<Row>,
    /// Rows whose cells are all empty: not data, skipped.
    pub blank_rows: usize,
    /// SHA-256 of the file's bytes, when read from a file.
    pub sha256: Option<String>,
    /// The sheet read, for spreadsheets.
    pub sheet: Option<String>,
    /// The sheet column of the table's first column (0-based).
    pub first_column: u32,
}

impl Table {
    /// `Sheet1!D17` for a spreadsheet cell, `Sheet1!17:17` for a whole row.
    pub fn cell_ref(&self, line: u32, column: Option<usize>) -> Option<String> {
        let sheet = self.sheet.as_ref()?;
        Some(match column {
            Some(c) => format!(
                "{sheet}!{}{line}",
                sheet::column_letters(self.first_column + c as u32)
            ),
            None => format!("{sheet}!{line}:{line}"),
        })
    }
}

/// How to read an input.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// The sheet of a workbook; the first when `None`.
    pub sheet: Option<String>,
    /// Config aliases, to find a header row below a title.
    pub aliases: Vec<(crate::columns::Field, String)>,
}

/// Reads a file into a table. `Err` only when the file cannot be read at all.
pub fn read(path: &Path) -> Result<Table, Error> {
    read_with(path, &ReadOptions::default())
}

/// Reads a file into a table, delimited text or spreadsheet by its content.
pub fn read_with(path: &Path, options: &ReadOptions) -> Result<Table, Error> {
    let bytes = std::fs::read(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let name: Arc<str> = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
        .into();
    let sha256 = sha256_hex(&bytes);
    let mut table = if is_spreadsheet(&bytes) {
        sheet::parse(name, &bytes, options.sheet.as_deref(), &options.aliases)?
    } else {
        csv::parse(name, decode::decode(bytes))?
    };
    table.sha256 = Some(sha256);
    Ok(table)
}

/// Lowercase hex SHA-256, as `Get-FileHash` shows it (in upper case).
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Zip (xlsx, ods) and OLE2 (xls) containers, whatever the extension says.
fn is_spreadsheet(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0])
}
