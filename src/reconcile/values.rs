//! The one rule of "this person already has these values": two assignments
//! compared field by field. The decision (unchanged or not), the ledger's
//! confirmation of a plan and a vendor's changed values all ask it.

use crate::columns::Field;
use crate::normalize::text::same_text;

/// What a person has or is given, as text: numbers in E.164, the
/// toll-free numbers sorted. An empty text is "none".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Assignment<'a> {
    pub provider_name: &'a str,
    pub domain: &'a str,
    pub toll_number: &'a str,
    /// Sorted, so that the list compares as a set.
    pub toll_free_numbers: Vec<&'a str>,
    pub conference_id: &'a str,
    pub url: &'a str,
}

/// The fields a roster says a person holds now.
pub const HELD: &[Field] = &[
    Field::ProviderName,
    Field::TollNumber,
    Field::TollFreeNumbers,
    Field::ConferenceId,
];

/// Every field a vendor returns.
pub const RETURNED: &[Field] = &[
    Field::ProviderName,
    Field::Domain,
    Field::TollNumber,
    Field::TollFreeNumbers,
    Field::ConferenceId,
    Field::Url,
];

impl<'a> Assignment<'a> {
    /// An assignment whose toll-free numbers are given in any order.
    pub fn new(
        provider_name: &'a str,
        toll_number: &'a str,
        toll_free_numbers: impl IntoIterator<Item = &'a str>,
        conference_id: &'a str,
    ) -> Assignment<'a> {
        let mut toll_free_numbers: Vec<&str> = toll_free_numbers
            .into_iter()
            .filter(|n| !n.is_empty())
            .collect();
        toll_free_numbers.sort_unstable();
        Assignment {
            provider_name,
            toll_number,
            toll_free_numbers,
            conference_id,
            ..Assignment::default()
        }
    }

    /// The fields among `fields` whose values differ. Names compare as text
    /// does (case and spacing aside), numbers and IDs exactly (leading
    /// zeros are part of an ID), toll-free numbers as a set.
    ///
    /// ```
    /// use acp_recon::columns::Field;
    /// use acp_recon::reconcile::values::{Assignment, HELD};
    /// let now = Assignment::new("Fabrikam", "+14255550100", ["+18005550199"], "0123");
    /// let same = Assignment::new("FABRIKAM ", "+14255550100", ["+18005550199"], "0123");
    /// assert!(now.same(&same, HELD));
    /// let lost_zero = Assignment::new("Fabrikam", "+14255550100", ["+18005550199"], "123");
    /// assert_eq!(now.differences(&lost_zero, HELD), [Field::ConferenceId]);
    /// ```
    pub fn differences(&self, other: &Assignment<'_>, fields: &[Field]) -> Vec<Field> {
        fields
            .iter()
            .copied()
            .filter(|&field| !self.same_field(other, field))
            .collect()
    }

    /// Whether every field among `fields` has the same value.
    pub fn same(&self, other: &Assignment<'_>, fields: &[Field]) -> bool {
        fields.iter().all(|&field| self.same_field(other, field))
    }

    fn same_field(&self, other: &Assignment<'_>, field: Field) -> bool {
        match field {
            Field::ProviderName => same_text(self.provider_name, other.provider_name),
            Field::Domain => same_text(self.domain, other.domain),
            Field::TollFreeNumbers => self.toll_free_numbers == other.toll_free_numbers,
            _ => self.get(field) == other.get(field),
        }
    }

    /// The value of a field, as text; the toll-free numbers are not one
    /// text, and read as "".
    pub fn get(&self, field: Field) -> &'a str {
        match field {
            Field::ProviderName => self.provider_name,
            Field::Domain => self.domain,
            Field::TollNumber => self.toll_number,
            Field::ConferenceId => self.conference_id,
            Field::Url => self.url,
            _ => "",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_field_compares_by_its_own_rule() {
        let base = Assignment {
            domain: "acp.fabrikam.example",
            url: "https://x.example",
            ..Assignment::new(
                "Fabrikam",
                "+14255550100",
                ["+18005550199", "+18885550123"],
                "5100001",
            )
        };
        let cases: &[(&str, Assignment<'_>, &[Field])] = &[
            ("the same", base.clone(), &[]),
            (
                "names in another case and spacing",
                Assignment {
                    provider_name: " fabrikam ",
                    domain: "ACP.Fabrikam.example",
                    ..base.clone()
                },
                &[],
            ),
            (
                "toll-free numbers in another order",
                Assignment {
                    toll_free_numbers: vec!["+18005550199", "+18885550123"],
                    ..base.clone()
                },
                &[],
            ),
            (
                "a toll-free number fewer",
                Assignment {
                    toll_free_numbers: vec!["+18005550199"],
                    ..base.clone()
                },
                &[Field::TollFreeNumbers],
            ),
            (
                "an ID without its leading zero",
                Assignment {
                    conference_id: "05100001",
                    ..base.clone()
                },
                &[Field::ConferenceId],
            ),
            (
                "no toll number known",
                Assignment {
                    toll_number: "",
                    ..base.clone()
                },
                &[Field::TollNumber],
            ),
            (
                "another Url",
                Assignment {
                    url: "https://y.example",
                    ..base.clone()
                },
                &[Field::Url],
            ),
        ];
        for (case, other, want) in cases {
            assert_eq!(base.differences(other, RETURNED), *want, "{case}");
            assert_eq!(base.same(other, RETURNED), want.is_empty(), "{case}");
        }
        // Only the fields asked about count.
        let other_url = Assignment {
            url: "https://y.example",
            ..base.clone()
        };
        assert!(base.same(&other_url, HELD));
    }
}
