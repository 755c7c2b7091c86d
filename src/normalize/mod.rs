//! Pure normalisation: a raw cell in, a normalised value or the reason it
//! is not one out. No I/O and no shared state, so rows can be checked in
//! parallel and each rule tested with a table.

pub mod conference_id;
pub mod phone;
pub mod text;

use crate::finding::{Damage, Invalid};
use text::{excel_damage, ExcelDamage};

/// What a raw phone number or conference ID cell turned out to be: the one
/// verdict type of both checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict<T> {
    Valid(T),
    /// Valid once Excel's damage is undone, which it was without doubt (a
    /// number cell that lost its `+`): planned, and said.
    Repaired(T, Damage),
    /// Not a value of its kind; the reason says why.
    Invalid(Invalid),
    /// Excel changed it; the likely original when it can be told.
    Mangled {
        damage: Damage,
        likely: Option<String>,
    },
}

impl<T> Verdict<T> {
    pub fn valid(self) -> Option<T> {
        match self {
            Verdict::Valid(value) | Verdict::Repaired(value, _) => Some(value),
            _ => None,
        }
    }
}

/// The Excel-damage rule of text cells, for both kinds of value: a digit
/// string Excel wrote as `1.42555E+10` has lost digits for good; one written
/// as `14255550100.0` has them all, and `likely` says what they stand for.
pub(crate) fn damaged<T>(
    raw: &str,
    likely: impl FnOnce(&str) -> Option<String>,
) -> Option<Verdict<T>> {
    match excel_damage(raw)? {
        ExcelDamage::Scientific => Some(Verdict::Mangled {
            damage: Damage::Scientific,
            likely: None,
        }),
        ExcelDamage::DecimalSuffix(digits) => Some(Verdict::Mangled {
            damage: Damage::DecimalSuffix,
            likely: likely(&digits),
        }),
    }
}

/// The Excel-damage rule of number cells, for both kinds of value: the
/// digits of a whole number under 10^15, or `None` where Excel cannot have
/// kept them all (a fraction, or more digits than a double holds).
pub(crate) fn number_digits(value: f64) -> Option<String> {
    (value.is_finite() && value.fract() == 0.0 && (0.0..1e15).contains(&value))
        .then(|| format!("{value:.0}"))
}

/// [`Verdict::Mangled`] for a number cell [`number_digits`] refused.
pub(crate) fn inexact<T>() -> Verdict<T> {
    Verdict::Mangled {
        damage: Damage::Inexact,
        likely: None,
    }
}
