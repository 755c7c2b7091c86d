//! Header names to canonical fields: case- and punctuation-insensitive
//! matching against built-in aliases and those of the config file.

use std::fmt;

macro_rules! fields {
    ($($variant:ident => $name:literal [$($alias:literal),*];)*) => {
        /// A column this tool reads, by its canonical name.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Field { $($variant,)* }

        impl Field {
            pub const ALL: &'static [Field] = &[$(Field::$variant,)*];

            /// The canonical header, as written in outputs and messages.
            pub fn name(self) -> &'static str {
                match self { $(Field::$variant => $name,)* }
            }

            fn builtin_aliases(self) -> &'static [&'static str] {
                match self { $(Field::$variant => &[$name, $($alias),*],)* }
            }
        }
    };
}

fields! {
    Key => "UserPrincipalName" ["UPN", "User principal name", "Identity", "User", "Username", "User ID", "Sign-in name", "Login"];
    DisplayName => "DisplayName" ["Display name", "Full name"];
    Mail => "Mail" ["Email", "E-mail", "Email address", "PrimarySmtpAddress", "SMTP address"];
    SipAddress => "SipAddress" ["SIP", "SIP URI", "SipUri", "SIP address"];
    AccountEnabled => "AccountEnabled" ["Enabled", "Account enabled", "AccountStatus"];
    TeamsMode => "TeamsUpgradeEffectiveMode" ["TeamsMode", "Teams upgrade mode", "TeamsUpgradeMode", "CoexistenceMode"];
    MicrosoftLicence => "AudioConferencingLicense" ["AudioConferencingLicence", "MicrosoftAudioConferencing", "HasAudioConferencingLicense", "Audio conferencing"];
    CurrentProvider => "CurrentProvider" ["CurrentAcpProvider", "CurrentProviderName", "CurrentAcp", "AcpProvider"];
    CurrentTollNumber => "CurrentTollNumber" ["CurrentAcpTollNumber", "CurrentToll"];
    CurrentTollFreeNumbers => "CurrentTollFreeNumbers" ["CurrentTollFreeNumber", "CurrentAcpTollFreeNumbers", "CurrentTollFree"];
    CurrentConferenceId => "CurrentConferenceId" ["CurrentParticipantPasscode", "CurrentPasscode", "CurrentAcpConferenceId"];
    ProviderName => "ProviderName" ["Provider", "Provider name", "ACP", "ACP provider", "AcpName", "Conferencing provider"];
    Domain => "Domain" ["Provider domain", "AcpDomain", "ACP domain"];
    TollNumber => "TollNumber" ["Toll number", "Default toll number", "DefaultTollNumber", "Toll", "Dial-in number", "Toll dial-in number", "ServiceNumber", "Service number"];
    TollFreeNumbers => "TollFreeNumbers" ["TollFreeNumber", "Toll-free numbers", "Toll-free number", "Toll free", "Default toll-free number", "TollFreeDialInNumbers", "TollFreeServiceNumber", "Toll-free service number"];
    ConferenceId => "ConferenceId" ["Conference ID", "Participant Passcode", "ParticipantPasscode", "Passcode", "Participant code", "Access code", "Attendee code"];
    Url => "Url" ["URL", "Dial-in URL", "DialInUrl", "Dial-in numbers URL", "More numbers URL"];
    BridgeName => "BridgeName" ["Bridge", "Bridge name", "ConferenceBridge"];
    InviteNumbers => "MeetingInvitePhoneNumbers" ["Meeting invite phone numbers", "InvitePhoneNumbers", "PolicyInviteNumbers"];
    BridgeNumber => "Number" ["Phone number", "PhoneNumber"];
    NumberType => "Type" ["Number type", "NumberType"];
    City => "City" ["Location"];
    Pin => "PIN" ["Leader PIN", "LeaderPin", "Leader Passcode", "Host PIN", "Organizer PIN", "Organiser PIN", "Moderator PIN", "Chairperson PIN", "Moderator code", "Host code", "Leader code", "Chairperson passcode", "Moderator passcode", "Host passcode"];
}

/// How the columns of a Teams users export read as a roster: its numbers
/// are the ones people have now, and its conference IDs are Teams' own.
pub const TEAMS_ROSTER: &[(Field, &str)] = &[
    (Field::CurrentTollNumber, "ServiceNumber"),
    (Field::CurrentTollNumber, "Service number"),
    (Field::CurrentTollFreeNumbers, "TollFreeServiceNumber"),
    (Field::CurrentTollFreeNumbers, "Toll-free service number"),
    (Field::CurrentConferenceId, "ConferenceId"),
];

