//! Delimited text: delimiter detection, the PowerShell `#TYPE` line, and
//! recovery from broken rows, so that one bad quote costs one row and not
//! the rest of the file. Records are split by csv-core as the bytes arrive;
//! the bytes of the record being read are kept, for the recovery.

use super::line::{split, well_quoted};
use super::{Ends, Record};
use crate::finding::Problem;
use crate::normalize::text::trim_cell;
use std::io::{self, Read};

/// How much of the header line is kept to show in diagnostics.
const HEADER_SHOWN: usize = 64 * 1024;

/// The most of a header cell kept: no column is named by more.
pub(crate) const HEADER_NAME: usize = 1024;

/// A header cell as kept: its first [`HEADER_NAME`] characters.
pub(crate) fn header_name(cell: &str) -> String {
    match cell.char_indices().nth(HEADER_NAME) {
        Some((end, _)) => cell[..end].to_string(),
        None => cell.to_string(),
    }
}

/// How the bytes become text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Text {
    /// UTF-8, or else the file is not UTF-8 at all ([`Stop::NotUtf8`]).
    Strict,
    /// UTF-8 (a BOM says so); bytes that are not become U+FFFD and their
    /// rows are reported.
    Lossy,
    /// Text decoded already; `had_errors` when the decoder met bytes it
    /// turned into U+FFFD.
    Decoded { had_errors: bool },
}

/// Why reading stopped before the end.
#[derive(Debug)]
pub(crate) enum Stop {
    /// Bytes that are not UTF-8 in a file without BOM: read it again as
    /// Windows-1252.
    NotUtf8,
    /// No header row.
    Empty,
    Io(io::Error),
}

impl From<io::Error> for Stop {
    fn from(e: io::Error) -> Stop {
        Stop::Io(e)
    }
}

/// The header row, and where it is.
#[derive(Debug, Clone)]
pub(crate) struct Header {
    pub delimiter: u8,
    pub line: u32,
    pub headers: Vec<String>,
    /// The lines up to the header's, blank but for the header (diagnostics
    /// count lines in it).
    pub text: String,
}

/// What [`Parser::next`] read.
pub(crate) enum Next<'a> {
    Record(Record<'a>),
    /// A row whose cells are all blank: not data.
    Blank,
    End,
}

/// A reader of records from bytes as they arrive.
pub(crate) struct Parser<R> {
    input: R,
    buf: Vec<u8>,
    len: usize,
    eof: bool,
    /// The text offset of `buf[0]`.
    base: u64,
    /// The next byte to read.
    pos: usize,
    /// Lines are counted up to here: `line` is the line of `buf[counted]`.
    /// Nothing from here on is let go of when the buffer moves.
    counted: usize,
    line: u32,
    core: csv_core::Reader,
    delimiter: u8,
    width: usize,
    text: Text,
    fields: Vec<u8>,
    ends: Vec<usize>,
    /// The ends as records give them.
    ends32: Vec<u32>,
    /// Cells not as csv-core reads them: a broken row's first line, or
    /// cells with bytes made U+FFFD.
    own: String,
    own_ends: Vec<u32>,
}

impl<R: Read> Parser<R> {
    /// Reads up to and with the header row.
    pub fn new(input: R, text: Text) -> Result<(Parser<R>, Header), Stop> {
        let mut p = Parser {
            input,
            buf: vec![0; 1 << 18],
            len: 0,
            eof: false,
            base: 0,
            pos: 0,
            counted: 0,
            line: 1,
            core: csv_core::Reader::new(),
            delimiter: b',',
            width: 0,
            text,
            fields: vec![0; 1 << 12],
            ends: vec![0; 64],
            ends32: Vec::new(),
            own: String::new(),
            own_ends: Vec::new(),
        };
        // Blank lines and Windows PowerShell's `#TYPE System.Management...`
        // may stand above the header.
        let first_line = loop {
            p.skip_line_breaks()?;
            if !p.more()? {
                return Err(Stop::Empty);
            }
            let end = p.line_end()?;
            // A header line of more than this is not a header to show whole.
            let shown = end.min(p.pos + HEADER_SHOWN);
            let line = String::from_utf8_lossy(&p.buf[p.pos..shown]).into_owned();
            let content = line.trim();
            if !content.is_empty() && !content.starts_with("#TYPE") {
                p.delimiter = super::line::sniff_delimiter(&line);
                break line;
            }
            p.pos = end;
        };
        p.core = csv_core::ReaderBuilder::new()
            .delimiter(p.delimiter)
            .build();
        let Next::Record(header) = p.next()? else {
            return Err(Stop::Empty);
        };
        let headers: Vec<String> = header.cells().map(|h| header_name(h.trim())).collect();
        let line = header.line;
        if headers.iter().all(String::is_empty) {
            return Err(Stop::Empty);
        }
        let mut text = "\n".repeat(line as usize - 1);
        text.push_str(&first_line);
        let header = Header {
            delimiter: p.delimiter,
            line,
            headers,
            text,
        };
        p.width = header.headers.len();
        Ok((p, header))
    }

