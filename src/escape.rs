//! Quoting for the places our output goes: PowerShell strings and cells that
//! a spreadsheet will open. Each rule lives in one function with a table of
//! hostile inputs, so no other code quotes by hand.

use crate::bytes::{any_byte, below, has};
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
    /// Most values hold no quote, NUL or U+2018..U+201B (lead byte E2):
    /// they go between the quotes as they are.
    fn is_plain(&self) -> bool {
        !any_byte(self.0.as_bytes(), |w| {
            has(w, b'\'') | has(w, 0) | has(w, 0xE2)
        })
    }

    /// Appends the literal to bytes: a plan script writes millions.
    pub fn push_to(&self, out: &mut Vec<u8>) {
        if self.is_plain() {
            out.push(b'\'');
            out.extend_from_slice(self.0.as_bytes());
            out.push(b'\'');
        } else {
            let _ = std::io::Write::write_fmt(out, format_args!("{self}"));
        }
    }
}

impl fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_char('\'')?;
        if self.is_plain() {
            f.write_str(self.0)?;
            return f.write_char('\'');
        }
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
    /// Text without control bytes, DEL, or the lead bytes of C1 controls
    /// (C2) and of U+2028/U+2029 (E2), the usual case even with accents,
    /// is safe as it is; the rest is looked at a character at a time.
    fn is_plain(&self) -> bool {
        !any_byte(self.0.as_bytes(), |w| {
            below(w, 0x20) | has(w, 0x7F) | has(w, 0xC2) | has(w, 0xE2)
        })
    }

    /// Appends the text to bytes.
    pub fn push_to(&self, out: &mut Vec<u8>) {
        if self.is_plain() {
            out.extend_from_slice(self.0.as_bytes());
        } else {
            let _ = std::io::Write::write_fmt(out, format_args!("{self}"));
        }
    }
}

impl fmt::Display for Commented<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_plain() {
            return f.write_str(self.0);
        }
        let unsafe_char = |c: char| c.is_control() || matches!(c, '\u{2028}' | '\u{2029}');
        let mut rest = self.0;
        while let Some((i, c)) = rest.char_indices().find(|&(_, c)| unsafe_char(c)) {
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
    match value.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{value}").into(),
        _ => value.into(),
    }
}

/// A JSON string literal, as serde_json writes one: `"`, `\` and the
/// control characters escaped (the short escapes where JSON has them,
/// `\u00XX` otherwise), everything else as it is.
///
/// ```
/// let mut out = Vec::new();
/// acp_recon::escape::Json("say \"hi\"\n").push_to(&mut out);
/// assert_eq!(out, br#""say \"hi\"\n""#);
/// ```
pub struct Json<'a>(pub &'a str);

impl Json<'_> {
    /// Appends the literal to bytes: a report holds millions.
    pub fn push_to(&self, out: &mut Vec<u8>) {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let bytes = self.0.as_bytes();
        out.push(b'"');
        let mut plain = 0;
        let mut i = 0;
        while i < bytes.len() {
            // Eight bytes at a time past the many that need nothing.
            if let Some(word) = bytes.get(i..i + 8) {
                let word = u64::from_le_bytes(word.try_into().unwrap_or_default());
                if !needs_escape(word) {
                    i += 8;
                    continue;
                }
            }
            let b = bytes[i];
            i += 1;
            let escape = match b {
                b'"' => b'"',
                b'\\' => b'\\',
                b'\n' => b'n',
                b'\r' => b'r',
                b'\t' => b't',
                0x08 => b'b',
                0x0C => b'f',
                0..=0x1F => b'u',
                _ => continue,
            };
            out.extend_from_slice(&bytes[plain..i - 1]);
            plain = i;
            out.extend_from_slice(&[b'\\', escape]);
            if escape == b'u' {
                out.extend_from_slice(&[
                    b'0',
                    b'0',
                    HEX[usize::from(b >> 4)],
                    HEX[usize::from(b & 15)],
                ]);
            }
        }
        out.extend_from_slice(&bytes[plain..]);
        out.push(b'"');
    }
}

/// Whether any byte of `word` is a control character, `"` or `\\`.
fn needs_escape(word: u64) -> bool {
    below(word, 0x20) | has(word, b'"') | has(word, b'\\')
}

/// Appends a number in decimal: outputs write a line number per row.
pub(crate) fn push_decimal(out: &mut Vec<u8>, n: impl itoa::Integer) {
    out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
}

