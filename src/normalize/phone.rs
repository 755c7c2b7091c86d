//! Phone numbers: cleaning what vendors and Excel write, validation and the
//! toll-free type with the `phonenumber` crate, E.164 out.

use super::text::{all_digits, excel_damage, trim_cell, ExcelDamage};
use crate::model::Phone;
use phonenumber::{country, metadata::DATABASE, Mode, Type};
use std::cell::Cell;
use std::panic::{self, AssertUnwindSafe};

/// What one raw phone cell turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Valid {
        phone: Phone,
        toll_free: bool,
    },
    /// Not a phone number; the reason is a sentence fragment for a message.
    Invalid(String),
    /// Excel changed it; the likely original when it can be derived.
    Mangled {
        reason: String,
        likely: Option<String>,
    },
}

/// Checks one raw cell. `region` is used for numbers written without a
/// country code.
///
/// ```
/// use acp_recon::normalize::phone::{check, Verdict};
/// let us = Some("US".parse().unwrap());
/// match check("(425) 555-0100", us) {
///     Verdict::Valid { phone, toll_free } => {
///         assert_eq!(phone.as_str(), "+14255550100");
///         assert!(!toll_free);
///     }
///     other => panic!("{other:?}"),
/// }
/// assert!(matches!(check("1.42555E+10", us), Verdict::Mangled { .. }));
/// assert!(matches!(check("+1 425 555", us), Verdict::Invalid(_)));
/// ```
pub fn check(raw: &str, region: Option<country::Id>) -> Verdict {
    let trimmed = trim_cell(raw);
    match excel_damage(trimmed) {
        Some(ExcelDamage::Scientific) => {
            return Verdict::Mangled {
                reason: "is in scientific notation, so Excel has lost its last digits".into(),
                likely: None,
            }
        }
        Some(ExcelDamage::DecimalSuffix(digits)) => {
            let likely = match check(&digits, region) {
                Verdict::Valid { phone, .. } => Some(phone.to_string()),
                Verdict::Mangled { likely, .. } => likely,
                Verdict::Invalid(_) => None,
            };
            return Verdict::Mangled {
                reason: "ends in .0, so Excel stored it as a number".into(),
                likely,
            };
        }
        None => {}
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
            if national.as_ref().map(|(p, _)| p) != Some(&international.0) {
                return Verdict::Mangled {
                    reason: "looks like an international number whose leading + was lost".into(),
                    likely: Some(international.0.to_string()),
                };
            }
        }
    }
    if !cleaned.starts_with('+') && region.is_none() {
        return Verdict::Invalid(
            "has no country code (+…) and the config sets no provider.default_region".into(),
        );
    }
    match parse(&cleaned, region) {
        Some((phone, toll_free)) => Verdict::Valid { phone, toll_free },
        None => Verdict::Invalid("is not a valid phone number".into()),
    }
}

/// Judges a spreadsheet cell that holds a number, not text. Its digits are
/// taken only when they are unambiguous: a whole number of at most 15 digits
/// that is a valid number once the `+` Excel dropped is restored.
///
/// ```
/// use acp_recon::normalize::phone::{from_number, Verdict};
/// let us = Some("US".parse().unwrap());
/// assert!(matches!(from_number(14255550100.0, us), Verdict::Valid { .. }));
/// assert!(matches!(from_number(4255550100.0, us), Verdict::Mangled { likely: Some(_), .. }));
/// assert!(matches!(from_number(14255550100.5, us), Verdict::Mangled { likely: None, .. }));
/// ```
pub fn from_number(value: f64, region: Option<country::Id>) -> Verdict {
    if !value.is_finite() || value.fract() != 0.0 || value <= 0.0 || value >= 1e15 {
        return Verdict::Mangled {
            reason: "is a number Excel cannot hold exactly (a fraction, or more than 15 digits), so digits are lost".into(),
            likely: None,
        };
    }
    let digits = format!("{value:.0}");
    if let Some((phone, toll_free)) = parse(&format!("+{digits}"), None) {
        return Verdict::Valid { phone, toll_free };
    }
    let likely = match check(&digits, region) {
        Verdict::Valid { phone, .. } => Some(phone.to_string()),
        _ => None,
    };
    Verdict::Mangled {
        reason: format!("is stored as the number {digits}, which lost the leading + or zeros of the number typed"),
        likely,
    }
}

