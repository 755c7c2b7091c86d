//! The returned file: its rows kept as the vendor sent them (PIN cells
//! emptied, so no PIN stays in memory), cell by cell in one text. The
//! checks of each row are in `rows`.

mod distinct;
mod rows;

pub use rows::{check, is_http_url, number_text, Checked, Context};

use crate::columns::{pin_cells, ColumnMap, Field};
use crate::config::Settings;
use crate::finding::Problem;
use crate::model::{Key, Rows, Span};
use crate::normalize::text::{key, trim_cell};
use crate::source::{Ends, NumericCell, Record, Sink, Source};

/// The returned file's rows, as received.
#[derive(Debug, Default)]
pub struct Returned {
    pub columns: ColumnMap,
    pub rows: Rows,
    /// The header's number of fields.
    pub width: usize,
    /// Every row's cells, laid end to end.
    text: String,
    /// Per row: where its cells start in `text`, and its first end in `ends`.
    starts: Vec<(u32, u32)>,
    /// Each cell's end, from its row's start.
    ends: Vec<u16>,
    /// The cell ends of rows of 64 KiB and more (few), by row.
    wide: Vec<(u32, Box<[u32]>)>,
    /// The rows that could not be read as the header says (few).
    problems: Vec<(u32, Problem)>,
    /// The numbers of workbook rows.
    numbers: Vec<(u32, Box<[NumericCell]>)>,
    /// Each row's cleaned key, in `text` (after the row's cells when it is
    /// not there as it reads), until the join.
    key_spans: Vec<Span>,
    own: String,
    own_ends: Vec<u32>,
}

impl Returned {
    /// The sink for the returned file `source`, or the `missing-column`
    /// error when a required column is absent.
    pub fn open(source: &Source, settings: &Settings) -> Result<Returned, crate::Error> {
        let columns = ColumnMap::resolve(&source.headers, &settings.aliases);
        // Teams makes conference IDs itself: they are not asked for.
        let required: &[Field] = match settings.target {
            crate::config::Target::Acp => &[Field::Key, Field::TollNumber, Field::ConferenceId],
            crate::config::Target::Teams => &[Field::Key, Field::TollNumber],
        };
        super::require(source, &columns, required)?;
        // Room for every row at once: growing copies, and pages are dear.
        let rows = source.rows_hint();
        let mut returned = Returned {
            columns,
            width: source.headers.len(),
            ..Returned::default()
        };
        returned.rows.reserve(rows);
        returned.starts.reserve(rows);
        returned.key_spans.reserve(rows);
        returned.ends.reserve(rows * returned.width);
        returned.text.reserve(source.bytes as usize);
        Ok(returned)
    }

    pub fn len(&self) -> usize {
        self.starts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.starts.is_empty()
    }

    /// A row as received, PIN cells empty.
    pub fn row(&self, row: u32) -> Record<'_> {
        let i = row as usize;
        let problem = self
            .problems
            .binary_search_by_key(&row, |e| e.0)
            .ok()
            .map(|p| self.problems[p].1);
        let numbers = self
            .numbers
            .binary_search_by_key(&row, |e| e.0)
            .map_or(&[][..], |n| &self.numbers[n].1[..]);
        let (text, ends) = self.cell_parts(row);
        Record::stored(
            self.rows.lines[i],
            u64::from(self.rows.offsets[i]),
            problem,
            text,
            ends,
            numbers,
        )
    }

    /// A row's cells alone, without where the row is or what is wrong
    /// with it: what writers read.
    pub fn cells(&self, row: u32) -> Record<'_> {
        let (text, ends) = self.cell_parts(row);
        Record::new(0, text, ends)
    }

    fn cell_parts(&self, row: u32) -> (&str, Ends<'_>) {
        let i = row as usize;
        let (start, first) = self.starts[i];
        let (end, last) = self
            .starts
            .get(i + 1)
            .copied()
            .unwrap_or((self.text.len() as u32, self.ends.len() as u32));
        let text = self
            .text
            .get(start as usize..end as usize)
            .unwrap_or_default();
        let ends = &self.ends[first as usize..last as usize];
        if ends.is_empty() && !self.wide.is_empty() {
            if let Ok(w) = self.wide.binary_search_by_key(&row, |e| e.0) {
                return (text, Ends::Wide(&self.wide[w].1));
            }
        }
        (text, Ends::Narrow(ends))
    }

    /// The trimmed cell of a field on a row.
    pub fn cell(&self, row: u32, field: Field) -> &str {
        trim_cell(self.cells(row).get(self.columns.get(field)))
    }

    /// Where each row's cleaned key is in [`Returned::key_texts`] (empty
    /// for none), taken out for the join.
    pub(crate) fn take_key_spans(&mut self) -> Vec<Span> {
        std::mem::take(&mut self.key_spans)
    }

    /// The text the rows' cleaned keys are in.
    pub(crate) fn key_texts(&self) -> &str {
        &self.text
    }

    /// Lets go of what only the join reads.
    pub(crate) fn joined(&mut self) {
        self.key_spans = Vec::new();
    }

    /// Keeps the cells of the rows `keep` names, and lets go of the rest:
    /// once the rows are checked, only the rows sent back and those whose
    /// findings show a cell are read again. The others read as rows
    /// without cells.
    pub fn keep_cells(&mut self, keep: impl Fn(u32) -> bool) {
        // In place: the kept rows move towards the front, in order.
        let mut text = std::mem::take(&mut self.text).into_bytes();
        let (mut to_text, mut to_ends) = (0, 0);
        for row in 0..self.len() {
            let (start, first) = self.starts[row];
            let (end, last) = self
                .starts
                .get(row + 1)
                .copied()
                .unwrap_or((text.len() as u32, self.ends.len() as u32));
            self.starts[row] = (to_text as u32, to_ends as u32);
            if keep(row as u32) {
                let (start, end, first, last) =
                    (start as usize, end as usize, first as usize, last as usize);
                text.copy_within(start..end, to_text);
                self.ends.copy_within(first..last, to_ends);
                to_text += end - start;
                to_ends += last - first;
            }
        }
        text.truncate(to_text);
        text.shrink_to_fit();
        self.ends.truncate(to_ends);
        self.ends.shrink_to_fit();
        self.wide.retain(|(row, _)| keep(*row));
        // Whole rows moved, each valid UTF-8: the text stays so.
        self.text = String::from_utf8(text)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    }

    /// Keeps the cleaned key of the row just stored: where it is in the
    /// row's cells, or copied after them.
    fn keep_key(&mut self, row: u32) {
        use std::borrow::Cow;
        let kept = {
            let stored = self.cells(row);
            match key(stored.get(self.columns.get(Field::Key))) {
                Cow::Borrowed("") => Ok(Span::EMPTY),
                Cow::Borrowed(text) => {
                    let start = text.as_ptr() as usize - self.text.as_ptr() as usize;
                    Ok(Span::new(start, text.len()))
                }
                Cow::Owned(text) => Err(text),
            }
        };
        let span = match kept {
            Ok(span) => span,
            Err(owned) => {
                let start = self.text.len();
                self.text.push_str(&owned);
                Span::new(start, owned.len())
            }
        };
        self.key_spans.push(span);
    }
}

