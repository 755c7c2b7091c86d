//! One line of delimited text: which delimiter it uses, and where each of
//! its fields is, split by csv-core as the reader splits records (quotes
//! kept in the spans), so that a snippet's label and a broken row's cells
//! fall where the reader put them.

/// The byte range `(start, len)` of each field of `line`, quotes included,
/// as csv-core splits it; with `quoting` off, every delimiter splits, as
/// the reader does when it recovers from a broken quote.
///
/// ```
/// use acp_recon::source::line::split;
/// assert_eq!(split(r#"a,"b,c",,d"#, b',', true), [(0, 1), (2, 5), (8, 0), (9, 1)]);
/// assert_eq!(split(r#"a,"b,c"#, b',', false), [(0, 1), (2, 2), (5, 1)]);
/// ```
pub fn split(line: &str, delimiter: u8, quoting: bool) -> Vec<(usize, usize)> {
    let mut reader = csv_core::ReaderBuilder::new()
        .delimiter(delimiter)
        .quoting(quoting)
        .build();
    let bytes = line.as_bytes();
    let mut scratch = [0u8; 1024];
    let mut spans = Vec::new();
    let (mut start, mut at) = (0, 0);
    loop {
        let (result, read, _) = reader.read_field(&bytes[at..], &mut scratch);
        at += read;
        match result {
            // Only where the fields are is kept, not their bytes.
            csv_core::ReadFieldResult::OutputFull | csv_core::ReadFieldResult::InputEmpty => {}
            // The delimiter after a field is read with it.
            csv_core::ReadFieldResult::Field { record_end: false } => {
                spans.push((start, at - 1 - start));
                start = at;
            }
            csv_core::ReadFieldResult::Field { record_end: true }
            | csv_core::ReadFieldResult::End => {
                spans.push((start, at - start));
                return spans;
            }
        }
    }
}

/// At most `around` characters of `line` on each side of the byte span
/// `(start, len)` (and of the span itself), "…" where it is cut, and where
/// the span is in what is kept: a line shown to a person is never huge.
///
/// ```
/// use acp_recon::source::line::window;
/// assert_eq!(window("a,b,c", (2, 1), 10), ("a,b,c".to_string(), (2, 1)));
/// let line = format!("{},x,{}", "a".repeat(50), "b".repeat(50));
/// let (shown, span) = window(&line, (51, 1), 5);
/// assert_eq!(shown, "…aaaa,x,bbbb…");
/// assert_eq!(&shown[span.0..span.0 + span.1], "x");
/// ```
pub fn window(line: &str, span: (usize, usize), around: usize) -> (String, (usize, usize)) {
    let floor = |mut i: usize| {
        i = i.min(line.len());
        while !line.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let back = |from: usize, n: usize| {
        let before = &line[..floor(from)];
        before
            .char_indices()
            .rev()
            .nth(n.saturating_sub(1))
            .map_or(0, |(i, _)| i)
    };
    let ahead = |from: usize, n: usize| {
        let from = floor(from);
        line[from..]
            .char_indices()
            .nth(n)
            .map_or(line.len(), |(i, _)| from + i)
    };
    let span_start = floor(span.0);
    let span_end = ahead(span_start, (span.1).min(line.len()).min(around.max(1) * 2))
        .min(floor(span.0 + span.1));
    let start = back(span_start, around);
    let end = ahead(span_end, around);
    let mut shown = String::new();
    if start > 0 {
        shown.push('…');
    }
    let shift = shown.len();
    shown.push_str(&line[start..end]);
    if end < line.len() {
        shown.push('…');
    }
    (shown, (span_start - start + shift, span_end - span_start))
}

/// [`split`], quoting only when the line's quotes balance: a line whose
/// quotes do not is split on every delimiter, as the reader did.
pub fn field_spans(line: &str, delimiter: u8) -> Vec<(usize, usize)> {
    let balanced = line.bytes().filter(|&b| b == b'"').count() % 2 == 0;
    split(line, delimiter, balanced)
}

/// Whether a record's quotes are all where CSV puts them: a quoted field
/// opens at its start, doubles its quotes, and closes before a delimiter
/// or the end. A record that spans lines with quotes anywhere else has a
/// stray quote that swallowed the lines after it.
pub(crate) fn well_quoted(raw: &[u8], delimiter: u8) -> bool {
    let mut i = 0;
    loop {
        if raw.get(i) == Some(&b'"') {
            i += 1;
            loop {
                match raw.get(i) {
                    None => return false,
                    Some(b'"') if raw.get(i + 1) == Some(&b'"') => i += 2,
                    Some(b'"') => break,
                    Some(_) => i += 1,
                }
            }
            i += 1;
            match raw.get(i) {
                None => return true,
                Some(&b) if b == delimiter => i += 1,
                Some(_) => return false,
            }
        } else {
            match raw[i..].iter().position(|&b| b == delimiter || b == b'"') {
                None => return true,
                Some(p) if raw[i + p] == b'"' => return false,
                Some(p) => i += p + 1,
            }
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_are_well_placed_or_not() {
        for (raw, well) in [
            ("a,b", true),
            ("\"a\",b", true),
            ("\"a\"\"x\",\"\"", true),
            ("\"a\nb\",c", true),
            ("a\"b,c", false),
            ("\"a\"b,c", false),
            ("\"a", false),
        ] {
            assert_eq!(well_quoted(raw.as_bytes(), b','), well, "{raw:?}");
        }
    }

    #[test]
    fn fields_fall_where_the_reader_puts_them() {
        let cases: &[(&str, &[(usize, usize)])] = &[
            ("", &[(0, 0)]),
            ("a", &[(0, 1)]),
            ("a,", &[(0, 1), (2, 0)]),
            (",", &[(0, 0), (1, 0)]),
            (r#"a,"b,c",,d"#, &[(0, 1), (2, 5), (8, 0), (9, 1)]),
            (r#""a""b",c"#, &[(0, 6), (7, 1)]),
            // Unbalanced: every delimiter splits.
            (r#""ann,1234,x"#, &[(0, 4), (5, 4), (10, 1)]),
        ];
        for (line, want) in cases {
            assert_eq!(field_spans(line, b','), *want, "{line:?}");
        }
        let huge = "z".repeat(100_000);
        let (shown, span) = window(&huge, (50_000, 10), 100);
        assert!(shown.len() < 300, "{}", shown.len());
        assert_eq!(span.1, 10);
        let (shown, span) = window("é,ü,ö", (3, 2), 1);
        assert_eq!(&shown[span.0..span.0 + span.1], "ü");
        let long = format!("a;\"{}\";b", "x".repeat(5000));
        assert_eq!(field_spans(&long, b';'), [(0, 1), (2, 5002), (5005, 1)]);
    }
}
