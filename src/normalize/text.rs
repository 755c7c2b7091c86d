//! Cell text: invisible characters, keys, and the marks Excel leaves on
//! numbers it has touched.

use std::borrow::Cow;

/// Characters that render as nothing (or as a space) yet break equality:
/// NBSP from web copies, zero-width marks, a BOM inside a cell.
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00a0}' | '\u{00ad}' | '\u{200b}'..='\u{200f}' | '\u{2060}' | '\u{202f}' | '\u{feff}'
    )
}

/// Trims whitespace and invisible characters at both ends.
pub fn trim_cell(raw: &str) -> &str {
    // Most cells start and end on a visible ASCII character: nothing to trim.
    match raw.as_bytes() {
        [] => raw,
        [first, .., last] | [first @ last]
            if first.is_ascii_graphic() && last.is_ascii_graphic() =>
        {
            raw
        }
        _ => raw.trim_matches(|c: char| c.is_whitespace() || is_invisible(c)),
    }
}

/// A user key as compared: trimmed, invisible characters removed, `sip:`
/// stripped, lowercased.
pub fn clean_key(raw: &str) -> String {
    let mut out = String::new();
    clean_key_into(raw, &mut out);
    out
}

/// [`clean_key`], borrowed from `raw` when the key is there as it is
/// compared: ASCII and lowercase, as most are.
pub fn clean_key_cow(raw: &str) -> Cow<'_, str> {
    let key = key_part(raw);
    if key.is_ascii() && !key.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Borrowed(key)
    } else {
        let mut out = String::new();
        fold_key_into(key, &mut out);
        Cow::Owned(out)
    }
}

/// [`clean_key`] into a buffer the caller reuses, for lookups that need no
/// key of their own.
pub fn clean_key_into(raw: &str, out: &mut String) {
    out.clear();
    fold_key_into(key_part(raw), out);
}

/// Appends `key` (a [`key_part`]) lowercased, without invisible characters.
fn fold_key_into(key: &str, out: &mut String) {
    out.reserve(key.len());
    if key.is_ascii() {
        let from = out.len();
        out.push_str(key);
        out[from..].make_ascii_lowercase();
        return;
    }
    for c in key.chars().filter(|&c| !is_invisible(c)) {
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
        } else {
            out.extend(c.to_lowercase());
        }
    }
}

/// The part of a cell that is the key: trimmed, without quotes or `sip:`.
fn key_part(raw: &str) -> &str {
    // Quotes around a key are left from a row whose quoting broke.
    let mut key = trim_cell(trim_cell(raw).trim_matches('"'));
    while let Some(prefix) = key.get(..4).filter(|p| p.eq_ignore_ascii_case("sip:")) {
        key = trim_cell(&key[prefix.len()..]);
    }
    key
}

/// Case- and whitespace-insensitive equality for names echoed back. Excel
/// turns `'` into `’` as people type, so apostrophes compare equal.
pub fn same_text(a: &str, b: &str) -> bool {
    let fold = |c: char| match c {
        '\u{2018}' | '\u{2019}' => '\'',
        c => c,
    };
    let chars = |s: &str| {
        let mut words = s
            .split(|c: char| c.is_whitespace() || is_invisible(c))
            .filter(|w| !w.is_empty())
            .peekable();
        let mut out = Vec::new();
        while let Some(word) = words.next() {
            out.extend(word.chars().flat_map(char::to_lowercase).map(fold));
            if words.peek().is_some() {
                out.push(' ');
            }
        }
        out
    };
    // The common case, equal text, needs no folding at all.
    a == b || chars(a) == chars(b)
}

/// A trace of Excel having turned a digit string into a number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExcelDamage {
    /// `1.42555E+10`, `4,93026E+11`: digits past the sixth are gone.
    Scientific,
    /// `14255550100.0`: the digits survive; the value they had is given.
    DecimalSuffix(String),
}

