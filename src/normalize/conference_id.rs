//! Conference IDs: digits only, leading zeros kept, length within the
//! configured range. Never parsed as a number.

use super::text::{all_digits, excel_damage, trim_cell, ExcelDamage};
use crate::model::ConferenceId;

/// The allowed number of digits, inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Length {
    pub min: usize,
    pub max: usize,
}

impl Default for Length {
    fn default() -> Self {
        Length { min: 4, max: 12 }
    }
}

/// What one raw conference ID cell turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Valid(ConferenceId),
    Invalid(String),
    Mangled {
        reason: String,
        likely: Option<String>,
    },
}

/// Checks one raw cell. `current` is the person's current ID, if known: a
/// returned ID equal to it without its leading zeros is Excel's doing.
///
/// ```
/// use acp_recon::normalize::conference_id::{check, Length, Verdict};
/// let len = Length { min: 6, max: 10 };
/// assert!(matches!(check("0012345", len, None), Verdict::Valid(id) if id.as_str() == "0012345"));
/// assert!(matches!(check("12345", len, Some("0012345")), Verdict::Mangled { .. }));
/// assert!(matches!(check("12AB56", len, None), Verdict::Invalid(_)));
/// ```
pub fn check(raw: &str, length: Length, current: Option<&str>) -> Verdict {
    let s = trim_cell(raw);
    match excel_damage(s) {
        Some(ExcelDamage::Scientific) => {
            return Verdict::Mangled {
                reason: "is in scientific notation, so Excel has lost its last digits".into(),
                likely: None,
            }
        }
        Some(ExcelDamage::DecimalSuffix(digits)) => {
            let likely =
                matches!(check(&digits, length, current), Verdict::Valid(_)).then_some(digits);
            return Verdict::Mangled {
                reason: "ends in .0, so Excel stored it as a number".into(),
                likely,
            };
        }
        None => {}
    }
    if !all_digits(s) {
        let digits: String = s.chars().filter(char::is_ascii_digit).collect();
        let hint =
            if !digits.is_empty() && s.chars().all(|c| c.is_ascii_digit() || " -.".contains(c)) {
                format!("; if the separators are only grouping, it would be {digits}")
            } else {
                String::new()
            };
        return Verdict::Invalid(format!("must be digits only{hint}"));
    }
    if let Some(current) = current.map(trim_cell) {
        if current.len() > s.len()
            && current.ends_with(s)
            && current[..current.len() - s.len()]
                .bytes()
                .all(|b| b == b'0')
        {
            return Verdict::Mangled {
                reason: "lost its leading zeros (Excel stored it as a number)".into(),
                likely: Some(current.to_string()),
            };
        }
    }
    if s.len() < length.min && length.min == length.max {
        return Verdict::Mangled {
            reason: format!(
                "has {} digits where every ID has {}, so it probably lost leading zeros",
                s.len(),
                length.min
            ),
            likely: Some(format!("{s:0>width$}", width = length.min)),
        };
    }
    if s.len() < length.min || s.len() > length.max {
        return Verdict::Invalid(format!(
            "has {} digits; allowed is {} to {}",
            s.len(),
            length.min,
            length.max
        ));
    }
    match ConferenceId::new(s) {
        Some(id) => Verdict::Valid(id),
        None => Verdict::Invalid(format!("has more than {} digits", ConferenceId::MAX)),
    }
}

/// Judges a spreadsheet cell that holds a number. A number format made of
/// zeros (`00000000`) shows how many digits the ID had, so its leading
/// zeros are restored; a fraction or more than 15 digits is never guessed.
///
/// ```
/// use acp_recon::normalize::conference_id::{from_number, Length, Verdict};
/// let len = Length { min: 6, max: 10 };
/// assert!(matches!(from_number(12345.0, Some("00000000"), len, None), Verdict::Valid(id) if id.as_str() == "00012345"));
/// assert!(matches!(from_number(1234567.0, None, len, None), Verdict::Valid(_)));
/// assert!(matches!(from_number(1.5, None, len, None), Verdict::Mangled { .. }));
/// ```
pub fn from_number(
    value: f64,
    format: Option<&str>,
    length: Length,
    current: Option<&str>,
) -> Verdict {
    if !value.is_finite() || value.fract() != 0.0 || !(0.0..1e15).contains(&value) {
        return Verdict::Mangled {
            reason: "is a number Excel cannot hold exactly (a fraction, or more than 15 digits), so digits are lost".into(),
            likely: None,
        };
    }
    let mut digits = format!("{value:.0}");
    if let Some(width) = format
        .filter(|f| !f.is_empty() && f.bytes().all(|b| b == b'0'))
        .map(str::len)
    {
        digits = format!("{digits:0>width$}");
    }
    check(&digits, length, current)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LEN: Length = Length { min: 4, max: 12 };

    #[test]
    fn keeps_ids_as_text_with_their_zeros() {
        for raw in ["0042", "123456789012", " 007007 ", "000000"] {
            match check(raw, LEN, None) {
                Verdict::Valid(id) => assert_eq!(id.as_str(), raw.trim()),
                other => panic!("{raw:?}: {other:?}"),
            }
        }
    }

    #[test]
    fn rejects_ids_that_are_not_digits_or_out_of_range() {
        for raw in [
            "123",
            "1234567890123",
            "12a4",
            "123 456",
            "-1234",
            "１２３４",
        ] {
            assert!(
                matches!(check(raw, LEN, None), Verdict::Invalid(_)),
                "{raw:?}"
            );
        }
    }

    #[test]
    fn spots_excel_damage() {
        let cases = [
            ("1.23457E+11", None, None),
            ("123456.0", None, Some("123456")),
            ("12345", Some("0012345"), Some("0012345")),
        ];
        for (raw, current, likely) in cases {
            match check(raw, LEN, current) {
                Verdict::Mangled { likely: l, .. } => assert_eq!(l.as_deref(), likely, "{raw:?}"),
                other => panic!("{raw:?}: {other:?}"),
            }
        }
    }

    #[test]
    fn a_short_id_in_a_fixed_length_scheme_lost_its_zeros() {
        let fixed = Length { min: 8, max: 8 };
        match check("123456", fixed, None) {
            Verdict::Mangled { likely, .. } => assert_eq!(likely.as_deref(), Some("00123456")),
            other => panic!("{other:?}"),
        }
    }
}