impl Sink for Returned {
    fn record(&mut self, record: &Record<'_>) {
        let row = self.rows.len() as u32;
        self.rows.push(record.line, record.offset, Key::NONE);
        if let Some(problem) = record.problem {
            self.problems.push((row, problem));
        }
        if !record.numbers().is_empty() {
            self.numbers.push((row, record.numbers().into()));
        }
        self.starts
            .push((self.text.len() as u32, self.ends.len() as u32));
        self.store(row, record);
        self.keep_key(row);
    }
}

impl Returned {
    /// Keeps a row's cells, PIN cells emptied.
    fn store(&mut self, row: u32, record: &Record<'_>) {
        let is_pin = pin_cells(&self.columns.pins, self.width, record.len());
        let has_pin = (0..record.len()).any(|c| is_pin(c) && !record.get(Some(c)).is_empty());
        let (text, ends) = if has_pin {
            self.own.clear();
            self.own_ends.clear();
            for (c, cell) in record.cells().enumerate() {
                if !is_pin(c) {
                    self.own.push_str(cell);
                }
                self.own_ends.push(self.own.len() as u32);
            }
            (self.own.as_str(), Ends::Wide(&self.own_ends))
        } else {
            (record.text(), record.ends())
        };
        self.text.push_str(text);
        let all = (0..ends.len()).filter_map(|i| ends.get(i));
        if text.len() <= usize::from(u16::MAX) {
            self.ends.extend(all.map(|e| e as u16));
        } else {
            self.wide.push((row, all.map(|e| e as u32).collect()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{read_bytes, ReadOptions};

    fn returned(text: &str) -> Returned {
        let settings = Settings::default();
        let (_, returned) = read_bytes("r.csv", text.as_bytes(), &ReadOptions::default(), |s| {
            Returned::open(s, &settings)
        })
        .unwrap();
        returned
    }

    #[test]
    fn rows_keep_their_cells_wide_or_narrow_pins_emptied_and_after_letting_go() {
        let long = "x".repeat(70_000);
        let mut t = returned(&format!(
            "UPN,TollNumber,ConferenceId,Leader PIN\n\
             a@x,+14255550100,123456,9999\n\
             b@x,\"{long}\",654321,\n\
             c@x,+14255550101,111111,8888\n"
        ));
        let cells = |t: &Returned, row: u32| -> Vec<String> {
            t.cells(row).cells().map(String::from).collect()
        };
        assert_eq!(cells(&t, 0), ["a@x", "+14255550100", "123456", ""]);
        assert_eq!(cells(&t, 1), ["b@x", long.as_str(), "654321", ""]);
        assert_eq!(cells(&t, 2), ["c@x", "+14255550101", "111111", ""]);
        t.keep_cells(|row| row != 0);
        assert!(cells(&t, 0).is_empty());
        assert_eq!(cells(&t, 1)[1], long);
        assert_eq!(cells(&t, 2), ["c@x", "+14255550101", "111111", ""]);
        assert_eq!(t.row(2).line, 4);
    }
}
