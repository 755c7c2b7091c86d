//! "Did you mean": for a returned key that is not in the roster, the
//! requested person with no row whose key is the closest: the roster's Mail
//! or SipAddress is that key, first and last name are swapped, the same name is in
//! another of the tenant's domains, or one or two letters are off (same
//! domain). Typos are found through an index of the keys with one or two
//! letters deleted, so the work grows with the number of keys, never with
//! their square.

use crate::check::roster::Roster;
use crate::finding::{Closeness, Code, Detail, Finding};
use crate::model::{Key, Keys, Span};
use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHasher};
use std::hash::{Hash, Hasher};

/// Letters dropped from a key's name to index it, at most.
const DELETIONS: usize = 2;
/// Names longer than this are not indexed for typos (their variants grow
/// with the square of the length).
const LONGEST: usize = 48;

/// Gives each `not-in-roster` finding among `findings` its suggestion, the
/// closest of the `missing` people (requested, no row). `key_of` tells a
/// finding's key.
pub fn suggest(
    findings: &mut [Finding],
    missing: &[Key],
    keys: &Keys,
    roster: &Roster,
    key_of: impl Fn(&Finding) -> Key,
) {
    if missing.is_empty() || !findings.iter().any(|f| f.code == Code::NotInRoster) {
        return;
    }
    let index = Index::new(missing, keys, roster);
    // The exact ways first; the others are looked up for typos.
    let mut probes: Vec<(u64, u32)> = Vec::new();
    for (i, f) in findings.iter_mut().enumerate() {
        if f.code != Code::NotInRoster {
            continue;
        }
        let key = key_of(f);
        if key == Key::NONE {
            continue;
        }
        match index.exact(keys.get(key)) {
            Some((suggested, why)) => f.detail = Detail::Suggestion(suggested.0, why),
            None => {
                let (name, domain) = split(keys.get(key));
                variants(name, domain, |hash| probes.push((hash, i as u32)));
            }
        }
    }
    // Both sides sorted by hash and read once, side by side: no look-up
    // jumps about the index.
    probes.par_sort_unstable();
    probes.dedup();
    let mut best: FxHashMap<u32, (usize, Key)> = FxHashMap::default();
    let (mut p, mut v) = (0, 0);
    let variants = &index.variants;
    while p < probes.len() && v < variants.len() {
        let hash = probes[p].0;
        match hash.cmp(&variants[v].0) {
            std::cmp::Ordering::Less => p += 1,
            std::cmp::Ordering::Greater => v += 1,
            std::cmp::Ordering::Equal => {
                let same = variants[v..].iter().take_while(|e| e.0 == hash).count();
                while p < probes.len() && probes[p].0 == hash {
                    let finding = probes[p].1;
                    let (name, domain) = split(keys.get(key_of(&findings[finding as usize])));
                    for &(_, candidate) in &variants[v..v + same] {
                        let (theirs, their_domain) = split(keys.get(candidate));
                        if their_domain != domain {
                            continue;
                        }
                        let distance = distance(name, theirs);
                        let better = best
                            .get(&finding)
                            .is_none_or(|&b| (distance, candidate) < b);
                        if distance <= DELETIONS && better {
                            best.insert(finding, (distance, candidate));
                        }
                    }
                    p += 1;
                }
                v += same;
            }
        }
    }
    for (finding, (_, key)) in best {
        findings[finding as usize].detail = Detail::Suggestion(key.0, Closeness::Typo);
    }
}

/// The missing people's keys, looked up the four ways.
struct Index<'a> {
    by_mail: FxHashMap<String, Key>,
    by_sip: FxHashMap<String, Key>,
    by_key: FxHashMap<&'a str, Key>,
    by_name: FxHashMap<&'a str, Vec<Key>>,
    /// Hashes of each key with up to [`DELETIONS`] letters of its name
    /// dropped, sorted.
    variants: Vec<(u64, Key)>,
}

fn split(key: &str) -> (&str, &str) {
    key.rsplit_once('@').unwrap_or((key, ""))
}