    /// Reads the next record.
    pub fn next(&mut self) -> Result<Next<'_>, Stop> {
        self.skip_line_breaks()?;
        // Lines are counted as editors count them: LF, CRLF and a lone CR.
        self.line += line_breaks(&self.buf[self.counted..self.pos]);
        self.counted = self.pos;
        if !self.more()? {
            return Ok(Next::End);
        }
        let (fields, ends) = self.split()?;
        let begin = self.counted;
        let line = self.line;
        let offset = self.base + begin as u64;
        let raw = &self.buf[begin..self.pos];
        let body = raw.len() - raw.iter().rev().take_while(|&&b| is_break(b)).count();
        let first_line = memchr::memchr2(b'\n', b'\r', raw).unwrap_or(raw.len());
        let spans_lines = body > first_line;
        let at_end = self.eof && self.pos == self.len;
        // Well-formed quoting always has an even number of quote marks; a
        // row on one line, as wide as the header, is read as csv-core reads it.
        let suspect = spans_lines || ends != self.width || at_end;
        let broken_quote = suspect && memchr::memchr_iter(b'"', raw).count() % 2 == 1;
        // A stray quote swallows the lines after it, whatever the field
        // count comes to: a record over several lines must be quoted right.
        let broken = spans_lines && self.width > 0 && !well_quoted(&raw[..body], self.delimiter);
        if broken {
            // The quote swallowed the lines after it. Keep the first line as
            // a broken row, quotes as they are, and read on from the next.
            let cells = match std::str::from_utf8(&raw[..first_line]) {
                Ok(text) => text.to_string(),
                Err(_) if self.text == Text::Strict => return Err(Stop::NotUtf8),
                Err(_) => String::from_utf8_lossy(&raw[..first_line]).into_owned(),
            };
            self.own.clear();
            self.own_ends.clear();
            for (start, len) in split(&cells, self.delimiter, false) {
                self.own.push_str(&cells[start..start + len]);
                self.own_ends.push(self.own.len() as u32);
            }
            let mut resume = begin + first_line;
            if self.buf[resume..].starts_with(b"\r\n") {
                resume += 1;
            }
            self.pos = (resume + 1).min(self.len);
            self.core.reset();
            return Ok(Next::Record(Record {
                line,
                offset,
                problem: Some(Problem::BrokenQuote),
                text: &self.own,
                ends: Ends::Wide(&self.own_ends),
                numbers: &[],
            }));
        }
        let problem = if broken_quote {
            Some(Problem::BrokenQuote)
        } else if ends != self.width && self.width > 0 {
            Some(Problem::FieldCount {
                found: u16::try_from(ends).unwrap_or(u16::MAX),
                expected: u16::try_from(self.width).unwrap_or(u16::MAX),
            })
        } else {
            None
        };
        self.ends32.clear();
        self.ends32
            .extend(self.ends[..ends].iter().map(|&e| e as u32));
        let record = match std::str::from_utf8(&self.fields[..fields]) {
            Ok(text) => {
                let undecodable = matches!(self.text, Text::Decoded { had_errors: true })
                    && text.contains('\u{fffd}');
                let nul = memchr::memchr(0, text.as_bytes()).map(|at| Problem::Nul {
                    column: self.ends32.partition_point(|&e| e as usize <= at) as u16,
                });
                Record {
                    line,
                    offset,
                    problem: problem
                        .or(undecodable.then_some(Problem::Undecodable))
                        .or(nul),
                    text,
                    ends: Ends::Wide(&self.ends32),
                    numbers: &[],
                }
            }
            Err(_) if self.text == Text::Strict => return Err(Stop::NotUtf8),
            Err(_) => {
                self.own.clear();
                self.own_ends.clear();
                let mut start = 0;
                for &end in &self.ends[..ends] {
                    self.own
                        .push_str(&String::from_utf8_lossy(&self.fields[start..end]));
                    self.own_ends.push(self.own.len() as u32);
                    start = end;
                }
                Record {
                    line,
                    offset,
                    problem: problem.or(Some(Problem::Undecodable)),
                    text: &self.own,
                    ends: Ends::Wide(&self.own_ends),
                    numbers: &[],
                }
            }
        };
        let blank =
            record.len() <= self.width.max(1) && record.cells().all(|c| trim_cell(c).is_empty());
        Ok(if blank {
            Next::Blank
        } else {
            Next::Record(record)
        })
    }

    /// Splits one record from `pos` with csv-core: returns how many bytes
    /// of fields and how many fields it has.
    fn split(&mut self) -> Result<(usize, usize), Stop> {
        let (mut nf, mut ne) = (0, 0);
        loop {
            if self.pos == self.len && !self.eof {
                self.fill()?;
                continue;
            }
            let input = &self.buf[self.pos..self.len];
            let (result, nin, nout, nend) =
                self.core
                    .read_record(input, &mut self.fields[nf..], &mut self.ends[ne..]);
            self.pos += nin;
            nf += nout;
            ne += nend;
            match result {
                csv_core::ReadRecordResult::Record => return Ok((nf, ne)),
                csv_core::ReadRecordResult::InputEmpty => {}
                csv_core::ReadRecordResult::OutputFull => {
                    let len = self.fields.len() * 2;
                    self.fields.resize(len, 0);
                }
                csv_core::ReadRecordResult::OutputEndsFull => {
                    let len = self.ends.len() * 2;
                    self.ends.resize(len, 0);
                }
                // Only after input ended with nothing begun: `more` said
                // there was a byte, so a record has begun.
                csv_core::ReadRecordResult::End => return Ok((nf, ne)),
            }
        }
    }

    /// Whether a byte is left at `pos`, reading more if need be.
    fn more(&mut self) -> io::Result<bool> {
        while self.pos == self.len && !self.eof {
            self.fill()?;
        }
        Ok(self.pos < self.len)
    }

    /// Steps over line breaks at `pos`.
    fn skip_line_breaks(&mut self) -> io::Result<()> {
        while self.more()? && is_break(self.buf[self.pos]) {
            self.pos += 1;
        }
        Ok(())
    }

    /// The end of the line at `pos` (before its break), reading as needed.
    fn line_end(&mut self) -> io::Result<usize> {
        let mut from = self.pos;
        loop {
            if let Some(i) = memchr::memchr2(b'\n', b'\r', &self.buf[from..self.len]) {
                return Ok(from + i);
            }
            if self.eof {
                return Ok(self.len);
            }
            from = self.len - self.pos;
            self.fill()?;
            from += self.pos;
        }
    }

    /// Reads more bytes. Bytes before `counted` are let go of when the
    /// buffer is full; it grows only for a record of most of its size.
    fn fill(&mut self) -> io::Result<()> {
        if self.len == self.buf.len() {
            let keep = self.counted;
            self.buf.copy_within(keep..self.len, 0);
            self.len -= keep;
            self.pos -= keep;
            self.counted = 0;
            self.base += keep as u64;
            if self.len > self.buf.len() / 2 {
                let len = self.buf.len() * 2;
                self.buf.resize(len, 0);
            }
        }
        if crate::output::interrupt::requested() {
            return Err(crate::output::interrupt::stop_error());
        }
        let n = loop {
            match self.input.read(&mut self.buf[self.len..]) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        };
        self.eof = n == 0;
        self.len += n;
        Ok(())
    }
}