/// Recognises the text Excel writes for a long digit string it stored as a
/// number. Returns `None` for anything else.
///
/// ```
/// use acp_recon::normalize::text::{excel_damage, ExcelDamage};
/// assert_eq!(excel_damage("1.42555E+10"), Some(ExcelDamage::Scientific));
/// assert_eq!(excel_damage("123456.0"), Some(ExcelDamage::DecimalSuffix("123456".into())));
/// assert_eq!(excel_damage("+1 425 555 0100"), None);
/// ```
pub fn excel_damage(raw: &str) -> Option<ExcelDamage> {
    let s = trim_cell(raw);
    let unsigned = s.strip_prefix(['+', '-']).unwrap_or(s);
    // Every row's conference ID and numbers come here; most are digits.
    if all_digits(unsigned) {
        return None;
    }
    let find = |what: [u8; 2]| unsigned.bytes().position(|b| what.contains(&b));
    if let Some(e) = find([b'e', b'E']) {
        let (mantissa, exponent) = (&unsigned[..e], &unsigned[e + 1..]);
        let exponent = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
        let mantissa_ok = match mantissa.split_once(['.', ',']) {
            Some((int, frac)) => all_digits(int) && all_digits(frac),
            None => all_digits(mantissa),
        };
        if mantissa_ok && all_digits(exponent) {
            return Some(ExcelDamage::Scientific);
        }
        return None;
    }
    if let Some(point) = find([b'.', b',']) {
        let (int, frac) = (&unsigned[..point], &unsigned[point + 1..]);
        if all_digits(int) && !frac.is_empty() && frac.bytes().all(|b| b == b'0') {
            return Some(ExcelDamage::DecimalSuffix(int.to_string()));
        }
    }
    None
}

/// True for a non-empty string of ASCII digits.
pub fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_cleaned_the_same_way_whatever_the_noise() {
        let cases = [
            ("ann@contoso.example", "ann@contoso.example"),
            ("  Ann@Contoso.Example ", "ann@contoso.example"),
            ("sip:ann@contoso.example", "ann@contoso.example"),
            ("SIP: ann@contoso.example", "ann@contoso.example"),
            ("\u{feff}ann@contoso.example", "ann@contoso.example"),
            ("ann\u{200b}@contoso.example\u{a0}", "ann@contoso.example"),
            ("ÉLISE@contoso.example", "élise@contoso.example"),
            ("", ""),
            ("\u{a0}\u{200b}", ""),
        ];
        for (raw, want) in cases {
            assert_eq!(clean_key(raw), want, "{raw:?}");
            assert_eq!(clean_key_cow(raw), want, "{raw:?}");
        }
        // A key as it is compared is borrowed, not copied.
        assert!(matches!(
            clean_key_cow(" sip:ann@x "),
            Cow::Borrowed("ann@x")
        ));
        assert!(matches!(clean_key_cow("Ann@x"), Cow::Owned(_)));
    }

    proptest::proptest! {
        #[test]
        fn a_borrowed_key_is_the_cleaned_key(raw in "(sip:| |\"|[aA.@é\u{a0}\u{200b}]){0,12}") {
            proptest::prop_assert_eq!(clean_key_cow(&raw), clean_key(&raw));
        }
    }

    #[test]
    fn cleaning_a_key_twice_changes_nothing() {
        for raw in ["sip:sip:Ann@X", " A\u{a0}b ", "ÉLISE"] {
            let once = clean_key(raw);
            assert_eq!(clean_key(&once), once);
        }
    }

    #[test]
    fn recognises_the_text_excel_writes_for_numbers() {
        let cases: &[(&str, Option<ExcelDamage>)] = &[
            ("1.42555E+10", Some(ExcelDamage::Scientific)),
            ("4,93026E+11", Some(ExcelDamage::Scientific)),
            ("1E+15", Some(ExcelDamage::Scientific)),
            ("1.2e-3", Some(ExcelDamage::Scientific)),
            (
                "14255550100.0",
                Some(ExcelDamage::DecimalSuffix("14255550100".into())),
            ),
            ("0123,00", Some(ExcelDamage::DecimalSuffix("0123".into()))),
            ("123.5", None),
            ("+14255550100", None),
            ("Echo", None),
            ("E+10", None),
            ("1.2.3", None),
            ("", None),
        ];
        for (raw, want) in cases {
            assert_eq!(&excel_damage(raw), want, "{raw:?}");
        }
    }

    #[test]
    fn echoed_names_compare_without_case_or_spacing() {
        assert!(same_text("Ann  Smith", "ann smith\u{a0}"));
        assert!(same_text("Tara O'Brien", "Tara O\u{2019}Brien"));
        assert!(!same_text("Ann Smith", "Bob Smith"));
    }
}