/// Strips the punctuation people put in numbers; `00` becomes `+`.
fn clean(s: &str) -> Result<String, String> {
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
            c if c.is_whitespace() || super::text::is_invisible(c) => {}
            _ => {
                return Err(format!(
                    "contains {c:?}; a phone number holds only digits and a leading +"
                ))
            }
        }
    }
    if let Some(rest) = out.strip_prefix("00") {
        out = format!("+{rest}");
    }
    if out.trim_start_matches('+').is_empty() {
        return Err("has no digits".into());
    }
    Ok(out)
}

thread_local! {
    static IN_PARSER: Cell<bool> = const { Cell::new(false) };
}

/// Parses with the crate, which is known to panic on some odd inputs: a
/// panic is caught and taken as "not a valid number".
fn parse(cleaned: &str, region: Option<country::Id>) -> Option<(Phone, bool)> {
    IN_PARSER.with(|f| f.set(true));
    let result = panic::catch_unwind(AssertUnwindSafe(|| {
        let number = phonenumber::parse(region, cleaned).ok()?;
        if number.extension().is_some() || !phonenumber::is_valid(&number) {
            return None;
        }
        let e164 = number.format().mode(Mode::E164).to_string();
        let toll_free = number.number_type(&DATABASE) == Type::TollFree;
        Some((Phone(e164.into()), toll_free))
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

/// Loads the phone number metadata now rather than at the first number:
/// it takes a moment, which a thread that would otherwise wait can spend.
pub fn warm_up() {
    check("+14255550100", None);
}

/// Parses a region code such as `US` or `gb`.
pub fn region(code: &str) -> Option<country::Id> {
    code.trim().to_ascii_uppercase().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn us() -> Option<country::Id> {
        region("US")
    }

    fn valid(raw: &str, r: Option<country::Id>) -> (String, bool) {
        match check(raw, r) {
            Verdict::Valid { phone, toll_free } => (phone.to_string(), toll_free),
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

    #[test]
    fn rejects_what_is_not_a_number() {
        for raw in [
            "+1 425 555",
            "call me",
            "+",
            "()",
            "+1 425 555 0100 x12",
            "12",
        ] {
            assert!(matches!(check(raw, us()), Verdict::Invalid(_)), "{raw:?}");
        }
    }

    #[test]
    fn numbers_without_country_code_need_a_region() {
        assert!(matches!(check("4255550100", None), Verdict::Invalid(_)));
        assert_eq!(valid("+14255550100", None).0, "+14255550100");
    }

    #[test]
    fn spots_excel_damage_and_says_what_was_likely_meant() {
        let cases = [
            ("1.42555E+10", None),
            ("14255550100.0", Some("+14255550100")),
            ("442079460958", Some("+442079460958")),
        ];
        for (raw, want) in cases {
            match check(raw, us()) {
                Verdict::Mangled { likely, .. } => assert_eq!(likely.as_deref(), want, "{raw:?}"),
                other => panic!("{raw:?}: {other:?}"),
            }
        }
    }

    #[test]
    fn normalising_twice_changes_nothing() {
        for raw in ["(425) 555-0100", "+44 (0)20 7946 0958", "0014255550100"] {
            let once = valid(raw, us()).0;
            assert_eq!(valid(&once, us()).0, once);
        }
    }

    #[test]
    fn region_codes_parse_in_any_case() {
        assert!(region("us").is_some());
        assert!(region("ZZ").is_none());
    }
}
