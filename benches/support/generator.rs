//! Seeded data generator: a roster with current assignments and a vendor's
//! returned file, rows shuffled, in one of three shapes ([`Profile`]).
//! Shared by the benchmarks and `examples/gen.rs`.

#![allow(dead_code)]

use std::io::{self, Write};

/// splitmix64: small, seeded, and the same on every machine.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    /// True with probability `per_mille / 1000`.
    pub fn chance(&mut self, per_mille: u64) -> bool {
        self.below(1000) < per_mille
    }
}

const FIRST: &[&str] = &[
    "Ann", "Bob", "Chloé", "Dmitri", "Élise", "Farah", "George", "Hana", "Ivan", "Júlia", "Kwame",
    "Liam", "María", "Noah", "Olivia", "Pablo", "Quinn", "Rosa", "Søren", "Tara", "Uma", "Victor",
    "Wendy", "Zoë",
];
const LAST: &[&str] = &[
    "Lee", "Ortiz", "Martin", "Petrov", "Dubois", "Khan", "Brown", "Satō", "Horvat", "Costa",
    "Mensah", "Walsh", "García", "Fischer", "Rossi", "Ruiz", "Taylor", "Silva", "Nguyen",
    "O'Brien", "Patel", "Chen",
];
const TOLL: &[&str] = &[
    "+14255550100",
    "+12065550100",
    "+1 (312) 555-0100",
    "+442079460958",
    "+49 30 901820",
];
const TOLL_FREE: &[&str] = &["+18005550199", "+1 888 555 0123", "+18665550100"];
const PROVIDER: &str = "Fabrikam Conferencing";
const DOMAIN: &str = "acp.fabrikam.example";

/// The shape of the data: how many rows carry findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    /// The defect rates of real files: a few findings in a hundred rows.
    Typical,
    /// A finding or more on every returned row: half the people are in
    /// TeamsOnly mode (so not requested), one in twelve toll-free numbers
    /// is invalid.
    Noisy,
    /// Every row with the same wrong domain under `fixtures/acp.toml`.
    AllWrong,
    /// `typical`, and 2,000 returned keys with a letter dropped: each one
    /// not in the roster, each with a suggestion.
    Typos,
    /// `typical`'s defect rates for the Teams target: a users export as the
    /// roster (numbers now, LeaderPin, invite numbers for one in a hundred),
    /// an operator's file of numbers and bridges, and the bridge's numbers
    /// (`write_bridge`); one row in five hundred gives a number not on it.
    Teams,
}

/// How many keys the `typos` profile misspells.
pub const TYPOS: usize = 2_000;

impl Profile {
    pub const ALL: [Profile; 5] = [
        Profile::Typical,
        Profile::Noisy,
        Profile::AllWrong,
        Profile::Typos,
        Profile::Teams,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Profile::Typical => "typical",
            Profile::Noisy => "noisy",
            Profile::AllWrong => "all-wrong",
            Profile::Typos => "typos",
            Profile::Teams => "teams",
        }
    }

    pub fn parse(name: &str) -> Option<Profile> {
        Profile::ALL.into_iter().find(|p| p.name() == name)
    }
}

struct Person {
    key: String,
    name: String,
    toll: &'static str,
    toll_free: &'static str,
    id: String,
    current: u8,
}

fn people(n: usize, rng: &mut Rng) -> Vec<Person> {
    (0..n)
        .map(|i| {
            let first = FIRST[rng.below(FIRST.len() as u64) as usize];
            let last = LAST[rng.below(LAST.len() as u64) as usize];
            let ascii = |s: &str| {
                s.chars()
                    .filter(|c| c.is_ascii_alphabetic())
                    .collect::<String>()
                    .to_lowercase()
            };
            Person {
                key: format!("{}.{}{}@contoso.example", ascii(first), ascii(last), i),
                name: format!("{first} {last}"),
                toll: TOLL[rng.below(TOLL.len() as u64) as usize],
                toll_free: TOLL_FREE[rng.below(TOLL_FREE.len() as u64) as usize],
                // Unique, and one in ten with leading zeros.
                id: if i % 10 == 0 {
                    format!("00{:07}", i)
                } else {
                    format!("{}", 10_000_000 + i)
                },
                // 0 none, 1 Microsoft, 2 another provider, 3 Fabrikam already.
                current: [0, 0, 0, 0, 0, 0, 1, 2, 3, 3][rng.below(10) as usize],
            }
        })
        .collect()
}

