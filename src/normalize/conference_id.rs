//! Conference IDs: digits only, leading zeros kept, length within the
//! configured range. Never parsed as a number.

use super::text::{all_digits, value_cell};
use super::{damaged, inexact, number_digits, Verdict};
use crate::finding::{Damage, Invalid};

/// The most digits an ID may have.
pub const MAX_DIGITS: usize = 32;

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

/// Checks one raw cell; a valid ID is its digits, trimmed. `current` is the
/// person's current ID, if known: a returned ID equal to it without its
/// leading zeros is Excel's doing.
///
/// ```
/// use acp_recon::normalize::{conference_id::{check, Length}, Verdict};
/// let len = Length { min: 6, max: 10 };
/// assert_eq!(check("0012345", len, None), Verdict::Valid("0012345".to_string()));
/// assert!(matches!(check("12345", len, Some("0012345")), Verdict::Mangled { .. }));
/// assert!(matches!(check("12AB56", len, None), Verdict::Invalid(_)));
/// ```
pub fn check(raw: &str, length: Length, current: Option<&str>) -> Verdict<String> {
    let s = value_cell(raw);
    if let Some(verdict) = damaged(s, |digits| check(digits, length, current).valid()) {
        return verdict;
    }
    if !all_digits(s) {
        return Verdict::Invalid(Invalid::NotDigits);
    }
    if let Some(current) = current.map(value_cell) {
        if current.len() > s.len()
            && current.ends_with(s)
            && current[..current.len() - s.len()]
                .bytes()
                .all(|b| b == b'0')
        {
            return Verdict::Mangled {
                damage: Damage::LostZeros,
                likely: Some(current.to_string()),
            };
        }
    }
    if s.len() < length.min && length.min == length.max {
        return Verdict::Mangled {
            damage: Damage::ShortForFixedLength {
                digits: s.len() as u8,
                want: length.min as u8,
            },
            likely: Some(format!("{s:0>width$}", width = length.min)),
        };
    }
    if s.len() < length.min || s.len() > length.max.min(MAX_DIGITS) {
        return Verdict::Invalid(Invalid::Length {
            digits: u32::try_from(s.len()).unwrap_or(u32::MAX),
            min: length.min as u8,
            max: length.max as u8,
        });
    }
    Verdict::Valid(s.to_string())
}

/// Judges a spreadsheet cell that holds a number. A number format made of
/// zeros (`00000000`) shows how many digits the ID had, so its leading
/// zeros are restored; a fraction or more than 15 digits is never guessed.
///
/// ```
/// use acp_recon::normalize::{conference_id::{from_number, Length}, Verdict};
/// let len = Length { min: 6, max: 10 };
/// assert_eq!(from_number(12345.0, Some("00000000"), len, None), Verdict::Valid("00012345".to_string()));
/// assert!(matches!(from_number(1234567.0, None, len, None), Verdict::Valid(_)));
/// assert!(matches!(from_number(1.5, None, len, None), Verdict::Mangled { .. }));
/// ```
pub fn from_number(
    value: f64,
    format: Option<&str>,
    length: Length,
    current: Option<&str>,
) -> Verdict<String> {
    let Some(mut digits) = number_digits(value) else {
        return inexact();
    };
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

    /// Every rule, one row each: the cell, the person's current ID, the
    /// verdict.
    #[test]
    fn each_rule_of_the_check() {
        let mangled = |damage, likely: Option<&str>| Verdict::Mangled {
            damage,
            likely: likely.map(String::from),
        };
        let cases: Vec<(&str, Length, Option<&str>, Verdict<String>)> = vec![
            ("0042", LEN, None, Verdict::Valid("0042".into())),
            (" 007007 ", LEN, None, Verdict::Valid("007007".into())),
            (
                "123456789012",
                LEN,
                None,
                Verdict::Valid("123456789012".into()),
            ),
            ("12a4", LEN, None, Verdict::Invalid(Invalid::NotDigits)),
            ("123 456", LEN, None, Verdict::Invalid(Invalid::NotDigits)),
            ("-1234", LEN, None, Verdict::Invalid(Invalid::NotDigits)),
            ("１２３４", LEN, None, Verdict::Invalid(Invalid::NotDigits)),
            (
                "123",
                LEN,
                None,
                Verdict::Invalid(Invalid::Length {
                    digits: 3,
                    min: 4,
                    max: 12,
                }),
            ),
            (
                "1234567890123",
                LEN,
                None,
                Verdict::Invalid(Invalid::Length {
                    digits: 13,
                    min: 4,
                    max: 12,
                }),
            ),
            ("1.23457E+11", LEN, None, mangled(Damage::Scientific, None)),
            (
                "123456.0",
                LEN,
                None,
                mangled(Damage::DecimalSuffix, Some("123456")),
            ),
            ("12.0", LEN, None, mangled(Damage::DecimalSuffix, None)),
            (
                "12345",
                LEN,
                Some("0012345"),
                mangled(Damage::LostZeros, Some("0012345")),
            ),
            (
                "12345",
                LEN,
                Some("0012346"),
                Verdict::Valid("12345".into()),
            ),
            (
                "123456",
                Length { min: 8, max: 8 },
                None,
                mangled(
                    Damage::ShortForFixedLength { digits: 6, want: 8 },
                    Some("00123456"),
                ),
            ),
        ];
        for (raw, length, current, want) in cases {
            assert_eq!(check(raw, length, current), want, "{raw:?}");
        }
    }

    #[test]
    fn number_cells_keep_digits_only_when_exact() {
        assert_eq!(
            from_number(5100002.0, None, LEN, None),
            Verdict::Valid("5100002".into())
        );
        assert_eq!(from_number(5100003.5, None, LEN, None), inexact());
        assert_eq!(
            from_number(1.2345678901234568e17, None, LEN, None),
            inexact()
        );
        assert_eq!(from_number(-5.0, None, LEN, None), inexact());
    }

    proptest::proptest! {
        /// A valid ID checks as itself.
        #[test]
        fn checking_a_valid_id_again_changes_nothing(raw in "[ 0-9.,E+a]{0,14}") {
            if let Verdict::Valid(id) = check(&raw, LEN, None) {
                proptest::prop_assert_eq!(check(&id, LEN, None), Verdict::Valid(id.clone()));
            }
        }
    }
}
