//! Reading input files into a [`Table`]: headers, and rows that each remember
//! where they came from. What the values mean is left to the columns and
//! normalize modules.

pub mod csv;
pub mod decode;
pub mod digest;
pub mod sheet;
pub mod text;

use crate::error::Error;
use crate::model::TextRef;
use decode::Encoding;
pub use digest::Sha256;
use rayon::prelude::*;
use rustc_hash::FxHashSet;
use std::path::Path;
use std::sync::Arc;
pub use text::Text;

/// One data row's origin and problems. Its cells live in the table, which
/// lends them out through [`Table::row`].
#[derive(Debug, Clone)]
pub struct Row {
    /// The 1-based line where the row starts, as an editor shows it.
    pub line: u32,
    /// How many cells, with [`OWN`] set when they are in the table's own
    /// buffer rather than in the text, and [`WIDE`] when its cell ends are.
    count: u32,
    cells: Span,
    /// What few rows have, kept apart so that a row takes 32 bytes: a
    /// million rows are kept.
    extra: Option<Box<Extra>>,
}

/// The rare parts of a row.
#[derive(Debug, Clone, Default)]
struct Extra {
    /// The row's offset in the text, for rows whose cells are not there.
    offset: Option<usize>,
    malformed: Option<Box<str>>,
    numbers: Option<Box<[NumericCell]>>,
}

/// Where a row's cells lie: one after another from `base`, one separator
/// byte apart, in the decoded text or in the table's own buffer. A cell
/// flagged [`QUOTED`] stands between quote marks that are not its own.
#[derive(Debug, Clone, Copy, Default)]
struct Span {
    base: usize,
    /// The row's first entry in [`Table::ends`].
    first: usize,
}

/// The flag of a row count whose cells are in the table's own buffer.
const OWN: u32 = 1 << 31;

/// The flag of a row count whose cell ends are kept wide: rows of 32 KiB
/// and more.
const WIDE: u32 = 1 << 30;

/// A spreadsheet cell that holds a number: where Excel's damage shows.
#[derive(Debug, Clone, PartialEq)]
pub struct NumericCell {
    pub column: u32,
    pub value: f64,
    /// The cell's custom number format, such as `00000000`, when known.
    pub format: Option<Box<str>>,
}

impl Row {
    /// Byte offset of the row in the table's decoded text.
    pub fn offset(&self) -> Option<usize> {
        match self.count & OWN {
            0 => Some(self.cells.base),
            _ => self.extra.as_ref()?.offset,
        }
    }

    /// Why the row could not be read as the header says (wrong field count,
    /// a quote that never closes, undecodable bytes).
    pub fn malformed(&self) -> Option<&str> {
        self.extra.as_ref()?.malformed.as_deref()
    }

    /// The number in a spreadsheet cell, when it holds one.
    pub fn number(&self, column: Option<usize>) -> Option<&NumericCell> {
        let column = column? as u32;
        let numbers = self.extra.as_ref()?.numbers.as_ref()?;
        numbers.iter().find(|n| n.column == column)
    }
}

/// A row with its cells: what [`Table::row`] and [`Table::rows`] lend.
#[derive(Debug, Clone, Copy)]
pub struct RowRef<'t> {
    table: &'t Table,
    row: &'t Row,
}

impl std::ops::Deref for RowRef<'_> {
    type Target = Row;

    fn deref(&self) -> &Row {
        self.row
    }
}

impl<'t> RowRef<'t> {
    /// The cell of a column, or "" when the row is shorter.
    pub fn get(&self, column: Option<usize>) -> &'t str {
        column.and_then(|c| self.cell(c)).unwrap_or("")
    }

    /// The cell at a position, `None` past the row's end.
    pub fn cell(&self, column: usize) -> Option<&'t str> {
        let span = self.row.cells;
        if column >= self.width() {
            return None;
        }
        let wide = self.row.count & WIDE != 0;
        let at = |c: usize| self.table.ends.get(wide, span.first + c);
        let (end, quoted) = at(column)?;
        let start = match column {
            0 => 0,
            c => at(c - 1).map(|(end, quoted)| end + usize::from(quoted) + 1)?,
        } + usize::from(quoted);
        let text = if self.row.count & OWN != 0 {
            self.table.own.as_str()
        } else {
            self.table.text.as_str()
        };
        text.get(span.base + start..span.base + end)
    }

    /// How many cells the row has.
    pub fn width(&self) -> usize {
        (self.row.count & !(OWN | WIDE)) as usize
    }

    /// Every cell, in order.
    pub fn cells(&self) -> impl ExactSizeIterator<Item = &'t str> + '_ {
        (0..self.width()).map(|c| self.cell(c).unwrap_or(""))
    }
}

