//! Phone numbers: cleaning what vendors and Excel write, validation and the
//! toll-free type with the `phonenumber` crate, E.164 out.

use super::text::{all_digits, is_invisible, trim_cell, value_cell};
use super::{damaged, inexact, number_digits, Verdict};
use crate::finding::{Damage, Invalid};
use phonenumber::{country, metadata::DATABASE, Mode, Type};
use std::cell::Cell;
use std::panic::{self, AssertUnwindSafe};

/// A valid number: E.164, and whether it is toll-free.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Valid {
    pub e164: String,
    pub toll_free: bool,
}

/// Checks one raw cell. `region` is used for numbers written without a
/// country code.
///
/// ```
/// use acp_recon::normalize::{phone::check, Verdict};
/// let us = Some("US".parse().unwrap());
/// match check("(425) 555-0100", us) {
///     Verdict::Valid(number) => {
///         assert_eq!(number.e164, "+14255550100");
///         assert!(!number.toll_free);
///     }
///     other => panic!("{other:?}"),
/// }
/// assert!(matches!(check("1.42555E+10", us), Verdict::Mangled { .. }));
/// assert!(matches!(check("+1 425 555", us), Verdict::Invalid(_)));
/// ```
pub fn check(raw: &str, region: Option<country::Id>) -> Verdict<Valid> {
    let trimmed = value_cell(raw);
    if let Some(verdict) = damaged(trimmed, |digits| match check(digits, region) {
        Verdict::Valid(number) | Verdict::Repaired(number, _) => Some(number.e164),
        Verdict::Mangled { likely, .. } => likely,
        Verdict::Invalid(_) => None,
    }) {
        return verdict;
    }
    let cleaned = match clean(trimmed) {
        Ok(cleaned) => cleaned,
        Err(reason) => return Verdict::Invalid(reason),
    };
    // Excel drops the + of an E.164 number it turns into a number. Digits that
    // only make sense with it are that, unless the region reads them the same.
    if all_digits(&cleaned) && (11..=15).contains(&cleaned.len()) && !cleaned.starts_with('0') {
        if let Some(international) = parse(&format!("+{cleaned}"), None) {
            let national = parse(&cleaned, region);
            if national.as_ref().map(|n| &n.e164) != Some(&international.e164) {
                return Verdict::Mangled {
                    damage: Damage::LostPlus,
                    likely: Some(international.e164),
                };
            }
        }
    }
    if !cleaned.starts_with('+') && region.is_none() {
        return Verdict::Invalid(Invalid::NoCountryCode);
    }
    match parse(&cleaned, region) {
        Some(number) => Verdict::Valid(number),
        None => Verdict::Invalid(Invalid::NotAPhoneNumber),
    }
}

/// Judges a spreadsheet cell that holds a number, not text. Its digits are
/// taken only when they are unambiguous: a whole number of at most 15 digits
/// that is a valid number once the `+` Excel dropped is restored.
///
/// ```
/// use acp_recon::normalize::{phone::from_number, Verdict};
/// let us = Some("US".parse().unwrap());
/// assert!(matches!(from_number(14255550100.0, us), Verdict::Repaired(_, _)));
/// assert!(matches!(from_number(4255550100.0, us), Verdict::Mangled { likely: Some(_), .. }));
/// assert!(matches!(from_number(14255550100.5, us), Verdict::Mangled { likely: None, .. }));
/// ```
pub fn from_number(value: f64, region: Option<country::Id>) -> Verdict<Valid> {
    let Some(digits) = number_digits(value).filter(|d| d != "0") else {
        return inexact();
    };
    if let Some(number) = parse(&format!("+{digits}"), None) {
        return Verdict::Repaired(number, Damage::LostPlus);
    }
    Verdict::Mangled {
        damage: Damage::StoredAsNumber,
        likely: check(&digits, region).valid().map(|n| n.e164),
    }
}

/// Strips the punctuation people put in numbers; `00` becomes `+`.
fn clean(s: &str) -> Result<String, Invalid> {
    let s = match s.get(..4) {
        Some(p) if p.eq_ignore_ascii_case("tel:") => &s[4..],
        _ => s,
    };
    // "+44 (0)20 ..." is a habit: the (0) is not dialled from abroad.
    let s = s.replace("(0)", "");
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '0'..='9' => out.push(c),
            '+' if out.is_empty() => out.push(c),
            ' ' | '-' | '.' | '(' | ')' | '/' | '\u{2010}'..='\u{2015}' => {}
            c if c.is_whitespace() || is_invisible(c) => {}
            c => return Err(Invalid::Contains(c)),
        }
    }
    if let Some(rest) = out.strip_prefix("00") {
        out = format!("+{rest}");
    }
    if out.trim_start_matches('+').is_empty() {
        return Err(Invalid::NoDigits);
    }
    Ok(out)
}

thread_local! {
    static IN_PARSER: Cell<bool> = const { Cell::new(false) };
}