fn is_break(b: u8) -> bool {
    b == b'\n' || b == b'\r'
}

/// Line breaks in bytes whose next byte is not a LF: LF, CRLF, or a lone CR.
fn line_breaks(bytes: &[u8]) -> u32 {
    memchr::memchr2_iter(b'\n', b'\r', bytes)
        .filter(|&i| bytes[i] == b'\n' || bytes.get(i + 1) != Some(&b'\n'))
        .count() as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `(line, offset, cells, problem)` of every record, and the header.
    type Rows = Vec<(u32, u64, Vec<String>, Option<Problem>)>;

    fn read_with(bytes: &[u8], chunk: usize) -> (Header, Rows, usize) {
        // A reader that gives `chunk` bytes at a time, to cross every
        // boundary the buffer can have.
        struct Trickle<'a>(&'a [u8], usize);
        impl Read for Trickle<'_> {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                let n = self.0.len().min(buf.len()).min(self.1);
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let (mut p, header) = Parser::new(Trickle(bytes, chunk), Text::Lossy).unwrap();
        let mut rows = Vec::new();
        let mut blank = 0;
        loop {
            match p.next().unwrap() {
                Next::Record(r) => rows.push((
                    r.line,
                    r.offset,
                    r.cells().map(String::from).collect(),
                    r.problem,
                )),
                Next::Blank => blank += 1,
                Next::End => break,
            }
        }
        (header, rows, blank)
    }

    fn read(text: &str) -> (Header, Rows, usize) {
        let whole = read_with(text.as_bytes(), usize::MAX);
        // The same, a byte at a time.
        let trickled = read_with(text.as_bytes(), 1);
        assert_eq!(whole.1, trickled.1, "{text:?}");
        assert_eq!(whole.2, trickled.2);
        whole
    }

    fn lines(rows: &Rows) -> Vec<(u32, bool)> {
        rows.iter().map(|r| (r.0, r.3.is_some())).collect()
    }

    #[test]
    fn lines_are_physical_lines_even_with_line_breaks_in_quotes() {
        let (_, rows, _) = read("k,v\r\na,\"one\r\ntwo\"\r\nb,2\r\n");
        assert_eq!(
            rows,
            vec![
                (2, 5, vec!["a".into(), "one\r\ntwo".into()], None),
                (4, 19, vec!["b".into(), "2".into()], None),
            ]
        );
        // A lone CR ends a line too.
        let (_, rows, _) = read("k,v\ra,1\rb,2");
        assert_eq!(lines(&rows), [(2, false), (3, false)]);
    }

    #[test]
    fn skips_the_powershell_type_line_and_blank_rows() {
        let (header, rows, blank) =
            read("#TYPE Selected.System.Object\n\"k\";\"v\"\n\"a\";\"1\"\n;\n\n\"b\";\"2\"\n");
        assert_eq!(header.line, 2);
        assert_eq!(header.delimiter, b';');
        assert_eq!(header.headers, vec!["k", "v"]);
        assert_eq!(header.text, "\n\"k\";\"v\"");
        assert_eq!(blank, 1);
        assert_eq!(lines(&rows), [(3, false), (6, false)]);
    }

    #[test]
    fn a_broken_quote_costs_one_row_not_the_rest_of_the_file() {
        let (_, rows, _) = read("k,v,w\na,1,x\nb,\"2,x\nc,3,x\nd,4,x\n");
        assert_eq!(
            lines(&rows),
            [(2, false), (3, true), (4, false), (5, false)]
        );
        assert_eq!(rows[1].2, ["b", "\"2", "x"]);
        assert_eq!(rows[1].3, Some(Problem::BrokenQuote));
    }

    #[test]
    fn a_quoted_line_break_in_a_row_too_wide_stays_one_row() {
        let (_, rows, _) = read("k,v\na,\"1\n2\",x\nb,2\n");
        assert_eq!(lines(&rows), [(2, true), (4, false)]);
        assert_eq!(rows[0].2, ["a", "1\n2", "x"]);
        // Two stray quotes: the lines between them are rows of their own.
        let (_, rows, _) = read("k,v,w\na,\"1,x\nb,2,x\nc,\"3,x\nd,4,x\n");
        assert_eq!(lines(&rows), [(2, true), (3, false), (4, true), (5, false)]);
    }

    #[test]
    fn a_file_ending_inside_a_quote_loses_only_that_row() {
        let (_, rows, _) = read("k,v\na,1\nb,\"2\n");
        assert_eq!(lines(&rows), [(2, false), (3, true)]);
    }

    #[test]
    fn wrong_field_counts_are_flagged_and_kept() {
        let (_, rows, _) = read("k,v\na,1,extra\nb\nc,3");
        assert_eq!(lines(&rows), [(2, true), (3, true), (4, false)]);
        assert_eq!(
            rows[0].3,
            Some(Problem::FieldCount {
                found: 3,
                expected: 2
            })
        );
    }

    #[test]
    fn bytes_that_are_not_utf8_stop_a_strict_read_and_flag_a_lossy_one() {
        let text = b"k,v\na,caf\xe9\n";
        let (mut p, _) = Parser::new(&text[..], Text::Strict).unwrap();
        assert!(matches!(p.next(), Err(Stop::NotUtf8)));
        let (_, rows, _) = read_with(text, usize::MAX);
        assert_eq!(rows[0].2, ["a", "caf\u{fffd}"]);
        assert_eq!(rows[0].3, Some(Problem::Undecodable));
    }

    #[test]
    fn an_empty_file_has_no_header() {
        for text in ["", "\n\n", "#TYPE x\n", " ,\n"] {
            assert!(
                matches!(Parser::new(text.as_bytes(), Text::Lossy), Err(Stop::Empty)),
                "{text:?}"
            );
        }
    }

    #[test]
    fn a_record_longer_than_the_buffer_reads_whole() {
        let long = "x".repeat(600_000);
        let (_, rows, _) = read_with(
            format!("a,b\n1,\"{long}\"\n2,{long}\n3,\"say \"\"{long}\"\"\"\n").as_bytes(),
            usize::MAX,
        );
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].2[1], long);
        assert_eq!(rows[1].2[1], long);
        assert_eq!(rows[2].2[1], format!("say \"{long}\""));
        assert_eq!((rows[2].0, rows[2].1), (4, 4 + 2 * long.len() as u64 + 8));
    }

    proptest::proptest! {
        /// Records read as the csv crate reads them, whole or a byte at a
        /// time, whenever the quoting is sound; offsets point at the row.
        #[test]
        fn reads_as_the_csv_crate_writes(
            rows in proptest::collection::vec(proptest::collection::vec("[a ,;\"\r\néx]{0,6}", 2), 0..12),
            crlf in proptest::bool::ANY,
        ) {
            let terminator = if crlf { ::csv::Terminator::CRLF } else { ::csv::Terminator::Any(b'\n') };
            let mut w = ::csv::WriterBuilder::new().terminator(terminator).from_writer(Vec::new());
            w.write_record(["k", "v"]).unwrap();
            for row in &rows {
                w.write_record(row).unwrap();
            }
            let bytes = w.into_inner().unwrap();
            let text = String::from_utf8(bytes.clone()).unwrap();
            let (_, read, _) = read(&text);
            let expected: Vec<&Vec<String>> = rows
                .iter()
                .filter(|r| !r.iter().all(|c| c.trim().is_empty()))
                .collect();
            proptest::prop_assert_eq!(read.len(), expected.len());
            for (got, want) in read.iter().zip(expected) {
                proptest::prop_assert_eq!(&got.2, want);
                proptest::prop_assert!(got.3.is_none());
                let at = &text[got.1 as usize..];
                proptest::prop_assert!(!at.starts_with(['\r', '\n']));
                // LF, CRLF and a lone CR each end a line.
                let before = text[..got.1 as usize].replace("\r\n", "\n").replace('\r', "\n");
                let line = before.matches('\n').count() + 1;
                proptest::prop_assert_eq!(got.0 as usize, line);
            }
        }

        /// Any bytes read without a panic, whole or a byte at a time alike.
        #[test]
        fn any_bytes_read_alike_in_any_chunks(bytes in proptest::collection::vec(proptest::sample::select(vec![b'a', b',', b';', b'"', b'\r', b'\n', b' ', 0xC3, 0xA9, 0xFF]), 0..60)) {
            let whole = Parser::new(&bytes[..], Text::Lossy).map(|_| ());
            if whole.is_ok() {
                let a = read_with(&bytes, usize::MAX);
                let b = read_with(&bytes, 1);
                proptest::prop_assert_eq!(a.1, b.1);
                proptest::prop_assert_eq!(a.2, b.2);
            }
        }
    }
}
