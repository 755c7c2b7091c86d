//! Quoting for the places our output goes: PowerShell strings, cells that
//! a spreadsheet will open, and text shown on a terminal. Each rule lives in one function with a table of
//! hostile inputs, so no other code quotes by hand.

use std::fmt::{self, Write as _};

/// A PowerShell single-quoted string literal. Inside one, nothing is
/// expanded; the only escape is a doubled quote, and PowerShell counts the
/// curly quotes U+2018..U+201B as single quotes too, so they are doubled
/// as well. NUL cannot be written in a script; it becomes U+FFFD.
///
/// ```
/// assert_eq!(acp_recon::escape::powershell("O'Neil"), "'O''Neil'");
/// assert_eq!(acp_recon::escape::powershell("$(rm -r C:\\)"), "'$(rm -r C:\\)'");
/// ```
pub fn powershell(value: &str) -> String {
    Quoted(value).to_string()
}

/// [`powershell`] as `Display`: writes the literal without building it.
pub struct Quoted<'a>(pub &'a str);

impl Quoted<'_> {
    /// Appends the literal: a plan holds several per person. Most values
    /// hold no quote, NUL or U+2018..U+201B (lead byte E2), and go between
    /// the quotes as they are.
    pub fn push_to(&self, out: &mut String) {
        if self.0.bytes().any(|b| matches!(b, b'\'' | 0 | 0xE2)) {
            let _ = write!(out, "{self}");
        } else {
            out.push('\'');
            out.push_str(self.0);
            out.push('\'');
        }
    }
}

impl fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_char('\'')?;
        let mut rest = self.0;
        while let Some((i, c)) = rest
            .char_indices()
            .find(|&(_, c)| matches!(c, '\'' | '\u{2018}'..='\u{201b}' | '\0'))
        {
            f.write_str(&rest[..i])?;
            match c {
                '\0' => f.write_char('\u{fffd}')?,
                quote => {
                    f.write_char(quote)?;
                    f.write_char(quote)?;
                }
            }
            rest = &rest[i + c.len_utf8()..];
        }
        f.write_str(rest)?;
        f.write_char('\'')
    }
}

/// Text safe inside a PowerShell `#` comment: line breaks would end the
/// comment and let the rest run, so every control character becomes a space.
pub fn powershell_comment(value: &str) -> String {
    Commented(value).to_string()
}

/// [`powershell_comment`] as `Display`.
pub struct Commented<'a>(pub &'a str);

impl Commented<'_> {
    /// Appends the text. Text without control bytes, DEL, or the lead bytes
    /// of C1 controls (C2) and of U+2028/U+2029 (E2) is safe as it is.
    pub fn push_to(&self, out: &mut String) {
        if self
            .0
            .bytes()
            .any(|b| b < 0x20 || matches!(b, 0x7F | 0xC2 | 0xE2))
        {
            let _ = write!(out, "{self}");
        } else {
            out.push_str(self.0);
        }
    }
}

impl fmt::Display for Commented<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ends_comment = |c: char| c.is_control() || matches!(c, '\u{2028}' | '\u{2029}');
        let mut rest = self.0;
        while let Some((i, c)) = rest.char_indices().find(|&(_, c)| ends_comment(c)) {
            f.write_str(&rest[..i])?;
            f.write_char(' ')?;
            rest = &rest[i + c.len_utf8()..];
        }
        f.write_str(rest)
    }
}

/// A cell for a file a person opens in Excel: a value starting with `=`,
/// `+`, `-`, `@`, tab or CR would be run as a formula, so it gets a leading
/// `'`, which Excel shows as text.
///
/// ```
/// use acp_recon::escape::spreadsheet_cell;
/// assert_eq!(spreadsheet_cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
/// assert_eq!(spreadsheet_cell("+14255550100"), "'+14255550100");
/// assert_eq!(spreadsheet_cell("ann@contoso.example"), "ann@contoso.example");
/// ```
pub fn spreadsheet_cell(value: &str) -> std::borrow::Cow<'_, str> {
    let value = excel_cell(value);
    match value.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{value}").into(),
        _ => value,
    }
}

/// The most characters an Excel cell holds.
pub const EXCEL_CELL: usize = 32_767;

/// A value as an Excel cell can hold it: whole, or cut so that with the
/// mark `…[cut: N characters]` (N: how many were cut) it is at most
/// [`EXCEL_CELL`] characters, the formula mark `'` included.
///
/// ```
/// use acp_recon::escape::{excel_cell, EXCEL_CELL};
/// assert_eq!(excel_cell("+14255550100"), "+14255550100");
/// let long = "9".repeat(40_000);
/// let cut = excel_cell(&long);
/// assert!(cut.ends_with("…[cut: 7257 characters]"));
/// assert_eq!(cut.chars().count(), EXCEL_CELL - 1);
/// ```
pub fn excel_cell(value: &str) -> std::borrow::Cow<'_, str> {
    // One character is left for the `'` a formula gets.
    const ROOM: usize = EXCEL_CELL - 1;
    if value.len() <= ROOM {
        return value.into();
    }
    let Some((end, _)) = value.char_indices().nth(ROOM) else {
        return value.into();
    };
    let total = ROOM + value[end..].chars().count();
    // The mark's length depends on the count it gives: settle it.
    let mut kept = ROOM;
    loop {
        let mark = format!("…[cut: {} characters]", total - kept);
        let fits = ROOM - mark.chars().count();
        if fits == kept {
            let at = value
                .char_indices()
                .nth(kept)
                .map_or(value.len(), |(i, _)| i);
            return format!("{}{mark}", &value[..at]).into();
        }
        kept = fits;
    }
}

