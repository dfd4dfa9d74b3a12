//! Validated values: once constructed they are known to be well-formed.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValueError {
    #[error("school number must be exactly 6 digits")]
    SchoolNumber,
    #[error(
        "login must be 1 to 64 characters of lowercase letters, digits, '.', '-' or '_', starting with a letter or digit"
    )]
    Login,
}

/// The 6-digit school number (Schulnummer) that identifies an instance.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct SchoolNumber(String);

impl SchoolNumber {
    pub fn parse(s: &str) -> Result<Self, ValueError> {
        let s = s.trim();
        if s.len() == 6 && s.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(s.to_owned()))
        } else {
            Err(ValueError::SchoolNumber)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for SchoolNumber {
    type Error = ValueError;
    fn try_from(s: String) -> Result<Self, ValueError> {
        Self::parse(&s)
    }
}

impl From<SchoolNumber> for String {
    fn from(s: SchoolNumber) -> String {
        s.0
    }
}

impl std::fmt::Display for SchoolNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A login name, unique within an instance. Stored lower-case, so lookups are exact.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Login(String);

impl Login {
    pub const MAX_LEN: usize = 64;

    /// Accepts any case and surrounding spaces; the stored form is trimmed and lower-case.
    pub fn parse(s: &str) -> Result<Self, ValueError> {
        let s = s.trim().to_lowercase();
        let valid_chars = s.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'_')
        });
        let starts_ok = s.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric());
        if valid_chars && starts_ok && s.len() <= Self::MAX_LEN {
            Ok(Self(s))
        } else {
            Err(ValueError::Login)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Login {
    type Error = ValueError;
    fn try_from(s: String) -> Result<Self, ValueError> {
        Self::parse(&s)
    }
}

impl From<Login> for String {
    fn from(l: Login) -> String {
        l.0
    }
}

impl std::fmt::Display for Login {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn school_numbers() {
        assert!(SchoolNumber::parse("100000").is_ok());
        assert_eq!(
            SchoolNumber::parse(" 123456 ").map(|s| s.0),
            Ok("123456".into())
        );
        for bad in ["", "12345", "1234567", "12345a", "１２３４５６"] {
            assert_eq!(
                SchoolNumber::parse(bad),
                Err(ValueError::SchoolNumber),
                "{bad}"
            );
        }
    }

    #[test]
    fn logins() {
        assert_eq!(
            Login::parse(" Anna.Schmidt2 ").map(|l| l.0),
            Ok("anna.schmidt2".into())
        );
        for bad in ["", ".anna", "anna schmidt", "änna", "a/b", &"a".repeat(65)] {
            assert_eq!(Login::parse(bad), Err(ValueError::Login), "{bad}");
        }
    }
}
