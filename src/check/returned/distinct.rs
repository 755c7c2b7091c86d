//! The values that repeat down a returned file, checked once each: the
//! provider names and domains (tallied for the expected one), the toll
//! numbers, the toll-free lists and their entries, the Urls, and the
//! numbers of workbook cells.

use super::{is_http_url, Returned};
use crate::check::provider::{Expected, Tally};
use crate::columns::Field;
use crate::config::{Settings, Target};
use crate::finding::Invalid;
use crate::model::{Bridge, Phone, PhoneList, Phones, Span, Texts};
use crate::normalize::text::trim_cell;
use crate::normalize::{phone, Verdict};
use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

/// The distinct values of the cells checked once each.
pub(super) struct Distinct<'a> {
    pub(super) tally: Tally<'a>,
    pub(super) tolls: FxHashSet<&'a str>,
    pub(super) lists: FxHashSet<&'a str>,
    /// The cells that name a row's bridge: the Url (a provider's), or the
    /// BridgeName (Teams).
    pub(super) urls: FxHashSet<&'a str>,
    /// Workbook cells of the number columns that hold numbers, by bits.
    pub(super) numbers: FxHashSet<u64>,
    /// Some row gives a conference ID (which Teams does not take).
    pub(super) conference_ids: bool,
}

impl<'a> Distinct<'a> {
    pub(super) fn of(returned: &'a Returned, settings: &Settings) -> Distinct<'a> {
        let columns = &returned.columns;
        let teams = settings.target == Target::Teams;
        let tally =
            !teams && (settings.provider_name.is_none() || settings.provider_domain.is_none());
        let bridge = if teams { Field::BridgeName } else { Field::Url };
        (0..returned.len() as u32)
            .into_par_iter()
            .fold(Distinct::empty, |mut d, row| {
                let r = returned.row(row);
                if r.problem.is_some() {
                    return d;
                }
                let cell = |f: Field| trim_cell(r.get(columns.get(f)));
                if tally {
                    d.tally.add(cell(Field::ProviderName), cell(Field::Domain));
                }
                d.tolls.insert(cell(Field::TollNumber));
                d.lists.insert(cell(Field::TollFreeNumbers));
                d.urls.insert(cell(bridge));
                d.conference_ids |= teams && !cell(Field::ConferenceId).is_empty();
                for field in [Field::TollNumber, Field::TollFreeNumbers] {
                    if let Some(n) = r.number(columns.get(field)) {
                        d.numbers.insert(n.value.to_bits());
                    }
                }
                d
            })
            .reduce(Distinct::empty, |mut a, b| {
                a.tally = a.tally.merge(b.tally);
                a.tolls.extend(b.tolls);
                a.lists.extend(b.lists);
                a.urls.extend(b.urls);
                a.numbers.extend(b.numbers);
                a.conference_ids |= b.conference_ids;
                a
            })
    }

    fn empty() -> Distinct<'a> {
        Distinct {
            tally: Tally::default(),
            tolls: FxHashSet::default(),
            lists: FxHashSet::default(),
            urls: FxHashSet::default(),
            numbers: FxHashSet::default(),
            conference_ids: false,
        }
    }
}

/// What a phone cell or list entry is, checked once.
pub(super) type PhoneVerdict = Verdict<Phone>;

/// The verdicts of the distinct values, and the bridges.
pub(super) struct Values<'a> {
    pub(super) tolls: FxHashMap<&'a str, PhoneVerdict>,
    /// Each list cell's numbers, and each entry's verdict.
    pub(super) lists: FxHashMap<&'a str, (PhoneList, Vec<PhoneVerdict>)>,
    /// Bridge ids by valid Url.
    pub(super) urls: FxHashMap<&'a str, u32>,
    pub(super) bridges: Vec<Bridge>,
    /// Workbook number cells, by bits: the verdict, and the list of the
    /// one number when valid.
    pub(super) numbers: FxHashMap<u64, (PhoneVerdict, PhoneList)>,
}

