//! Delimited text: delimiter detection, the PowerShell `#TYPE` line, and
//! recovery from broken rows so that one bad quote costs one row, not the
//! rest of the file.

use super::decode::Decoded;
use super::{RowOrigin, Table};
use crate::error::Error;
use csv::{ByteRecord, ReaderBuilder};
use std::sync::Arc;

/// Parses decoded text into a table. Cells are read in place from the text
/// unless quoting changed them.
pub fn parse(name: Arc<str>, decoded: Decoded) -> Result<Table, Error> {
    parse_with(name, decoded, true)
}

/// [`parse`]; `split_simple: false` sends every record through the csv
/// reader, which the tests compare the splitting against.
fn parse_with(name: Arc<str>, decoded: Decoded, split_simple: bool) -> Result<Table, Error> {
    let text = Arc::new(decoded.text);
    let bytes = text.as_bytes();
    super::fits(&name, bytes.len())?;

    // Skip blank lines and Windows PowerShell's `#TYPE System.Management...`.
    let mut start = 0;
    let mut line = 1u32;
    loop {
        if start >= bytes.len() {
            return Err(Error::EmptyFile {
                file: name.to_string(),
            });
        }
        let end = line_end(bytes, start);
        let content = text[start..end].trim();
        if !content.is_empty() && !content.starts_with("#TYPE") {
            break;
        }
        start = next_line(bytes, end);
        line += 1;
    }
    let header_line = line;
    let delimiter = sniff_delimiter(&text[start..line_end(bytes, start)]);

    let mut reader = reader_at(bytes, start, delimiter);
    let mut header = ByteRecord::new();
    if !reader.read_byte_record(&mut header).unwrap_or(false) {
        return Err(Error::EmptyFile {
            file: name.to_string(),
        });
    }
    let headers: Vec<String> = header
        .iter()
        .map(|h| String::from_utf8_lossy(h).trim().to_string())
        .collect();
    let width = headers.len();
    let mut table = Table::new(Arc::clone(&name), Arc::clone(&text), decoded.encoding);
    table.delimiter = delimiter;
    table.header_line = header_line;
    table.headers = headers;
    // A row per line, at most: reserving for that saves regrowing (and
    // copying) the two largest vectors of a run. Every cell after a row's
    // first follows a delimiter byte, so the file's size bounds the cells
    // (a header of a million columns must not reserve terabytes).
    let header_end = (start + reader.position().byte() as usize).min(bytes.len());
    let body = &bytes[header_end..];
    let lines = memchr::memchr_iter(b'\n', body).count() + 1;
    table.reserve(lines, lines.saturating_mul(width).min(body.len() + lines));

    let mut base = (start, header_line);
    let mut next = header_end;
    let mut cursor = (start, header_line);
    let mut record = ByteRecord::new();
    // The csv reader reads on from `next` only while no line was split here.
    let mut reader_at_next = true;
    let mut simple = Vec::with_capacity(width);
    let malformed_for = |fields: usize, record: &[u8]| {
        if fields != width {
            Some(format!(
                "has {fields} fields where the header has {width} (check the delimiters and quotes on this line)"
            ))
        } else if decoded.had_errors
            && memchr::memmem::find(record, "\u{fffd}".as_bytes()).is_some()
        {
            Some(format!(
                "holds bytes that are not valid {} (re-save the file as UTF-8)",
                decoded.encoding.as_str()
            ))
        } else {
            None
        }
    };
    'restart: loop {
        loop {
            // Most records are simple and split here; the csv reader takes
            // the rest, from the same place.
            let mut offset = next;
            while matches!(bytes.get(offset), Some(b'\r' | b'\n')) {
                offset += 1;
            }
            if offset >= bytes.len() {
                break 'restart;
            }
            let split = split_simple
                .then(|| simple_record(bytes, offset, delimiter, &mut simple))
                .flatten();
            if let Some((record_end, after)) = split {
                let row_line = cursor.1 + count_lines(&bytes[cursor.0.min(offset)..offset]);
                // A simple record is on one line: the next count starts
                // at its end.
                cursor = (record_end, row_line);
                next = after;
                reader_at_next = false;
                // A cell with a visible ASCII character is not blank.
                let blank = (0..simple.len()).all(|c| {
                    let cell = cell_in(bytes, offset, &simple, c);
                    !cell.iter().any(u8::is_ascii_graphic)
                        && std::str::from_utf8(cell).is_ok_and(|f| f.trim().is_empty())
                });
                if blank && simple.len() <= width.max(1) {
                    table.blank_rows += 1;
                    continue;
                }
                let origin = RowOrigin {
                    line: row_line,
                    offset: Some(offset),
                    malformed: malformed_for(simple.len(), &bytes[offset..record_end]),
                    numbers: None,
                };
                table.push_ends(origin, offset, &simple);
                continue;
            }
            if !reader_at_next {
                reader = reader_at(bytes, next, delimiter);
                base.0 = next;
                reader_at_next = true;
            }
            let at = next;
            match reader.read_byte_record(&mut record) {
                Ok(false) => break 'restart,
                Ok(true) => {}
                // Only I/O can fail on an in-memory reader; treat as the end.
                Err(_) => break 'restart,
            }
            let pos = record
                .position()
                .expect("records read from a reader have a position");
            // After a CRLF the reader may report the record at the '\n';
            // lines are counted here so that CR, LF and CRLF all agree.
            let mut offset = (base.0 + pos.byte() as usize).max(at);
            while matches!(bytes.get(offset), Some(b'\r' | b'\n')) {
                offset += 1;
            }
            let row_line = cursor.1 + count_lines(&bytes[cursor.0.min(offset)..offset]);
            cursor = (offset, row_line);
            next = base.0 + reader.position().byte() as usize;

            let blank = |f: &[u8]| std::str::from_utf8(f).is_ok_and(|f| f.trim().is_empty());
            if record.iter().all(blank) && record.len() <= width.max(1) {
                table.blank_rows += 1;
                continue;
            }
            let first_line_end = line_end(bytes, offset);
            let record_end = trim_terminator(bytes, offset, next);
            let spans_lines = record_end > first_line_end;
            // Well-formed quoting always has an even number of quote marks.
            let quotes = memchr::memchr_iter(b'"', &bytes[offset..next.min(bytes.len())]).count();
            let broken_quote =
                quotes % 2 == 1 && (spans_lines || record.len() != width || next >= bytes.len());
            let quote_problem =
                "has a quoted field that opens on this line and does not close where the row ends \
                                 (check the quotes on this line)";
            let origin = |malformed: Option<String>| RowOrigin {
                line: row_line,
                offset: Some(offset),
                malformed,
                numbers: None,
            };
            if (broken_quote || record.len() != width) && spans_lines {
                // The quote swallowed the lines that follow. Keep the first
                // line as a broken row, quotes as they are, and read on
                // from the next line.
                let first_line = &text[offset..first_line_end];
                let origin = origin(Some(quote_problem.into()));
                let cells = first_line.split(delimiter as char);
                if let Err(origin) = table.push_in_text(
                    origin,
                    (offset, first_line_end),
                    delimiter,
                    cells.clone().map(str::as_bytes),
                ) {
                    table.push_owned(origin, cells);
                }
                let resume = next_line(bytes, first_line_end);
                base = (resume, row_line + 1);
                cursor = base;
                reader = reader_at(bytes, resume, delimiter);
                next = resume;
                continue 'restart;
            }
            let malformed = if broken_quote {
                Some(quote_problem.to_string())
            } else {
                malformed_for(record.len(), record.as_slice())
            };
            let placed = table.push_in_text(
                origin(malformed),
                (offset, record_end),
                delimiter,
                record.iter(),
            );
            if let Err(origin) = placed {
                // Escaped quotes: the cells differ from the text. The csv
                // reader splits at ASCII bytes, so they are valid UTF-8.
                let cells: Vec<std::borrow::Cow<'_, str>> =
                    record.iter().map(String::from_utf8_lossy).collect();
                table.reserve_own(bytes.len() - offset);
                table.push_owned(origin, cells.iter().map(|c| &**c));
            }
        }
    }
    table.rows.shrink_to_fit();
    Ok(table)
}