/// How the columns of a Teams bridge export read: `Identity` and
/// `ServiceNumber` are numbers there, not people.
pub const TEAMS_BRIDGE: &[(Field, &str)] = &[
    (Field::BridgeNumber, "Identity"),
    (Field::BridgeNumber, "ServiceNumber"),
];

impl Field {
    /// The field of a canonical name or built-in alias, as the config names them.
    pub fn from_name(name: &str) -> Option<Field> {
        let wanted = fold(name);
        Field::ALL
            .iter()
            .copied()
            .find(|f| f.builtin_aliases().iter().any(|a| fold(a) == wanted))
    }

    pub fn names() -> Vec<&'static str> {
        Field::ALL.iter().map(|f| f.name()).collect()
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A header as compared: lowercase letters and digits only.
pub fn fold(header: &str) -> String {
    header
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// A header that holds PINs even when no alias names it: any header with the
/// word "pin" in it. PINs are secrets, so this errs on the side of hiding.
fn looks_like_pin(header: &str) -> bool {
    header
        .split(|c: char| !c.is_alphanumeric())
        .any(|w| w.eq_ignore_ascii_case("pin") || w.eq_ignore_ascii_case("pins"))
}

/// Which column holds which field, for one table.
#[derive(Debug, Clone, Default)]
pub struct ColumnMap {
    index: Vec<Option<usize>>,
    /// Columns that hold PINs: never read into anything.
    pub pins: Vec<usize>,
    /// The `Problems` column of a send-back.csv that came back: not data,
    /// and not repeated when the row is sent back again.
    pub problems: Option<usize>,
    /// `(field, column, the alias that matched)`, in column order.
    pub matched: Vec<(Field, usize, String)>,
}

impl ColumnMap {
    /// Maps headers to fields. The first column that matches a field wins.
    ///
    /// ```
    /// use acp_recon::columns::{ColumnMap, Field};
    /// let map = ColumnMap::resolve(&["User Principal Name", "Conference ID", "Leader PIN"], &[]);
    /// assert_eq!(map.get(Field::Key), Some(0));
    /// assert_eq!(map.get(Field::ConferenceId), Some(1));
    /// assert_eq!(map.pins, vec![2]);
    /// ```
    pub fn resolve<S: AsRef<str>>(headers: &[S], extra: &[(Field, String)]) -> ColumnMap {
        let mut map = ColumnMap {
            index: vec![None; Field::ALL.len()],
            ..ColumnMap::default()
        };
        let extra: Vec<(Field, String)> = extra.iter().map(|(f, a)| (*f, fold(a))).collect();
        for (column, header) in headers.iter().enumerate() {
            let header = header.as_ref();
            let folded = fold(header);
            if folded.is_empty() {
                continue;
            }
            let configured = extra.iter().find(|(_, a)| *a == folded).map(|(f, _)| *f);
            let builtin = || {
                Field::ALL
                    .iter()
                    .copied()
                    .find(|f| f.builtin_aliases().iter().any(|a| fold(a) == folded))
            };
            let field = match configured.or_else(builtin) {
                Some(field) => field,
                None if folded == "problems" => {
                    map.problems = map.problems.or(Some(column));
                    continue;
                }
                None if looks_like_pin(header) => Field::Pin,
                None => continue,
            };
            if field == Field::Pin {
                map.pins.push(column);
                map.matched.push((field, column, header.to_string()));
            } else if map.index[field as usize].is_none() {
                map.index[field as usize] = Some(column);
                map.matched.push((field, column, header.to_string()));
            }
        }
        map
    }

    pub fn get(&self, field: Field) -> Option<usize> {
        self.index[field as usize]
    }

    pub fn has(&self, field: Field) -> bool {
        self.get(field).is_some()
    }
}

/// For a roster: the vendor's columns it has (TollNumber, ConferenceId, …)
/// when it has none of a roster's own (SipAddress, AccountEnabled, the
/// current assignment, …): then it is most likely a returned file given
/// as the roster.
///
/// ```
/// use acp_recon::columns::{vendor_columns, ColumnMap};
/// let returned = ColumnMap::resolve(&["UPN", "TollNumber", "Conference ID"], &[]);
/// assert_eq!(vendor_columns(&returned), ["TollNumber", "ConferenceId"]);
/// let roster = ColumnMap::resolve(&["UPN", "SipAddress", "TollNumber"], &[]);
/// assert!(vendor_columns(&roster).is_empty());
/// ```
pub fn vendor_columns(map: &ColumnMap) -> Vec<&'static str> {
    use Field::*;
    let roster_only = [
        SipAddress,
        AccountEnabled,
        TeamsMode,
        MicrosoftLicence,
        CurrentProvider,
        CurrentTollNumber,
        CurrentTollFreeNumbers,
        CurrentConferenceId,
    ];
    if roster_only.iter().any(|f| map.has(*f)) {
        return Vec::new();
    }
    [
        ProviderName,
        Domain,
        TollNumber,
        TollFreeNumbers,
        ConferenceId,
        Url,
    ]
    .into_iter()
    .filter(|f| map.has(*f))
    .map(Field::name)
    .collect()
}

/// Which cells of a row may hold a PIN. A row as wide as the header has
/// them in the PIN columns; in a row of another width the cells may have
/// shifted, so every cell from where a shifted PIN could start is taken.
///
/// ```
/// use acp_recon::columns::pin_cells;
/// let same = pin_cells(&[3], 4, 4);
/// assert!(same(3) && !same(2));
/// let wider = pin_cells(&[3], 4, 5);
/// assert!(wider(3) && wider(4) && !wider(2));
/// let narrower = pin_cells(&[3], 4, 3);
/// assert!(narrower(2) && !narrower(1));
/// ```
pub fn pin_cells(
    pins: &[usize],
    header_width: usize,
    row_width: usize,
) -> impl Fn(usize) -> bool + '_ {
    let shift = header_width.abs_diff(row_width);
    // Extra cells push a PIN right; missing ones pull it left.
    let first = pins.iter().min().map(|&p| {
        if row_width > header_width {
            p
        } else {
            p.saturating_sub(shift)
        }
    });
    move |column| {
        if shift == 0 {
            pins.contains(&column)
        } else {
            first.is_some_and(|f| column >= f)
        }
    }
}