/// A whole input file, decoded and split into rows.
#[derive(Debug, Clone)]
pub struct Table {
    /// The file name as shown in every message.
    pub name: Arc<str>,
    /// The decoded text, for source snippets in diagnostics. Most cells are
    /// read from it in place.
    pub text: Arc<Text>,
    pub encoding: Encoding,
    pub delimiter: u8,
    pub header_line: u32,
    pub headers: Vec<String>,
    pub rows: Vec<Row>,
    /// Rows whose cells are all empty: not data, skipped.
    pub blank_rows: usize,
    /// SHA-256 of the file's bytes, when read from a file.
    pub sha256: Option<Sha256>,
    /// The file read, when read from one.
    pub path: Option<std::path::PathBuf>,
    /// The sheet read, for spreadsheets.
    pub sheet: Option<String>,
    /// The sheet column of the table's first column (0-based).
    pub first_column: u32,
    /// Cells that are not in `text` as they read: quoted fields, sheet cells.
    own: String,
    ends: Ends,
    /// The row being added's cell ends.
    scratch: Vec<u32>,
}

/// The end of each cell, counted from its row's base, flagged [`QUOTED`]:
/// two bytes a cell for rows under 32 KiB, nearly all, four for the rest.
/// A million rows of ten cells take 40 MB less.
#[derive(Debug, Clone, Default)]
struct Ends {
    narrow: Vec<u16>,
    wide: Vec<u32>,
}

/// [`QUOTED`] in a narrow cell end.
const NARROW_QUOTED: u16 = 1 << 15;

impl Ends {
    /// Adds one row's ends; gives where they start, and whether wide.
    fn push_row(&mut self, ends: &[u32]) -> (usize, bool) {
        let first = self.narrow.len();
        for &end in ends {
            let at = end & !QUOTED;
            if at >= u32::from(NARROW_QUOTED) {
                self.narrow.truncate(first);
                let first = self.wide.len();
                self.wide.extend_from_slice(ends);
                return (first, true);
            }
            let quoted = if end & QUOTED != 0 { NARROW_QUOTED } else { 0 };
            self.narrow.push(at as u16 | quoted);
        }
        (first, false)
    }

    /// The end at a place, and whether its cell is quoted.
    fn get(&self, wide: bool, at: usize) -> Option<(usize, bool)> {
        if wide {
            let end = *self.wide.get(at)?;
            Some(((end & !QUOTED) as usize, end & QUOTED != 0))
        } else {
            let end = *self.narrow.get(at)?;
            Some(((end & !NARROW_QUOTED) as usize, end & NARROW_QUOTED != 0))
        }
    }
}

impl Table {
    pub(crate) fn new(name: Arc<str>, text: Arc<Text>, encoding: Encoding) -> Table {
        Table {
            name,
            text,
            encoding,
            delimiter: b',',
            header_line: 1,
            headers: Vec::new(),
            rows: Vec::new(),
            blank_rows: 0,
            sha256: None,
            path: None,
            sheet: None,
            first_column: 0,
            own: String::new(),
            ends: Ends::default(),
            scratch: Vec::new(),
        }
    }

    pub(crate) fn reserve(&mut self, rows: usize, cells: usize) {
        self.rows.reserve(rows);
        self.ends.narrow.reserve(cells);
    }

    /// Lets go of the rows and the text, the bulk of a table, keeping what
    /// names it: file, headers, sheet. Rows are gone after: only for a
    /// table whose rows are done with, and whose text, if still needed,
    /// is held elsewhere (the `Arc` is shared).
    pub fn release_rows_and_text(&mut self) {
        self.rows = Vec::new();
        self.ends = Ends::default();
        self.scratch = Vec::new();
        self.own = String::new();
        self.text = Arc::default();
    }