/// Splits the record at `start` when no csv reader is needed for it: on one
/// line, each field bare (no quote mark in it) or wholly between quotes
/// without escapes. Fills `ends` as [`Table`] keeps cell ends, counted from
/// `start`, and returns the end of the record before its terminator and
/// where the next one starts; `None` for any other record.
fn simple_record(
    bytes: &[u8],
    start: usize,
    delimiter: u8,
    ends: &mut Vec<u32>,
) -> Option<(usize, usize)> {
    ends.clear();
    let mut at = start;
    loop {
        if bytes.get(at) == Some(&b'"') {
            let close = crate::bytes::find_any(bytes, at + 1, [b'"', b'\n', b'\r'])?;
            if bytes[close] != b'"' {
                return None;
            }
            ends.push(super::clamp(close - start) | super::QUOTED);
            at = close + 1;
        } else {
            // The field ends at the delimiter or a line break; a quote in
            // it makes the record not simple.
            at = crate::bytes::find_any(bytes, at, [delimiter, b'\n', b'\r', b'"'])
                .unwrap_or(bytes.len());
            if bytes.get(at) == Some(&b'"') {
                return None;
            }
            ends.push(super::clamp(at - start));
        }
        match bytes.get(at) {
            Some(&b) if b == delimiter => at += 1,
            None => return Some((at, at)),
            Some(b'\n') => return Some((at, at + 1)),
            Some(b'\r') if bytes.get(at + 1) == Some(&b'\n') => return Some((at, at + 2)),
            Some(b'\r') => return Some((at, at + 1)),
            // Text after a closing quote.
            Some(_) => return None,
        }
    }
}