/// Whether a character can steer a terminal or reorder what it shows: C0
/// controls but tab and line feed, DEL, C1 controls, and the bidirectional
/// embeddings, overrides and isolates.
fn steers_terminal(c: char) -> bool {
    (c.is_control() && !matches!(c, '\t' | '\n'))
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Text for stdout or stderr: every character that could steer the
/// terminal is shown as an escape (`\u{1b}`), the rest as it is.
///
/// ```
/// use acp_recon::escape::terminal;
/// assert_eq!(terminal("a\u{1b}]0;x\u{7}b"), "a\\u{1b}]0;x\\u{7}b");
/// assert_eq!(terminal("abc\u{202e}d"), "abc\\u{202e}d");
/// assert_eq!(terminal("Zoë\tok\n"), "Zoë\tok\n");
/// ```
pub fn terminal(text: &str) -> std::borrow::Cow<'_, str> {
    terminal_span(text, (0, 0)).0
}

/// [`terminal`], and where the byte span `(start, len)` of `text` is in the
/// escaped text.
pub fn terminal_span(
    text: &str,
    span: (usize, usize),
) -> (std::borrow::Cow<'_, str>, (usize, usize)) {
    if !text.chars().any(steers_terminal) {
        return (text.into(), span);
    }
    let (mut start, mut end) = span;
    let mut out = String::with_capacity(text.len() + 16);
    for (i, c) in text.char_indices() {
        if i == span.0 {
            start = out.len();
        }
        if i == span.0 + span.1 {
            end = out.len();
        }
        if steers_terminal(c) {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        } else {
            out.push(c);
        }
    }
    if span.0 >= text.len() {
        start = out.len();
    }
    if span.0 + span.1 >= text.len() {
        end = out.len();
    }
    (out.into(), (start, end - start))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_spans_follow_the_escapes() {
        let text = "a\u{1b}b,c\u{9b}d,e";
        let (escaped, span) = terminal_span(text, (text.find(',').unwrap() + 1, 4));
        assert_eq!(escaped, "a\\u{1b}b,c\\u{9b}d,e");
        assert_eq!(&escaped[span.0..span.0 + span.1], "c\\u{9b}d");
        assert_eq!(terminal_span("ab", (2, 0)), ("ab".into(), (2, 0)));
    }

    /// Every hostile value stays inside one single-quoted literal: the body
    /// between the outer quotes has only doubled quote characters.
    #[test]
    fn no_value_escapes_a_powershell_string() {
        let hostile = [
            "'; Remove-Item -Recurse C:\\ ; '",
            "O'Neil",
            "\u{2018}curly\u{2019}",
            "\u{201a}low\u{201b}",
            "$(Invoke-Expression 'calc')",
            "${env:PATH}",
            "`n`r back`tick",
            "line\nbreak\r\nhere",
            "a; b",
            "# not a comment",
            "<# block #>",
            "nul\0byte",
            "'",
            "''",
            "",
        ];
        for value in hostile {
            let quoted = powershell(value);
            let mut pushed = String::new();
            Quoted(value).push_to(&mut pushed);
            assert_eq!(pushed, quoted);
            assert!(
                quoted.starts_with('\'') && quoted.ends_with('\''),
                "{value:?}"
            );
            let body: Vec<char> = quoted[1..quoted.len() - 1].chars().collect();
            let quote =
                |c: char| matches!(c, '\'' | '\u{2018}' | '\u{2019}' | '\u{201a}' | '\u{201b}');
            let mut i = 0;
            while i < body.len() {
                if quote(body[i]) {
                    assert!(
                        i + 1 < body.len() && body[i + 1] == body[i],
                        "{value:?} -> {quoted}"
                    );
                    i += 2;
                } else {
                    assert_ne!(body[i], '\0');
                    i += 1;
                }
            }
        }
    }

    #[test]
    fn comments_cannot_be_ended_by_a_value() {
        assert_eq!(powershell_comment("a\r\nRemove-Item x"), "a  Remove-Item x");
        assert_eq!(powershell_comment("a\u{2028}b\u{85}c"), "a b c");
        for value in [
            "plain <a@b>",
            "a\r\nRemove-Item x",
            "Zoë\u{2028}",
            "x\u{85}",
        ] {
            let mut pushed = String::new();
            Commented(value).push_to(&mut pushed);
            assert_eq!(pushed, powershell_comment(value), "{value:?}");
        }
    }

    #[test]
    fn neutralises_cells_excel_would_run() {
        let cases = [
            ("=1+1", "'=1+1"),
            ("+1 425", "'+1 425"),
            ("-2", "'-2"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("plain", "plain"),
            ("", ""),
            ("a=b", "a=b"),
        ];
        for (raw, want) in cases {
            assert_eq!(spreadsheet_cell(raw), want, "{raw:?}");
        }
    }
}