/// Appends one CSV field as the csv crate writes it by default: in
/// quotes, with quotes doubled, only when it holds a comma, a quote or a
/// line break. Written here directly, a million rows take half the time.
pub fn csv_field(out: &mut Vec<u8>, value: &str) {
    let bytes = value.as_bytes();
    let plain = !any_byte(bytes, |w| {
        has(w, b',') | has(w, b'"') | has(w, b'\n') | has(w, b'\r')
    });
    if plain {
        out.extend_from_slice(bytes);
        return;
    }
    out.push(b'"');
    for part in bytes.split_inclusive(|&b| b == b'"') {
        out.extend_from_slice(part);
        if part.ends_with(b"\"") {
            out.push(b'"');
        }
    }
    out.push(b'"');
}

/// Appends a CSV record of `fields`, each as [`csv_field`] writes it.
pub fn csv_record(out: &mut Vec<u8>, fields: &[&str]) {
    for (i, field) in fields.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        csv_field(out, field);
    }
    out.push(b'\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_as_the_csv_crate_quotes_them() {
        for value in [
            "plain",
            "",
            "a,b",
            "say \"hi\"",
            "\"",
            "line\nbreak",
            "cr\rhere",
            "semi;colon",
            " spaced ",
            "#hash",
        ] {
            let mut ours = Vec::new();
            csv_field(&mut ours, value);
            ours.extend_from_slice(b",x\n");
            let mut theirs = ::csv::Writer::from_writer(Vec::new());
            theirs.write_record([value, "x"]).unwrap();
            assert_eq!(
                String::from_utf8(ours).unwrap(),
                String::from_utf8(theirs.into_inner().unwrap()).unwrap(),
                "{value:?}"
            );
        }
    }

    /// Text of the characters each fast path looks for, and of their
    /// neighbours, in any order and at any offset from eight-byte words.
    const TRICKY: &str =
        "(?s)[a,\"\\n\\r'\\x00\\x1f\\x7f\\x{80}\\x{85}\\x{a0}é\\x{2018}\\x{201b}\\x{2028}\\x{2029}\\x{2030}\\\\]{0,40}|(?s).{0,40}";

    proptest::proptest! {
        /// The eight-byte checks decide as the plain definitions do.
        #[test]
        fn fast_paths_match_their_definitions(text in TRICKY) {
            let mut field = Vec::new();
            csv_field(&mut field, &text);
            field.extend_from_slice(b",x\n");
            let mut theirs = ::csv::Writer::from_writer(Vec::new());
            theirs.write_record([text.as_str(), "x"]).unwrap();
            proptest::prop_assert_eq!(field, theirs.into_inner().unwrap());

            let mut quoted = Vec::new();
            Quoted(&text).push_to(&mut quoted);
            let mut expected = String::from("'");
            for c in text.chars() {
                match c {
                    '\0' => expected.push('\u{fffd}'),
                    '\'' | '\u{2018}'..='\u{201b}' => {
                        expected.push(c);
                        expected.push(c);
                    }
                    c => expected.push(c),
                }
            }
            expected.push('\'');
            proptest::prop_assert_eq!(String::from_utf8(quoted).unwrap(), expected);

            let mut commented = Vec::new();
            Commented(&text).push_to(&mut commented);
            let expected: String = text
                .chars()
                .map(|c| if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') { ' ' } else { c })
                .collect();
            proptest::prop_assert_eq!(String::from_utf8(commented).unwrap(), expected);
        }

        /// Any text, as serde_json would write it.
        #[test]
        fn json_strings_are_serde_jsons(text in "(?s).{0,80}|[\\x00-\\x7f\"\\\\]{0,80}") {
            let mut out = Vec::new();
            Json(&text).push_to(&mut out);
            proptest::prop_assert_eq!(out, serde_json::to_vec(&text).unwrap());
        }
    }

    #[test]
    fn json_escapes_every_control_character() {
        let text: String = (0u8..0x80)
            .map(char::from)
            .chain(['\u{85}', '\u{2028}', 'é'])
            .collect();
        let mut out = Vec::new();
        Json(&text).push_to(&mut out);
        assert_eq!(out, serde_json::to_vec(&text).unwrap());
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
            let mut pushed = Vec::new();
            Quoted(value).push_to(&mut pushed);
            assert_eq!(pushed, quoted.as_bytes());
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
        for value in ["plain <a@b>", "a\r\nRemove-Item x", "Zoë\u{2028}"] {
            let mut pushed = Vec::new();
            Commented(value).push_to(&mut pushed);
            assert_eq!(pushed, powershell_comment(value).as_bytes());
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
