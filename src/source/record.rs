//! A record: one data row as read, with where it is, what is wrong with
//! it, and its cells laid end to end; and the [`Sink`] each stage reads
//! records into.

use crate::finding::Problem;

/// Where each cell of a record ends in its text: four bytes an end as read,
/// two as kept (rows under 64 KiB, nearly all).
#[derive(Debug, Clone, Copy)]
pub enum Ends<'a> {
    Wide(&'a [u32]),
    Narrow(&'a [u16]),
}

impl Ends<'_> {
    pub fn len(&self) -> usize {
        match self {
            Ends::Wide(ends) => ends.len(),
            Ends::Narrow(ends) => ends.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The end of cell `i`.
    pub fn get(&self, i: usize) -> Option<usize> {
        match self {
            Ends::Wide(ends) => ends.get(i).map(|&e| e as usize),
            Ends::Narrow(ends) => ends.get(i).map(|&e| e as usize),
        }
    }
}

/// One data row: where it is, what is wrong with it, and its cells.
#[derive(Debug, Clone, Copy)]
pub struct Record<'a> {
    /// The 1-based line where the row starts, as an editor shows it (the
    /// sheet row for workbooks).
    pub line: u32,
    /// Byte offset of the row in the decoded text (0 for workbooks).
    pub offset: u64,
    /// Why the row could not be read as the header says.
    pub problem: Option<Problem>,
    pub(super) text: &'a str,
    pub(super) ends: Ends<'a>,
    pub(super) numbers: &'a [NumericCell],
}

impl<'a> Record<'a> {
    /// A record of cells laid end to end in `text`, cell `i` ending at
    /// `ends[i]`.
    pub fn new(line: u32, text: &'a str, ends: Ends<'a>) -> Record<'a> {
        Record {
            line,
            offset: 0,
            problem: None,
            text,
            ends,
            numbers: &[],
        }
    }

    /// A record kept by a stage, given back as read.
    pub(crate) fn stored(
        line: u32,
        offset: u64,
        problem: Option<Problem>,
        text: &'a str,
        ends: Ends<'a>,
        numbers: &'a [NumericCell],
    ) -> Record<'a> {
        Record {
            line,
            offset,
            problem,
            text,
            ends,
            numbers,
        }
    }

    /// The cells laid end to end.
    pub fn text(&self) -> &'a str {
        self.text
    }

    /// Each cell's end in [`Record::text`].
    pub fn ends(&self) -> Ends<'a> {
        self.ends
    }

    /// How many cells.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The cell at a position, `None` past the row's end.
    pub fn cell(&self, column: usize) -> Option<&'a str> {
        let end = self.ends.get(column)?;
        let start = match column {
            0 => 0,
            c => self.ends.get(c - 1)?,
        };
        self.text.get(start..end)
    }

    /// The cell of a column, or "" when the row is shorter.
    pub fn get(&self, column: Option<usize>) -> &'a str {
        column.and_then(|c| self.cell(c)).unwrap_or("")
    }

    /// Every cell, in order.
    pub fn cells(&self) -> impl Iterator<Item = &'a str> + '_ {
        (0..self.len()).map(|c| self.cell(c).unwrap_or(""))
    }

    /// The number in a spreadsheet cell, when it holds one.
    pub fn number(&self, column: Option<usize>) -> Option<&'a NumericCell> {
        let column = u32::try_from(column?).ok()?;
        self.numbers.iter().find(|n| n.column == column)
    }

    /// The numbers of a spreadsheet row.
    pub fn numbers(&self) -> &'a [NumericCell] {
        self.numbers
    }
}

/// A spreadsheet cell that holds a number: where Excel's damage shows.
#[derive(Debug, Clone, PartialEq)]
pub struct NumericCell {
    pub column: u32,
    pub value: f64,
    /// The cell's custom number format, such as `00000000`, when known.
    pub format: Option<Box<str>>,
}

/// Where the records of a file go: each stage keeps what it needs of them.
pub trait Sink {
    fn record(&mut self, record: &Record<'_>);
}

/// A sink that keeps every record's cells: for tests, and small files.
#[derive(Debug, Default)]
pub struct Collect {
    pub rows: Vec<(u32, Vec<String>, Option<Problem>)>,
}

impl Sink for Collect {
    fn record(&mut self, record: &Record<'_>) {
        self.rows.push((
            record.line,
            record.cells().map(String::from).collect(),
            record.problem,
        ));
    }
}
