//! Cell text: invisible characters, keys, yes/no words, and the marks Excel
//! leaves on numbers it has touched.

use std::borrow::Cow;

/// Characters that render as nothing (or as a space) yet break equality:
/// NBSP from web copies, zero-width marks, a BOM inside a cell.
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00a0}' | '\u{00ad}' | '\u{200b}'..='\u{200f}' | '\u{2060}' | '\u{202f}' | '\u{feff}'
    )
}

/// A phone or ID cell, trimmed, without the one leading `'` that marks text
/// in Excel (and that send-back.csv's neutralising adds), so that a file
/// this tool wrote can come back.
///
/// ```
/// use acp_recon::normalize::text::value_cell;
/// assert_eq!(value_cell(" '+14255550100 "), "+14255550100");
/// assert_eq!(value_cell("''5100001"), "'5100001");
/// ```
pub fn value_cell(raw: &str) -> &str {
    let trimmed = trim_cell(raw);
    trimmed.strip_prefix('\'').map_or(trimmed, trim_cell)
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

/// A user key as compared: trimmed, invisible characters removed, quotes
/// and `sip:` stripped, lowercased; "" when nothing is left. The one place
/// a key is cleaned, for every input. Borrowed when the cell already reads
/// as its key, as most do.
///
/// ```
/// use acp_recon::normalize::text::key;
/// assert_eq!(key(" sip:Ann@Contoso.Example\u{a0}"), "ann@contoso.example");
/// assert_eq!(key(" \u{200b} "), "");
/// ```
pub fn key(raw: &str) -> Cow<'_, str> {
    // Quotes around a key are left from a row whose quoting broke.
    let mut key = trim_cell(raw);
    loop {
        let before = key;
        key = trim_cell(key.trim_matches('"'));
        if let Some(prefix) = key.get(..4).filter(|p| p.eq_ignore_ascii_case("sip:")) {
            key = trim_cell(&key[prefix.len()..]);
        }
        if key.len() == before.len() {
            break;
        }
    }
    if key.is_ascii() {
        if !key.bytes().any(|b| b.is_ascii_uppercase()) {
            return Cow::Borrowed(key);
        }
        return Cow::Owned(key.to_ascii_lowercase());
    }
    let mut out = String::with_capacity(key.len());
    for c in key.chars().filter(|&c| !is_invisible(c)) {
        out.extend(c.to_lowercase());
    }
    Cow::Owned(out)
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
    a == b || a.eq_ignore_ascii_case(b) || chars(a) == chars(b)
}

/// Whether `raw`, without case, spaces and punctuation, reads `folded`
/// (lowercase letters and digits).
pub fn folds_to(raw: &str, folded: &str) -> bool {
    // Short ASCII cells, nearly all, fold without a lookup per character.
    if raw.is_ascii() {
        let mut want = folded.bytes();
        return raw
            .bytes()
            .filter(u8::is_ascii_alphanumeric)
            .all(|b| want.next() == Some(b.to_ascii_lowercase()))
            && want.next().is_none();
    }
    raw.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .eq(folded.chars())
}

/// Reads the yes/no spellings of exports and spreadsheets.
///
/// ```
/// use acp_recon::normalize::text::yes_no;
/// assert_eq!(yes_no(" Wahr "), Some(true));
/// assert_eq!(yes_no("dis-abled"), Some(false));
/// assert_eq!(yes_no("maybe"), None);
/// ```
pub fn yes_no(raw: &str) -> Option<bool> {
    const YES: [&str; 10] = [
        "true", "yes", "y", "1", "enabled", "x", "wahr", "vrai", "ja", "oui",
    ];
    const NO: [&str; 9] = [
        "false", "no", "n", "0", "disabled", "falsch", "faux", "nein", "non",
    ];
    // Folded once, on the stack: the words are all short ASCII.
    let mut buffer = [0u8; 8];
    let mut len = 0;
    for c in raw
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
    {
        if len == buffer.len() || !c.is_ascii() {
            return None;
        }
        buffer[len] = c as u8;
        len += 1;
    }
    let is = |word: &&str| word.as_bytes() == &buffer[..len];
    if YES.iter().any(is) {
        Some(true)
    } else if NO.iter().any(is) {
        Some(false)
    } else {
        None
    }
}

/// Whether a provider name or domain names Microsoft's own bridge.
pub fn is_microsoft(name: &str, domain: &str) -> bool {
    folds_to(name, "microsoft")
        || folds_to(name, "microsoftaudioconferencing")
        || trim_cell(domain).eq_ignore_ascii_case("resources.lync.com")
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
        return (mantissa_ok && all_digits(exponent)).then_some(ExcelDamage::Scientific);
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
            ("sip:sip:Ann@X", "ann@x"),
            ("\"ann@x\"", "ann@x"),
            ("\u{feff}ann@contoso.example", "ann@contoso.example"),
            ("ann\u{200b}@contoso.example\u{a0}", "ann@contoso.example"),
            ("ÉLISE@contoso.example", "élise@contoso.example"),
            ("", ""),
            ("\u{a0}\u{200b}", ""),
        ];
        for (raw, want) in cases {
            assert_eq!(key(raw), want, "{raw:?}");
        }
        // A key as it is compared is borrowed, not copied.
        assert!(matches!(key(" sip:ann@x "), Cow::Borrowed("ann@x")));
    }

    proptest::proptest! {
        #[test]
        fn cleaning_a_key_twice_changes_nothing(raw in "(sip:| |\"|[aA.@éÉİ\u{a0}\u{200b}\u{3000}]){0,12}") {
            let once = key(&raw).into_owned();
            proptest::prop_assert_eq!(key(&once), once.as_str());
            proptest::prop_assert!(!once.chars().any(is_invisible));
        }

        #[test]
        fn trimming_takes_exactly_whitespace_and_invisible_characters(s in "[ -~\t\u{a0}\u{200b}\u{feff}\u{3000}Éİ]{0,12}") {
            let reference = s.trim_matches(|c: char| c.is_whitespace() || is_invisible(c));
            proptest::prop_assert_eq!(trim_cell(&s), reference);
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

    #[test]
    fn reads_yes_and_no_in_the_usual_spellings() {
        for raw in ["TRUE", "true", "Yes", "1", "Enabled", "Ja \u{2713}"] {
            assert_eq!(yes_no(raw), Some(true), "{raw}");
        }
        for raw in ["FALSE", "no", "0", "Disabled", "\u{a0}NEIN\u{a0}"] {
            assert_eq!(yes_no(raw), Some(false), "{raw}");
        }
        for raw in ["", "maybe", "enabledx", "not disabled at all"] {
            assert_eq!(yes_no(raw), None, "{raw}");
        }
    }

    #[test]
    fn microsoft_is_its_own_bridge() {
        assert!(is_microsoft("Microsoft", ""));
        assert!(is_microsoft(" microsoft audio conferencing ", ""));
        assert!(is_microsoft("Other", "Resources.Lync.com"));
        assert!(!is_microsoft("Fabrikam", "acp.fabrikam.example"));
    }
}