    /// Where a cell lent by this table is: in the text or in the table's
    /// own buffer. Any other string (an absent cell's "") is empty.
    pub fn locate(&self, cell: &str) -> TextRef {
        let within = |buffer: &str| {
            let start = (cell.as_ptr() as usize).wrapping_sub(buffer.as_ptr() as usize);
            let end = start.checked_add(cell.len())?;
            let len = u32::try_from(cell.len())
                .ok()
                .filter(|&l| l < TextRef::OWN)?;
            let start = u32::try_from(start).ok()?;
            (buffer.get(start as usize..end) == Some(cell)).then_some((start, len))
        };
        match (within(&self.text), within(&self.own)) {
            (Some((start, len)), _) => TextRef { start, len },
            (None, Some((start, len))) => TextRef {
                start,
                len: len | TextRef::OWN,
            },
            (None, None) => TextRef::default(),
        }
    }

    /// The text of a cell located in this table.
    pub fn text_at(&self, at: TextRef) -> &str {
        text_at(&self.text, &self.own, at)
    }

    /// The buffer of cells that quoting changed.
    pub(crate) fn own(&self) -> &str {
        &self.own
    }

    /// The row at an index, with its cells.
    pub fn row(&self, index: usize) -> RowRef<'_> {
        RowRef {
            table: self,
            row: &self.rows[index],
        }
    }

    /// The rows in windows of 65,536, for passes over the whole table that
    /// call [`Table::let_go_of_rows`] after each: a mapped file is then held
    /// a window at a time.
    pub fn windows(&self) -> impl Iterator<Item = std::ops::Range<usize>> {
        const WINDOW: usize = 1 << 16;
        let rows = self.rows.len();
        (0..rows)
            .step_by(WINDOW)
            .map(move |start| start..(start + WINDOW).min(rows))
    }

    /// Hands back the pages of a mapped text that hold these rows (see
    /// [`Text::let_go_range`]); they are read again if touched.
    pub fn let_go_of_rows(&self, rows: std::ops::Range<usize>) {
        if !self.text.is_mapped() {
            return;
        }
        let offset = |i: usize| self.rows.get(i).and_then(Row::offset);
        let start = (rows.start..rows.end).find_map(offset).unwrap_or(0);
        let end = (rows.end..self.rows.len())
            .find_map(offset)
            .unwrap_or(self.text.len());
        self.text.let_go_range(start..end.max(start));
    }

    /// For reading a few rows scattered over the table: see [`Scattered`].
    pub fn scattered(&self) -> Scattered<'_> {
        Scattered {
            table: self,
            reads: std::cell::Cell::new(0),
        }
    }

    /// Every row, in file order.
    pub fn rows(&self) -> impl ExactSizeIterator<Item = RowRef<'_>> + Clone + '_ {
        self.rows.iter().map(|row| RowRef { table: self, row })
    }

    /// Adds a row whose cells stand in the text from `base` as they read,
    /// bare or in quotes without escapes, one `delimiter` apart up to `end`.
    /// Gives the row back, adding nothing, when one does not.
    pub(crate) fn push_in_text<'f>(
        &mut self,
        row: RowOrigin,
        (base, end): (usize, usize),
        delimiter: u8,
        cells: impl Iterator<Item = &'f [u8]>,
    ) -> Result<(), RowOrigin> {
        self.scratch.clear();
        let raw = self.text.as_bytes().get(base..end).unwrap_or_default();
        let mut at = 0;
        for (i, cell) in cells.enumerate() {
            if i > 0 {
                if raw.get(at) != Some(&delimiter) {
                    return Err(row);
                }
                at += 1;
            }
            let rest = &raw[at..];
            let bare =
                rest.starts_with(cell) && rest.get(cell.len()).is_none_or(|&b| b == delimiter);
            let quoted = !bare
                && rest.first() == Some(&b'"')
                && rest.get(1..=cell.len()) == Some(cell)
                && rest.get(cell.len() + 1) == Some(&b'"')
                && rest.get(cell.len() + 2).is_none_or(|&b| b == delimiter);
            if !bare && !quoted {
                return Err(row);
            }
            let q = usize::from(quoted);
            self.scratch
                .push(clamp(at + q + cell.len()) | if quoted { QUOTED } else { 0 });
            at += cell.len() + 2 * q;
        }
        if at != raw.len() {
            return Err(row);
        }
        let (first, wide) = self.ends.push_row(&self.scratch);
        self.finish(row, base, (first, self.scratch.len(), wide), false);
        Ok(())
    }

    /// Adds a row whose cell ends, counted from `base` in the text as
    /// [`RowRef::cell`] reads them, are already known.
    pub(crate) fn push_ends(&mut self, row: RowOrigin, base: usize, ends: &[u32]) {
        let (first, wide) = self.ends.push_row(ends);
        self.finish(row, base, (first, ends.len(), wide), false);
    }

    /// Makes room in the table's own buffer for `bytes` more, so that it is
    /// never regrown and copied: a sheet gives the size of its cells, a CSV
    /// file the text it has left (unquoting only shortens it). Room never
    /// written is never given pages.
    pub(crate) fn reserve_own(&mut self, bytes: usize) {
        self.own.reserve(bytes);
    }

    /// Adds a row from cells that are not in the text as they read.
    pub(crate) fn push_owned<'c>(&mut self, row: RowOrigin, cells: impl Iterator<Item = &'c str>) {
        let base = self.own.len();
        self.scratch.clear();
        for (i, cell) in cells.enumerate() {
            if i > 0 {
                self.own.push('\u{1f}');
            }
            self.own.push_str(cell);
            self.scratch.push(clamp(self.own.len() - base));
        }
        let (first, wide) = self.ends.push_row(&self.scratch);
        self.finish(row, base, (first, self.scratch.len(), wide), true);
    }

    /// Adds the row whose `count` cell ends are at `first`.
    fn finish(
        &mut self,
        row: RowOrigin,
        base: usize,
        (first, count, wide): (usize, usize, bool),
        own: bool,
    ) {
        // In-text rows start where their cells do.
        let offset = row.offset.filter(|_| own);
        let rare = offset.is_some() || row.malformed.is_some() || row.numbers.is_some();
        self.rows.push(Row {
            line: row.line,
            extra: rare.then(|| {
                Box::new(Extra {
                    offset,
                    malformed: row.malformed.map(String::into_boxed_str),
                    numbers: row.numbers,
                })
            }),
            // A row of 2^30 cells would not fit in memory; clamp, never wrap.
            count: u32::try_from(count).unwrap_or(u32::MAX).min(WIDE - 1)
                | if own { OWN } else { 0 }
                | if wide { WIDE } else { 0 },
            cells: Span { base, first },
        });
    }

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

