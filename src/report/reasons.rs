//! The reasons a value is not what it should be, in words, and how a
//! message quotes values: clipped, and lists cut short.

use crate::finding::{Damage, Invalid};
use crate::normalize::text::trim_cell;
use std::fmt::Write;

pub(super) fn invalid_text(reason: Invalid, raw: &str, out: &mut String) -> std::fmt::Result {
    match reason {
        Invalid::Contains(c) => write!(
            out,
            "contains {c:?}; a phone number holds only digits and a leading +"
        ),
        Invalid::NoDigits => write!(out, "has no digits"),
        Invalid::SeveralNumbers(n) => write!(
            out,
            "holds {n} numbers where Teams takes one toll-free number a person"
        ),
        Invalid::NoCountryCode => write!(
            out,
            "has no country code (+…) and the config sets no provider.default_region"
        ),
        Invalid::NotAPhoneNumber => write!(out, "is not a valid phone number"),
        Invalid::NotDigits => {
            out.push_str("must be digits only");
            let s = trim_cell(raw);
            let digits: String = s.chars().filter(char::is_ascii_digit).collect();
            if !digits.is_empty() && s.chars().all(|c| c.is_ascii_digit() || " -.".contains(c)) {
                write!(
                    out,
                    "; if the separators are only grouping, it would be {digits}"
                )?;
            }
            Ok(())
        }
        Invalid::Length { digits, min, max } => {
            write!(out, "has {digits} digits; allowed is {min} to {max}")
        }
    }
}

pub(super) fn damage_text(damage: Damage, raw: &str, out: &mut String) -> std::fmt::Result {
    match damage {
        Damage::Scientific => write!(out, "is in scientific notation, so Excel has lost its last digits"),
        Damage::DecimalSuffix => write!(out, "ends in .0, so Excel stored it as a number"),
        Damage::LostPlus => write!(out, "looks like an international number whose leading + was lost"),
        Damage::LostZeros => write!(out, "lost its leading zeros (Excel stored it as a number)"),
        Damage::ShortForFixedLength { digits, want } => write!(
            out,
            "has {digits} digits where every ID has {want}, so it probably lost leading zeros"
        ),
        Damage::Inexact => write!(
            out,
            "is a number Excel cannot hold exactly (a fraction, or more than 15 digits), so digits are lost"
        ),
        Damage::StoredAsNumber => write!(
            out,
            "is stored as the number {}, which lost the leading + or zeros of the number typed",
            trim_cell(raw)
        ),
    }
}

/// A value, or "(none)" for an empty one.
pub(super) fn or_none(value: &str) -> &str {
    if value.is_empty() {
        "(none)"
    } else {
        value
    }
}

/// How much of a value a message quotes.
pub const QUOTED: usize = 200;

/// A value as a message quotes it: whole, or its first [`QUOTED`]
/// characters and "…" with how many there are.
///
/// ```
/// use acp_recon::report::messages::clip;
/// assert_eq!(clip("+1 425"), "+1 425");
/// let long = "9".repeat(5000);
/// assert_eq!(clip(&long), format!("{}… (5000 characters)", "9".repeat(200)));
/// ```
pub fn clip(value: &str) -> std::borrow::Cow<'_, str> {
    match value.char_indices().nth(QUOTED) {
        None => value.into(),
        Some((end, _)) => {
            format!("{}… ({} characters)", &value[..end], value.chars().count()).into()
        }
    }
}

/// Items as a list, the first ten and how many more: `a, b, c`.
pub(super) fn list(items: &[&str]) -> String {
    const SHOWN: usize = 10;
    let mut out: Vec<String> = items
        .iter()
        .take(SHOWN)
        .map(|i| clip(i).into_owned())
        .collect();
    if items.len() > SHOWN {
        out.push(format!("and {} more", items.len() - SHOWN));
    }
    out.join(", ")
}

/// Lines as a list: `3, 7, 12`, the first twenty and how many more.
pub fn join(lines: &[u32]) -> String {
    const SHOWN: usize = 20;
    let mut out: Vec<String> = lines.iter().take(SHOWN).map(u32::to_string).collect();
    if lines.len() > SHOWN {
        out.push(format!("and {} more", lines.len() - SHOWN));
    }
    out.join(", ")
}
