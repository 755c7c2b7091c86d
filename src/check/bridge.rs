//! The bridge's numbers (`--bridge`): an export of
//! `Get-CsOnlineDialInConferencingServiceNumber`, read into the numbers a
//! Teams plan may give people, each with its type and its bridge. The
//! cmdlet refuses a number that is not on the person's bridge; the run
//! finds that first.

use crate::columns::{ColumnMap, Field, TEAMS_BRIDGE};
use crate::config::Settings;
use crate::finding::{Code, Detail, Finding, Input, Problem};
use crate::model::{Interner, Key, Rows};
use crate::normalize::text::{folds_to, trim_cell};
use crate::normalize::{phone, Verdict};
use crate::source::{Record, Sink, Source};
use rustc_hash::FxHashMap;

/// A number on the bridge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Listed {
    /// From the `Type` column: `Some(true)` toll-free, `Some(false)` toll.
    pub toll_free: Option<bool>,
    /// The bridge it is on, by its name's id; `u32::MAX` when not said.
    pub bridge: u32,
}

/// The bridge's numbers, by E.164.
#[derive(Debug, Default)]
pub struct Inventory {
    pub columns: ColumnMap,
    pub rows: Rows,
    /// The bridges' names, each once.
    names: Interner,
    numbers: FxHashMap<Box<str>, Listed>,
    pub findings: Vec<Finding>,
    region: Option<phonenumber::country::Id>,
}

impl Inventory {
    /// The sink for the bridge file `source`, or the `missing-column` error
    /// when it has no number column.
    pub fn open(source: &Source, settings: &Settings) -> Result<Inventory, crate::Error> {
        let mut aliases: Vec<(Field, String)> = TEAMS_BRIDGE
            .iter()
            .map(|&(f, a)| (f, a.to_string()))
            .collect();
        aliases.extend(settings.aliases.iter().cloned());
        let columns = ColumnMap::resolve(&source.headers, &aliases);
        super::require(source, &columns, &[Field::BridgeNumber])?;
        Ok(Inventory {
            columns,
            region: settings.region,
            ..Inventory::default()
        })
    }

    /// What the bridge says of a number (E.164), if it lists it.
    pub fn get(&self, e164: &str) -> Option<Listed> {
        self.numbers.get(e164).copied()
    }

    /// The name of the bridge a number is on, as the inventory writes it.
    pub fn bridge_name(&self, listed: Listed) -> &str {
        self.name(listed.bridge)
    }

    /// A bridge's name by its id; "" for none.
    pub fn name(&self, id: u32) -> &str {
        self.names.get(id)
    }

    pub fn len(&self) -> usize {
        self.numbers.len()
    }

    pub fn is_empty(&self) -> bool {
        self.numbers.is_empty()
    }
}

impl Sink for Inventory {
    fn record(&mut self, record: &Record<'_>) {
        let row = self.rows.len() as u32;
        self.rows.push(record.line, record.offset, Key::NONE);
        let cell = |f: Field| trim_cell(record.get(self.columns.get(f)));
        let problem =
            record.problem.or_else(
                || match phone::check(cell(Field::BridgeNumber), self.region) {
                    Verdict::Valid(_) | Verdict::Repaired(..) => None,
                    _ => Some(Problem::NoNumber),
                },
            );
        if let Some(problem) = problem {
            let finding = Finding::new(Code::MalformedRow, Input::Bridge, row);
            self.findings.push(finding.detail(Detail::Problem(problem)));
            return;
        }
        let Some(valid) = phone::check(cell(Field::BridgeNumber), self.region).valid() else {
            return;
        };
        let kind = cell(Field::NumberType);
        let toll_free = if folds_to(kind, "tollfree") {
            Some(true)
        } else if folds_to(kind, "toll") {
            Some(false)
        } else {
            None
        };
        let name = cell(Field::BridgeName);
        let bridge = match name.is_empty() {
            true => u32::MAX,
            false => self.names.intern(name),
        };
        self.numbers
            .entry(valid.e164.into())
            .or_insert(Listed { toll_free, bridge });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{read_bytes, ReadOptions};

    #[test]
    fn reads_the_numbers_their_types_and_bridges() {
        let settings =
            Settings::parse("[provider]\ndefault_region = \"US\"\n", "t.toml".as_ref()).unwrap();
        let text = "Number,Type,City,BridgeName\n\
                    +14255550100,Toll,Redmond,Contoso Bridge\n\
                    18005550199,TollFree,,Contoso Bridge\n\
                    (206) 555-0100,,Seattle,\n\
                    n/a,Toll,,Contoso Bridge\n";
        let (_, inventory) = read_bytes(
            "bridge.csv",
            text.as_bytes(),
            &ReadOptions::default(),
            |s| Inventory::open(s, &settings),
        )
        .unwrap();
        let toll = inventory.get("+14255550100").unwrap();
        assert_eq!(toll.toll_free, Some(false));
        assert_eq!(inventory.bridge_name(toll), "Contoso Bridge");
        assert_eq!(inventory.get("+18005550199").unwrap().toll_free, Some(true));
        assert_eq!(inventory.get("+12065550100").unwrap().toll_free, None);
        assert_eq!(inventory.len(), 3);
        assert_eq!(inventory.findings.len(), 1, "the row without a number");
        // Identity is the number in this export, not a person.
        let (_, by_identity) = read_bytes(
            "bridge.csv",
            b"Identity,Type\n+14255550100,Toll\n",
            &ReadOptions::default(),
            |s| Inventory::open(s, &settings),
        )
        .unwrap();
        assert!(by_identity.get("+14255550100").is_some());
    }
}
