//! The provider every returned row should name: the config's, or else the
//! one most rows name.

use crate::config::Settings;
use crate::normalize::text::is_microsoft;
use rustc_hash::FxHashMap;

/// The provider name and domain every row should carry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Expected {
    pub name: Option<String>,
    pub domain: Option<String>,
    /// From the config, or the value most rows carry: said in messages.
    pub from_config: bool,
}

/// How often each provider name and domain stands in the returned file.
#[derive(Debug, Default)]
pub struct Tally<'a> {
    pub names: FxHashMap<&'a str, usize>,
    pub domains: FxHashMap<&'a str, usize>,
}

impl<'a> Tally<'a> {
    /// Counts one row's (trimmed) provider name and domain; Microsoft's
    /// bridge is never what is expected.
    pub fn add(&mut self, name: &'a str, domain: &'a str) {
        if is_microsoft(name, domain) {
            return;
        }
        if !name.is_empty() {
            *self.names.entry(name).or_default() += 1;
        }
        if !domain.is_empty() {
            *self.domains.entry(domain).or_default() += 1;
        }
    }

    pub fn merge(mut self, other: Tally<'a>) -> Tally<'a> {
        for (name, n) in other.names {
            *self.names.entry(name).or_default() += n;
        }
        for (domain, n) in other.domains {
            *self.domains.entry(domain).or_default() += n;
        }
        self
    }
}

impl Expected {
    /// From the config, or else the value most rows carry (ties: the first
    /// in sort order, so that the choice never depends on row order).
    pub fn resolve(settings: &Settings, tally: &Tally<'_>) -> Expected {
        let most = |counts: &FxHashMap<&str, usize>| {
            counts
                .iter()
                .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
                .map(|(v, _)| v.to_string())
        };
        Expected {
            name: settings
                .provider_name
                .clone()
                .or_else(|| most(&tally.names)),
            domain: settings
                .provider_domain
                .clone()
                .or_else(|| most(&tally.domains)),
            from_config: settings.provider_name.is_some() || settings.provider_domain.is_some(),
        }
    }

    /// "the config" or "most rows".
    pub fn source(&self) -> &'static str {
        if self.from_config {
            "the config"
        } else {
            "most rows"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_value_most_rows_carry_is_expected_unless_the_config_says() {
        let mut tally = Tally::default();
        for (name, domain) in [
            ("B", "b.example"),
            ("A", "a.example"),
            ("B", "b.example"),
            ("A", ""),
            ("Microsoft", "x"),
        ] {
            tally.add(name, domain);
        }
        let expected = Expected::resolve(&Settings::default(), &tally);
        assert_eq!(
            expected.name.as_deref(),
            Some("A"),
            "a tie goes to the first in order"
        );
        assert_eq!(expected.domain.as_deref(), Some("b.example"));
        assert_eq!(expected.source(), "most rows");
        let configured = Settings {
            provider_domain: Some("c.example".into()),
            ..Settings::default()
        };
        let expected = Expected::resolve(&configured, &tally);
        assert_eq!(expected.domain.as_deref(), Some("c.example"));
        assert_eq!(expected.source(), "the config");
    }
}
