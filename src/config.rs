//! The TOML config file and the settings resolved from it.

use crate::columns::Field;
use crate::error::{ConfigError, Error};
use crate::normalize::{conference_id::Length, phone};
use miette::NamedSource;
use phonenumber::country;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    /// `acp` or `teams`.
    target: Option<String>,
    #[serde(default)]
    provider: Provider,
    #[serde(default)]
    aliases: BTreeMap<String, Vec<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Provider {
    name: Option<String>,
    domain: Option<String>,
    default_region: Option<String>,
    conference_id_digits: Option<[usize; 2]>,
}

/// What the plan sets, and so what the returned file must give.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Target {
    /// A third-party audio conferencing provider on Skype for Business
    /// Server: `Set-CsUserAcp` (provider, domain, numbers, conference ID).
    #[default]
    Acp,
    /// Microsoft Teams audio conferencing: each person's default toll and
    /// toll-free numbers on their bridge, `Set-CsOnlineDialInConferencingUser`.
    Teams,
}

impl Target {
    pub fn as_str(self) -> &'static str {
        match self {
            Target::Acp => "acp",
            Target::Teams => "teams",
        }
    }

    pub fn parse(text: &str) -> Option<Target> {
        match text.trim().to_ascii_lowercase().as_str() {
            "acp" => Some(Target::Acp),
            "teams" => Some(Target::Teams),
            _ => None,
        }
    }
}

/// What the run checks against, from the config file or the defaults.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// What the plan sets.
    pub target: Target,
    /// Expected provider name; `None` takes the value most rows carry.
    pub provider_name: Option<String>,
    /// Expected provider domain; `None` takes the value most rows carry.
    pub provider_domain: Option<String>,
    /// Region for numbers written without a country code.
    pub region: Option<country::Id>,
    pub id_length: Length,
    /// Extra header aliases, per field.
    pub aliases: Vec<(Field, String)>,
}

impl Settings {
    /// Reads and checks a config file.
    pub fn load(path: &Path) -> Result<Settings, Error> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Settings::parse(&text, path)
    }

    /// Parses config text; `path` names it in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Settings, Error> {
        let fail = |message: String, span: Option<std::ops::Range<usize>>, help: Option<String>| {
            Error::Config(Box::new(ConfigError {
                path: path.to_path_buf(),
                src: NamedSource::new(path.display().to_string(), text.to_string()),
                span: span.map(Into::into),
                message,
                help,
            }))
        };
        let file: File =
            toml::from_str(text).map_err(|e| fail(e.message().to_string(), e.span(), None))?;
        let find = |needle: &str| text.find(needle).map(|at| at..at + needle.len());

        let region = match &file.provider.default_region {
            None => None,
            Some(code) => Some(phone::region(code).ok_or_else(|| {
                fail(
                    format!("{code:?} is not a region code"),
                    find(code),
                    Some("use a two-letter ISO 3166 code such as US, GB or DE".into()),
                )
            })?),
        };
        let id_length = match file.provider.conference_id_digits {
            None => Length::default(),
            Some([min, max]) if 1 <= min && min <= max && max <= 32 => Length { min, max },
            Some(_) => {
                return Err(fail(
                    "conference_id_digits must be [min, max] with 1 <= min <= max <= 32".into(),
                    find("conference_id_digits"),
                    Some("for example conference_id_digits = [6, 10]".into()),
                ))
            }
        };
        let mut aliases = Vec::new();
        for (name, list) in &file.aliases {
            let field = Field::from_name(name).ok_or_else(|| {
                fail(
                    format!("{name:?} is not a column this tool reads"),
                    find(name),
                    Some(format!(
                        "aliases can be given for: {}",
                        Field::names().join(", ")
                    )),
                )
            })?;
            aliases.extend(list.iter().map(|alias| (field, alias.clone())));
        }
        let target = match &file.target {
            None => Target::Acp,
            Some(name) => Target::parse(name).ok_or_else(|| {
                fail(
                    format!("{name:?} is not a target"),
                    find(name),
                    Some("target is \"acp\" (Set-CsUserAcp, the default) or \"teams\" (Set-CsOnlineDialInConferencingUser)".into()),
                )
            })?,
        };
        let non_empty = |s: &Option<String>| {
            s.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from)
        };
        Ok(Settings {
            target,
            provider_name: non_empty(&file.provider.name),
            provider_domain: non_empty(&file.provider.domain),
            region,
            id_length,
            aliases,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Settings, Error> {
        Settings::parse(text, Path::new("acp.toml"))
    }

    #[test]
    fn reads_the_example_of_the_spec() {
        let s = parse(
            r#"
            [provider]
            name = "Fabrikam Conferencing"
            domain = "acp.fabrikam.example"
            default_region = "US"
            conference_id_digits = [6, 10]

            [aliases]
            ConferenceId = ["Bridge Code"]
            "#,
        )
        .unwrap();
        assert_eq!(s.provider_name.as_deref(), Some("Fabrikam Conferencing"));
        assert_eq!(s.id_length, Length { min: 6, max: 10 });
        assert_eq!(
            s.aliases,
            vec![(Field::ConferenceId, "Bridge Code".to_string())]
        );
        assert!(s.region.is_some());
    }

    #[test]
    fn the_target_is_acp_unless_the_config_says_teams() {
        assert_eq!(parse("").unwrap().target, Target::Acp);
        assert_eq!(parse("target = \"teams\"").unwrap().target, Target::Teams);
        assert_eq!(parse("target = \"ACP\"").unwrap().target, Target::Acp);
    }

    #[test]
    fn an_empty_file_gives_the_defaults() {
        let s = parse("").unwrap();
        assert_eq!(s.id_length, Length { min: 4, max: 12 });
        assert!(s.provider_name.is_none() && s.region.is_none());
    }

    #[test]
    fn rejects_mistakes_with_a_pointer() {
        for text in [
            "[provider]\ndefault_region = \"Narnia\"",
            "[provider]\nconference_id_digits = [10, 6]",
            "[provider]\nnmae = \"x\"",
            "[aliases]\nBridgework = [\"x\"]",
            "[provider\n",
            "target = \"lync\"",
        ] {
            assert!(matches!(parse(text), Err(Error::Config(_))), "{text}");
        }
    }
}