/// Writes a roster and a returned file for `n` people.
pub fn generate(
    n: usize,
    seed: u64,
    profile: Profile,
    roster: &mut dyn Write,
    returned: &mut dyn Write,
) -> io::Result<()> {
    let mut rng = Rng::new(seed);
    let people = people(n, &mut rng);
    if profile == Profile::Teams {
        return teams(&people, &mut rng, roster, returned);
    }

    writeln!(
        roster,
        "UserPrincipalName,DisplayName,Mail,AccountEnabled,TeamsUpgradeEffectiveMode,AudioConferencingLicense,CurrentProvider,CurrentTollNumber,CurrentTollFreeNumbers,CurrentConferenceId"
    )?;
    for p in &people {
        let (provider, toll, free, id) = match p.current {
            1 => ("Microsoft", "", "", ""),
            2 => ("InterCall", "+13125550199", "", "7700000"),
            3 => (PROVIDER, p.toll, p.toll_free, p.id.as_str()),
            _ => ("", "", "", ""),
        };
        let enabled = if rng.chance(5) { "False" } else { "True" };
        let teams_only = match profile {
            Profile::Noisy => rng.chance(500),
            _ => rng.chance(5),
        };
        let mode = if teams_only { "TeamsOnly" } else { "Islands" };
        writeln!(
            roster,
            "{},\"{}\",{},{enabled},{mode},{},{provider},{toll},{free},{id}",
            p.key,
            p.name,
            p.key,
            if p.current == 1 { "True" } else { "False" },
        )?;
    }

    let order = shuffled(n, &mut rng);
    writeln!(
        returned,
        "UserPrincipalName,DisplayName,ProviderName,Domain,TollNumber,TollFreeNumbers,ConferenceId,Url,Leader PIN"
    )?;
    for (position, &i) in order.iter().enumerate() {
        let p = &people[i];
        if rng.chance(5) {
            continue; // missing from the return
        }
        let key = if rng.chance(100) {
            p.key.to_uppercase()
        } else if profile == Profile::Typos && position % (n / TYPOS).max(1) == 0 {
            // The first letter dropped: `nn.lee7@…` for `ann.lee7@…`.
            p.key[1..].to_string()
        } else {
            p.key.clone()
        };
        let mut toll = p.toll.to_string();
        let mut id = p.id.clone();
        if rng.chance(3) {
            toll = "+1 425 555".into();
        }
        if p.current == 3 && rng.chance(50) {
            id = format!("{}", 20_000_000 + i);
        }
        if rng.chance(1) {
            id = people[(i + 1) % n].id.clone(); // shared with the next person
        }
        if rng.chance(1) {
            toll = "1.42555E+10".into();
        }
        if rng.chance(1) && id.starts_with("00") {
            id = id.trim_start_matches('0').to_string();
        }
        let free = match profile {
            Profile::Noisy if rng.chance(80) => "+1 800 55",
            _ => p.toll_free,
        };
        let domain = match profile {
            Profile::AllWrong => "acp.fabrikam.com",
            _ => DOMAIN,
        };
        let line = format!(
            "{key},\"{}\",{PROVIDER},{domain},{toll},{free},{id},https://{DOMAIN}/numbers,{}\n",
            p.name,
            1_000_000 + rng.below(9_000_000)
        );
        returned.write_all(line.as_bytes())?;
        if rng.chance(1) {
            returned.write_all(line.as_bytes())?; // an identical duplicate
        }
        if rng.chance(2) {
            let unknown = format!("unknown{position}@contoso.example");
            let domain = match profile {
                Profile::AllWrong => "acp.fabrikam.com",
                _ => DOMAIN,
            };
            writeln!(
                returned,
                "{unknown},Someone,{PROVIDER},{domain},{toll},,{},,",
                90_000_000 + position
            )?;
        }
    }
    Ok(())
}