impl<'a> Values<'a> {
    pub(super) fn of(
        distinct: &Distinct<'a>,
        settings: &Settings,
        expected: &Expected,
        phones: &mut Phones,
        texts: &mut Texts,
    ) -> Values<'a> {
        let region = settings.region;
        let entries: FxHashSet<&str> = distinct
            .lists
            .iter()
            .flat_map(|list| phone::split_list(list))
            .collect();
        let checked: Vec<(&str, Verdict<phone::Valid>)> = distinct
            .tolls
            .par_iter()
            .chain(entries.par_iter())
            .filter(|raw| !raw.is_empty())
            .map(|&raw| (raw, phone::check(raw, region)))
            .collect();
        // In a fixed order, so that phone ids are the same every run.
        let mut checked = checked;
        checked.sort_unstable_by(|a, b| a.0.cmp(b.0));
        checked.dedup_by(|a, b| a.0 == b.0);
        let verdicts: FxHashMap<&str, PhoneVerdict> = checked
            .into_iter()
            .map(|(raw, verdict)| (raw, interned(verdict, phones)))
            .collect();
        let tolls = distinct
            .tolls
            .iter()
            .filter_map(|&raw| Some((raw, verdicts.get(raw)?.clone())))
            .collect();
        let mut lists: Vec<&str> = distinct.lists.iter().copied().collect();
        lists.sort_unstable();
        let lists = lists
            .into_iter()
            .map(|list| {
                let entries: Vec<PhoneVerdict> = phone::split_list(list)
                    .map(|e| {
                        verdicts
                            .get(e)
                            .cloned()
                            .unwrap_or(Verdict::Invalid(Invalid::NoDigits))
                    })
                    .collect();
                (list, (number_list(&entries, phones), entries))
            })
            .collect();
        let name = texts.push(expected.name.as_deref().unwrap_or_default());
        let domain = texts.push(expected.domain.as_deref().unwrap_or_default());
        let mut bridges = vec![Bridge {
            name: Span::EMPTY,
            provider_name: name,
            domain,
            url: Span::EMPTY,
        }];
        let teams = settings.target == Target::Teams;
        let mut urls: Vec<&str> = distinct
            .urls
            .iter()
            .copied()
            .filter(|u| match teams {
                true => !u.is_empty(),
                false => is_http_url(u),
            })
            .collect();
        urls.sort_unstable();
        let urls = urls
            .into_iter()
            .map(|cell| {
                let text = texts.push(cell);
                bridges.push(match teams {
                    true => Bridge {
                        name: text,
                        provider_name: Span::EMPTY,
                        domain: Span::EMPTY,
                        url: Span::EMPTY,
                    },
                    false => Bridge {
                        name: Span::EMPTY,
                        provider_name: name,
                        domain,
                        url: text,
                    },
                });
                (cell, bridges.len() as u32 - 1)
            })
            .collect();
        let mut numbers: Vec<u64> = distinct.numbers.iter().copied().collect();
        numbers.sort_unstable();
        let numbers = numbers
            .into_iter()
            .map(|bits| {
                let verdict = interned(phone::from_number(f64::from_bits(bits), region), phones);
                let list = number_list(std::slice::from_ref(&verdict), phones);
                (bits, (verdict, list))
            })
            .collect();
        Values {
            tolls,
            lists,
            urls,
            bridges,
            numbers,
        }
    }
}

/// A number's verdict with its number in the run's phones.
fn interned(verdict: Verdict<phone::Valid>, phones: &mut Phones) -> PhoneVerdict {
    match verdict {
        Verdict::Valid(v) => Verdict::Valid(phones.add(&v.e164, v.toll_free)),
        Verdict::Repaired(v, damage) => Verdict::Repaired(phones.add(&v.e164, v.toll_free), damage),
        Verdict::Invalid(reason) => Verdict::Invalid(reason),
        Verdict::Mangled { damage, likely } => Verdict::Mangled { damage, likely },
    }
}

/// The list of a cell's valid numbers, each once, in order.
fn number_list(entries: &[PhoneVerdict], phones: &mut Phones) -> PhoneList {
    let mut numbers: Vec<Phone> = Vec::new();
    for entry in entries {
        if let Verdict::Valid(p) | Verdict::Repaired(p, _) = entry {
            if !numbers.contains(p) {
                numbers.push(*p);
            }
        }
    }
    phones.list(&numbers)
}