/// Parses with the crate, which is known to panic on some odd inputs: a
/// panic is caught and taken as "not a valid number".
fn parse(cleaned: &str, region: Option<country::Id>) -> Option<Valid> {
    IN_PARSER.with(|f| f.set(true));
    let result = panic::catch_unwind(AssertUnwindSafe(|| {
        let number = phonenumber::parse(region, cleaned).ok()?;
        if number.extension().is_some() || !phonenumber::is_valid(&number) {
            return None;
        }
        Some(Valid {
            e164: number.format().mode(Mode::E164).to_string(),
            toll_free: number.number_type(&DATABASE) == Type::TollFree,
        })
    }));
    IN_PARSER.with(|f| f.set(false));
    result.ok().flatten()
}

/// Keeps panics caught inside the phone parser off stderr; every other panic
/// is reported as before. Called once by the binary.
pub fn quiet_parser_panics() {
    let previous = panic::take_hook();
    panic::set_hook(Box::new(move |info| {
        if !IN_PARSER.with(Cell::get) {
            previous(info);
        }
    }));
}

/// Parses a region code such as `US` or `gb`.
pub fn region(code: &str) -> Option<country::Id> {
    code.trim().to_ascii_uppercase().parse().ok()
}

/// The entries of a list cell: `;` separates, or `,` when there is no `;`.
pub fn split_list(cell: &str) -> impl Iterator<Item = &str> {
    let cell = value_cell(cell);
    let separator = if cell.contains(';') { ';' } else { ',' };
    cell.split(separator)
        .map(trim_cell)
        .filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn us() -> Option<country::Id> {
        region("US")
    }

    fn valid(raw: &str, r: Option<country::Id>) -> (String, bool) {
        match check(raw, r) {
            Verdict::Valid(n) => (n.e164, n.toll_free),
            other => panic!("{raw:?}: {other:?}"),
        }
    }

    #[test]
    fn normalises_the_ways_people_write_numbers() {
        let cases = [
            ("+14255550100", "+14255550100"),
            ("+1 (425) 555-0100", "+14255550100"),
            ("425.555.0100", "+14255550100"),
            ("tel:+1-425-555-0100", "+14255550100"),
            ("0014255550100", "+14255550100"),
            ("14255550100", "+14255550100"),
            ("+44 (0)20 7946 0958", "+442079460958"),
            ("\u{a0}+1 425 555 0100 ", "+14255550100"),
        ];
        for (raw, want) in cases {
            assert_eq!(valid(raw, us()).0, want, "{raw:?}");
        }
    }

    #[test]
    fn tells_toll_free_numbers_apart() {
        assert!(valid("+1 800 555 0199", us()).1);
        assert!(valid("+1 888 555 0100", us()).1);
        assert!(!valid("+1 425 555 0100", us()).1);
    }

    /// Each reason a cell is not a number, one row each.
    #[test]
    fn each_reason_a_cell_is_not_a_number() {
        let cases = [
            ("+1 425 555", Invalid::NotAPhoneNumber),
            ("call me", Invalid::Contains('c')),
            ("+", Invalid::NoDigits),
            ("()", Invalid::NoDigits),
            ("+1 425 555 0100 x12", Invalid::Contains('x')),
            ("12", Invalid::NotAPhoneNumber),
        ];
        for (raw, want) in cases {
            assert_eq!(check(raw, us()), Verdict::Invalid(want), "{raw:?}");
        }
        assert_eq!(
            check("4255550100", None),
            Verdict::Invalid(Invalid::NoCountryCode)
        );
        assert_eq!(valid("+14255550100", None).0, "+14255550100");
    }

    #[test]
    fn spots_excel_damage_and_says_what_was_likely_meant() {
        let cases = [
            ("1.42555E+10", Damage::Scientific, None),
            ("14255550100.0", Damage::DecimalSuffix, Some("+14255550100")),
            ("442079460958", Damage::LostPlus, Some("+442079460958")),
        ];
        for (raw, damage, likely) in cases {
            assert_eq!(
                check(raw, us()),
                Verdict::Mangled {
                    damage,
                    likely: likely.map(String::from)
                },
                "{raw:?}"
            );
        }
        assert_eq!(
            from_number(4255550100.0, us()),
            Verdict::Mangled {
                damage: Damage::StoredAsNumber,
                likely: Some("+14255550100".into())
            }
        );
    }

    proptest::proptest! {
        /// An E.164 number checks as itself.
        #[test]
        fn normalising_twice_changes_nothing(raw in "[+0-9 ()./-]{0,18}") {
            if let Verdict::Valid(once) = check(&raw, us()) {
                proptest::prop_assert_eq!(check(&once.e164, us()), Verdict::Valid(once.clone()));
            }
        }
    }

    #[test]
    fn region_codes_parse_in_any_case() {
        assert!(region("us").is_some());
        assert!(region("ZZ").is_none());
    }

    #[test]
    fn splits_number_lists_on_semicolons_or_commas() {
        assert_eq!(
            split_list("+1800; +1888").collect::<Vec<_>>(),
            ["+1800", "+1888"]
        );
        assert_eq!(
            split_list("+1800,+1888").collect::<Vec<_>>(),
            ["+1800", "+1888"]
        );
        assert_eq!(split_list(" ; ").count(), 0);
    }
}