/// Cell `c` of a record that [`simple_record`] split at `start`.
fn cell_in<'b>(bytes: &'b [u8], start: usize, ends: &[u32], c: usize) -> &'b [u8] {
    let end = |c: usize| (ends[c] & !super::QUOTED) as usize;
    let quoted = |c: usize| usize::from(ends[c] & super::QUOTED != 0);
    let from = match c {
        0 => 0,
        c => end(c - 1) + quoted(c - 1) + 1,
    } + quoted(c);
    &bytes[start + from..start + end(c)]
}

fn reader_at(bytes: &[u8], start: usize, delimiter: u8) -> csv::Reader<&[u8]> {
    ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(&bytes[start.min(bytes.len())..])
}

/// The delimiter used most on the header line, outside quotes: `,` `;` or tab.
pub fn sniff_delimiter(header_line: &str) -> u8 {
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for b in header_line.bytes() {
        match b {
            b'"' => quoted = !quoted,
            b',' if !quoted => counts[0] += 1,
            b';' if !quoted => counts[1] += 1,
            b'\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let candidates = [b',', b';', b'\t'];
    let best = (0..3)
        .max_by_key(|&i| (counts[i], std::cmp::Reverse(i)))
        .unwrap_or(0);
    if counts[best] == 0 {
        b','
    } else {
        candidates[best]
    }
}

/// Line breaks in a slice: LF, CRLF, or a lone CR.
fn count_lines(bytes: &[u8]) -> u32 {
    memchr::memchr2_iter(b'\n', b'\r', bytes)
        .filter(|&i| bytes[i] == b'\n' || bytes.get(i + 1) != Some(&b'\n'))
        .count() as u32
}

fn line_end(bytes: &[u8], from: usize) -> usize {
    let from = from.min(bytes.len());
    memchr::memchr2(b'\n', b'\r', &bytes[from..]).map_or(bytes.len(), |p| from + p)
}

fn next_line(bytes: &[u8], line_end: usize) -> usize {
    match bytes.get(line_end..) {
        Some([b'\r', b'\n', ..]) => line_end + 2,
        Some([_, ..]) => line_end + 1,
        _ => bytes.len(),
    }
}

/// The end of a record's bytes without its line terminator.
fn trim_terminator(bytes: &[u8], start: usize, end: usize) -> usize {
    let mut end = end.min(bytes.len());
    while end > start && matches!(bytes[end - 1], b'\n' | b'\r') {
        end -= 1;
    }
    end
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::decode::decode;

    fn table(text: &str) -> Table {
        parse("t.csv".into(), decode(text.as_bytes().to_vec())).unwrap()
    }

    fn summary(t: &Table) -> Vec<(u32, Vec<String>, bool)> {
        t.rows()
            .map(|r| {
                (
                    r.line,
                    r.cells().map(String::from).collect(),
                    r.malformed().is_some(),
                )
            })
            .collect()
    }

    #[test]
    fn cells_are_located_in_the_text_or_with_the_changed_cells() {
        // A row with an escaped quote has its cells copied, unescaped.
        let t = table("a,b\nplain,x\ny,\"say \"\"hi\"\"\"\n");
        let plain = t.locate(t.row(0).get(Some(0)));
        let changed = t.locate(t.row(1).get(Some(1)));
        let own = |at: crate::model::TextRef| at.len & crate::model::TextRef::OWN != 0;
        assert!(!own(plain) && own(changed));
        assert_eq!(t.text_at(plain), "plain");
        assert_eq!(t.text_at(changed), "say \"hi\"");
        // Text the table did not lend reads back empty.
        assert_eq!(t.text_at(t.locate("elsewhere")), "");
    }

    #[test]
    fn rows_of_32_kib_and_more_read_back_whole() {
        let long = "x".repeat(40_000);
        let text = format!("a,b,c\n1,\"{long}\",3\n4,\"say \"\"{long}\"\"\",6\n7,8,9\n{long},,\n");
        let t = table(&text);
        let quoted_escape = format!("say \"{long}\"");
        assert_eq!(
            summary(&t),
            [
                (2, vec!["1".into(), long.clone(), "3".into()], false),
                (3, vec!["4".into(), quoted_escape, "6".into()], false),
                (4, vec!["7".into(), "8".into(), "9".into()], false),
                (5, vec![long, String::new(), String::new()], false),
            ]
        );
    }

    #[test]
    fn detects_the_delimiter_from_the_header() {
        assert_eq!(sniff_delimiter("a,b,c"), b',');
        assert_eq!(sniff_delimiter("a;b;c"), b';');
        assert_eq!(sniff_delimiter("a\tb\tc"), b'\t');
        assert_eq!(sniff_delimiter("\"a;b\",c"), b',');
        assert_eq!(sniff_delimiter("single"), b',');
    }

    #[test]
    fn lines_are_physical_lines_even_with_line_breaks_in_quotes() {
        let t = table("k,v\r\na,\"one\r\ntwo\"\r\nb,2\r\n");
        assert_eq!(
            summary(&t),
            vec![
                (2, vec!["a".into(), "one\r\ntwo".into()], false),
                (4, vec!["b".into(), "2".into()], false),
            ]
        );
    }

    #[test]
    fn skips_the_powershell_type_line_and_blank_rows() {
        let t = table("#TYPE Selected.System.Object\n\"k\";\"v\"\n\"a\";\"1\"\n;\n\"b\";\"2\"\n");
        assert_eq!(t.header_line, 2);
        assert_eq!(t.delimiter, b';');
        assert_eq!(t.headers, vec!["k", "v"]);
        assert_eq!(t.blank_rows, 1);
        assert_eq!(
            summary(&t).iter().map(|r| r.0).collect::<Vec<_>>(),
            vec![3, 5]
        );
    }

    #[test]
    fn a_broken_quote_costs_one_row_not_the_rest_of_the_file() {
        let t = table("k,v,w\na,1,x\nb,\"2,x\nc,3,x\nd,4,x\n");
        assert_eq!(
            summary(&t).iter().map(|r| (r.0, r.2)).collect::<Vec<_>>(),
            vec![(2, false), (3, true), (4, false), (5, false)]
        );
    }

    #[test]
    fn a_file_ending_inside_a_quote_loses_only_that_row() {
        let t = table("k,v\na,1\nb,\"2\n");
        assert_eq!(
            summary(&t).iter().map(|r| (r.0, r.2)).collect::<Vec<_>>(),
            vec![(2, false), (3, true)]
        );
    }

    #[test]
    fn wrong_field_counts_are_flagged_and_kept() {
        let t = table("k,v\na,1,extra\nb\nc,3");
        assert_eq!(
            summary(&t).iter().map(|r| (r.0, r.2)).collect::<Vec<_>>(),
            vec![(2, true), (3, true), (4, false)]
        );
    }

    #[test]
    fn a_wide_header_over_many_short_lines_reads() {
        // Reserving a cell per column per line would ask for 40 GB here.
        let mut text = vec!["c"; 200_000].join(",");
        text.push('\n');
        text.push_str(&"a\n".repeat(50_000));
        let t = table(&text);
        assert_eq!(t.rows.len(), 50_000);
        assert!(t.rows().all(|r| r.malformed().is_some()));
    }

    proptest::proptest! {
        /// Records split without the csv reader read exactly as it reads
        /// them: cells, lines, offsets, problems and blank rows.
        #[test]
        fn splitting_simple_records_agrees_with_the_csv_reader(
            body in proptest::collection::vec(
                proptest::sample::select(vec!["a", "b1", "ann.lee@contoso", ",", ";", "\"", "\"\"", "\r", "\n", "\r\n", " ", "\t", "é", "\u{3000}", "\u{fffd}"]),
                0..40,
            ),
            header in proptest::sample::select(vec!["k,v\n", "k;v;w\r\n", "\"k\",\"v\"\n", "k\n"]),
        ) {
            let text = format!("{header}{}", body.concat());
            let read = |split| {
                let t = parse_with("t.csv".into(), decode(text.clone().into_bytes()), split).unwrap();
                let rows: Vec<_> = t
                    .rows()
                    .map(|r| (r.line, r.offset(), r.cells().map(String::from).collect::<Vec<_>>(), r.malformed().map(String::from)))
                    .collect();
                (t.headers.clone(), t.blank_rows, rows)
            };
            proptest::prop_assert_eq!(read(true), read(false));
        }
    }

    #[test]
    fn an_empty_file_is_an_error() {
        for text in ["", "\n\n", "#TYPE x\n"] {
            assert!(parse("e.csv".into(), decode(text.as_bytes().to_vec())).is_err());
        }
    }
}