/// The text at `at` in a table's text or own buffer; "" where there is
/// none.
pub(crate) fn text_at<'a>(text: &'a str, own: &'a str, at: TextRef) -> &'a str {
    let buffer = if at.len & TextRef::OWN != 0 {
        own
    } else {
        text
    };
    let start = at.start as usize;
    buffer
        .get(start..start + (at.len & !TextRef::OWN) as usize)
        .unwrap_or_default()
}

/// The distinct cell values of `N` kinds over some rows of a table, gathered
/// in parallel: `add` puts one row's values into the sets.
pub fn distinct_cells<'t, const N: usize>(
    table: &'t Table,
    rows: impl IntoParallelIterator<Item = usize>,
    add: impl Fn(&mut [FxHashSet<&'t str>; N], RowRef<'t>) + Sync + Send,
) -> [FxHashSet<&'t str>; N] {
    rows.into_par_iter()
        .fold(
            || std::array::from_fn(|_| FxHashSet::default()),
            |mut sets, i| {
                add(&mut sets, table.row(i));
                sets
            },
        )
        .reduce(
            || std::array::from_fn(|_| FxHashSet::default()),
            |mut all, sets| {
                for (all, set) in all.iter_mut().zip(sets) {
                    all.extend(set);
                }
                all
            },
        )
}

/// A table's text is under 4 GiB, so that 32 bits place any cell in it.
fn fits(file: &str, bytes: usize) -> Result<(), Error> {
    match u32::try_from(bytes) {
        Ok(b) if b < u32::MAX => Ok(()),
        _ => Err(Error::TooLarge {
            file: file.to_string(),
            bytes,
        }),
    }
}

/// Reads a few rows scattered over a table. Each row of a mapped text read
/// maps in the page cache's pages around it, hundreds of KB, so every few
/// rows, and when done, those pages are handed back.
pub struct Scattered<'t> {
    table: &'t Table,
    reads: std::cell::Cell<u32>,
}