impl<'a> Index<'a> {
    fn new(missing: &[Key], keys: &'a Keys, roster: &Roster) -> Index<'a> {
        let mut index = Index {
            by_mail: FxHashMap::default(),
            by_sip: FxHashMap::default(),
            by_key: FxHashMap::default(),
            by_name: FxHashMap::default(),
            variants: Vec::new(),
        };
        for &key in missing {
            let text = keys.get(key);
            index.by_key.insert(text, key);
            let (name, _) = split(text);
            index.by_name.entry(name).or_default().push(key);
            if let Some(person) = roster.person(key) {
                if person.mail != Span::KEY {
                    let mail = crate::normalize::text::key(roster.texts.get(person.mail));
                    if !mail.is_empty() && mail != text {
                        index.by_mail.entry(mail.into_owned()).or_insert(key);
                    }
                }
                // Stored cleaned, as a key is.
                if let Some(sip) = roster.sip(person).filter(|&s| s != text) {
                    index.by_sip.entry(sip.to_string()).or_insert(key);
                }
            }
        }
        // The variants are most of the work: on every core.
        index.variants = missing
            .par_iter()
            .flat_map_iter(|&key| {
                let (name, domain) = split(keys.get(key));
                let mut all = Vec::new();
                variants(name, domain, |hash| all.push((hash, key)));
                all
            })
            .collect();
        index.variants.par_sort_unstable();
        index.variants.dedup();
        index
    }

    /// The missing key `text` stands for by Mail, SipAddress, swapped names or another
    /// domain, and why.
    fn exact(&self, text: &str) -> Option<(Key, Closeness)> {
        if let Some(&key) = self.by_mail.get(text) {
            return Some((key, Closeness::Mail));
        }
        if let Some(&key) = self.by_sip.get(text) {
            return Some((key, Closeness::Sip));
        }
        let (name, domain) = split(text);
        if let Some((first, last)) = name.split_once('.') {
            if !last.contains('.') {
                let swapped = format!("{last}.{first}@{domain}");
                if let Some(&key) = self.by_key.get(swapped.as_str()) {
                    return Some((key, Closeness::Swapped));
                }
            }
        }
        let other = self.by_name.get(name).and_then(|keys| keys.first())?;
        Some((*other, Closeness::OtherDomain))
    }
}

/// Calls `each` with the hash of `name` (in `domain`) and of every form of
/// it with one or two characters dropped.
fn variants(name: &str, domain: &str, mut each: impl FnMut(u64)) {
    let chars: Vec<char> = name.chars().collect();
    if chars.len() > LONGEST {
        return;
    }
    let hash = |skip: &[usize]| {
        let mut h = FxHasher::default();
        for (i, c) in chars.iter().enumerate() {
            if !skip.contains(&i) {
                c.hash(&mut h);
            }
        }
        domain.hash(&mut h);
        h.finish()
    };
    each(hash(&[]));
    for i in 0..chars.len() {
        each(hash(&[i]));
        for j in i + 1..chars.len() {
            each(hash(&[i, j]));
        }
    }
}

/// Levenshtein distance between two names, in characters.
fn distance(a: &str, b: &str) -> usize {
    strsim::levenshtein(a, b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances_count_edits() {
        assert_eq!(distance("ann.lee", "ann.lee"), 0);
        assert_eq!(distance("ann.lee", "ann.le"), 1);
        assert_eq!(distance("ann.lee", "anne.lea"), 2);
        assert_eq!(distance("ann.lee", "bob.ortiz"), 8);
    }

    #[test]
    fn every_name_two_edits_away_shares_a_variant() {
        let hashes = |name: &str| {
            let mut all = Vec::new();
            variants(name, "contoso.example", |h| all.push(h));
            all
        };
        let ann = hashes("ann.lee");
        for other in [
            "ann.le", "anne.lee", "an.le", "ann.lea", "nan.lee", "ann.lee",
        ] {
            assert!(hashes(other).iter().any(|h| ann.contains(h)), "{other}");
        }
    }
}