/// The header closest to a wanted field, to suggest when a column is missing.
pub fn closest<S: AsRef<str>>(headers: &[S], field: Field) -> Option<(usize, String)> {
    let mut best: Option<(f64, usize)> = None;
    for (i, h) in headers.iter().enumerate() {
        let folded = fold(h.as_ref());
        let score = field
            .builtin_aliases()
            .iter()
            .map(|a| strsim::jaro_winkler(&fold(a), &folded))
            .fold(0.0, f64::max);
        if score > best.map_or(0.7, |b| b.0) {
            best = Some((score, i));
        }
    }
    best.map(|(_, i)| (i, headers[i].as_ref().to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_headers_whatever_their_case_and_punctuation() {
        let cases = [
            ("UserPrincipalName", Field::Key),
            ("user_principal_name", Field::Key),
            ("UPN", Field::Key),
            ("Conference ID", Field::ConferenceId),
            ("participant-passcode", Field::ConferenceId),
            ("PASSCODE", Field::ConferenceId),
            ("Toll Number", Field::TollNumber),
            ("Default toll number", Field::TollNumber),
            ("Toll-free numbers", Field::TollFreeNumbers),
            ("Provider", Field::ProviderName),
            ("Provider Domain", Field::Domain),
            ("CurrentAcpProvider", Field::CurrentProvider),
            ("Leader Passcode", Field::Pin),
            ("Host PIN", Field::Pin),
            ("PIN code (leader)", Field::Pin),
        ];
        for (header, field) in cases {
            let map = ColumnMap::resolve(&[header], &[]);
            let found = if field == Field::Pin {
                map.pins.first().map(|_| Field::Pin)
            } else {
                map.matched.first().map(|m| m.0)
            };
            assert_eq!(found, Some(field), "{header}");
        }
    }

    #[test]
    fn config_aliases_extend_the_builtin_ones() {
        let extra = [(Field::ConferenceId, "Bridge Code".to_string())];
        let map = ColumnMap::resolve(&["UPN", "bridge code"], &extra);
        assert_eq!(map.get(Field::ConferenceId), Some(1));
    }

    #[test]
    fn the_first_matching_column_wins() {
        let map = ColumnMap::resolve(&["Passcode", "Conference ID"], &[]);
        assert_eq!(map.get(Field::ConferenceId), Some(0));
    }

    #[test]
    fn suggests_the_closest_header() {
        let headers = ["User", "Tol Number", "Conf"];
        assert_eq!(
            closest(&headers, Field::TollNumber).map(|c| c.1),
            Some("Tol Number".into())
        );
        assert_eq!(closest(&["xyz"], Field::TollNumber), None);
    }
}