impl<'t> Scattered<'t> {
    pub fn row(&self, index: usize) -> RowRef<'t> {
        let reads = self.reads.get().wrapping_add(1);
        self.reads.set(reads);
        if reads.is_multiple_of(32) {
            self.table.text.let_go();
        }
        self.table.row(index)
    }
}

impl Drop for Scattered<'_> {
    fn drop(&mut self) {
        if self.reads.get() > 0 {
            self.table.text.let_go();
        }
    }
}

/// Where a row came from and what is wrong with it, before its cells are added.
#[derive(Debug, Default)]
pub(crate) struct RowOrigin {
    pub line: u32,
    pub offset: Option<usize>,
    pub malformed: Option<String>,
    pub numbers: Option<Box<[NumericCell]>>,
}

/// The flag of a cell end whose cell stands between quote marks.
const QUOTED: u32 = 1 << 31;

/// Cell ends are kept in 31 bits; a single row of 2 GB is cut short, not a panic.
fn clamp(end: usize) -> u32 {
    u32::try_from(end).unwrap_or(u32::MAX).min(QUOTED - 1)
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
    let fail = |source| Error::Read {
        path: path.to_path_buf(),
        source,
    };
    let name: Arc<str> = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
        .into();
    // Mapped, a file costs no copy; what cannot be mapped is read.
    let file = std::fs::File::open(path).map_err(fail)?;
    let bytes = match text::Mapped::open(&file) {
        Some(mapped) => Bytes::Mapped(mapped),
        None => {
            let mut read = Vec::new();
            std::io::Read::read_to_end(&mut &file, &mut read).map_err(fail)?;
            Bytes::Read(read)
        }
    };
    let (mut table, sha256) = if is_spreadsheet(bytes.as_slice()) {
        let sha256 = Sha256::of(bytes.as_slice());
        let sheet = options.sheet.as_deref();
        let table = sheet::parse(name, bytes.as_slice(), sheet, &options.aliases)?;
        (table, Some(sha256))
    } else {
        // A UTF-8 file stays mapped as its text and is hashed from there
        // (see `Sha256::take_in_background`); any other is hashed before
        // its bytes go.
        let (decoded, sha256) = match bytes {
            Bytes::Mapped(mapped) => match decode::utf8_in_place(mapped) {
                Ok(decoded) => (decoded, None),
                Err(mapped) => (
                    decode::decode_copy(mapped.bytes()),
                    Some(Sha256::of(mapped.bytes())),
                ),
            },
            Bytes::Read(read) => {
                let sha256 = Sha256::of(&read);
                (decode::decode(read), Some(sha256))
            }
        };
        (csv::parse(name, decoded)?, sha256)
    };
    // Until the run reads its rows, a mapped file's pages need not be held.
    table.text.let_go();
    table.sha256 = sha256.or_else(|| Sha256::of_mapped(&table.text));
    table.path = Some(path.to_path_buf());
    Ok(table)
}

/// A file's bytes, mapped or read.
enum Bytes {
    Mapped(text::Mapped),
    Read(Vec<u8>),
}

impl Bytes {
    fn as_slice(&self) -> &[u8] {
        match self {
            Bytes::Mapped(mapped) => mapped.bytes(),
            Bytes::Read(read) => read,
        }
    }
}

/// Zip (xlsx, ods) and OLE2 (xls) containers, whatever the extension says.
fn is_spreadsheet(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_of_4_gib_or_more_is_refused_with_an_error() {
        assert!(fits("r.csv", u32::MAX as usize - 1).is_ok());
        for bytes in [u32::MAX as usize, 1 << 33] {
            assert!(matches!(fits("r.csv", bytes), Err(Error::TooLarge { .. })));
        }
    }

    #[test]
    fn windows_cover_every_row_once_in_order() {
        let text = format!("UPN\n{}", "x\n".repeat(150_000));
        let table = csv::parse("r.csv".into(), decode::decode(text.into_bytes())).unwrap();
        let windows: Vec<_> = table.windows().collect();
        assert_eq!(windows, [0..65_536, 65_536..131_072, 131_072..150_000]);
        // Owned text: nothing to let go of, and nothing lost.
        table.let_go_of_rows(0..65_536);
        assert_eq!(table.row(149_999).get(Some(0)), "x");
    }
}