/// The bridge of the `teams` profile: every number the people are given.
const BRIDGE: &[(&str, &str)] = &[
    ("+14255550100", "Toll"),
    ("+12065550100", "Toll"),
    ("+13125550100", "Toll"),
    ("+442079460958", "Toll"),
    ("+4930901820", "Toll"),
    ("+18005550199", "TollFree"),
    ("+18885550123", "TollFree"),
    ("+18665550100", "TollFree"),
];

/// Writes the bridge's numbers of the `teams` profile, as
/// `Get-CsOnlineDialInConferencingServiceNumber | Export-Csv` does.
pub fn write_bridge(out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "Number,PrimaryLanguage,BridgeName,Type,City")?;
    for (number, kind) in BRIDGE {
        writeln!(out, "{number},en-US,Contoso Bridge,{kind},")?;
    }
    Ok(())
}

/// The `teams` profile's roster (a users export) and returned file.
fn teams(
    people: &[Person],
    rng: &mut Rng,
    roster: &mut dyn Write,
    returned: &mut dyn Write,
) -> io::Result<()> {
    writeln!(
        roster,
        "Identity,DisplayName,SipAddress,BridgeName,ServiceNumber,TollFreeServiceNumber,ConferenceId,LeaderPin,MeetingInvitePhoneNumbers,TeamsUpgradeEffectiveMode,AccountEnabled"
    )?;
    for p in people {
        let (toll, free) = match p.current {
            3 => (p.toll, p.toll_free),
            _ => ("", ""),
        };
        let invite = if rng.chance(10) { "+14255550100" } else { "" };
        let enabled = if rng.chance(5) { "False" } else { "True" };
        writeln!(
            roster,
            "{},\"{}\",sip:{},Contoso Bridge,{toll},{free},{},{},{invite},TeamsOnly,{enabled}",
            p.key,
            p.name,
            p.key,
            p.id,
            10_000_000 + rng.below(89_999_999),
        )?;
    }
    let order = shuffled(people.len(), rng);
    writeln!(
        returned,
        "UserPrincipalName,DisplayName,ServiceNumber,TollFreeServiceNumber,BridgeName,LeaderPin"
    )?;
    for (position, &i) in order.iter().enumerate() {
        let p = &people[i];
        if rng.chance(5) {
            continue; // missing from the return
        }
        let key = if rng.chance(100) {
            p.key.to_uppercase()
        } else {
            p.key.clone()
        };
        let mut toll = p.toll.to_string();
        if rng.chance(3) {
            toll = "+1 425 555".into();
        }
        if rng.chance(1) {
            toll = "1.42555E+10".into();
        }
        if rng.chance(2) {
            toll = "+13125550177".into(); // not on the bridge
        }
        let free = if rng.chance(2) {
            "+14255550100"
        } else {
            p.toll_free
        };
        let line = format!(
            "{key},\"{}\",{toll},{free},Contoso Bridge,{}\n",
            p.name,
            10_000_000 + rng.below(89_999_999)
        );
        returned.write_all(line.as_bytes())?;
        if rng.chance(1) {
            returned.write_all(line.as_bytes())?; // an identical duplicate
        }
        if rng.chance(2) {
            writeln!(
                returned,
                "unknown{position}@contoso.example,Someone,{toll},,Contoso Bridge,"
            )?;
        }
    }
    Ok(())
}

/// 0..n in the order the vendor returns them: shuffled, seeded.
fn shuffled(n: usize, rng: &mut Rng) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    for i in (1..order.len()).rev() {
        order.swap(i, rng.below(i as u64 + 1) as usize);
    }
    order
}
