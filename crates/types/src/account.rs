//! The account types fixed by the system, the function roles and the kinds of group.

use serde::{Deserialize, Serialize};

macro_rules! str_enum {
    ($(#[$doc:meta])* $name:ident { $($variant:ident => $s:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "lowercase")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $s),+ }
            }

            pub fn parse(s: &str) -> Option<Self> {
                match s { $($s => Some($name::$variant),)+ _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

str_enum!(
    /// The four account types of a person. Function accounts have none.
    AccountType {
        Lehrer => "lehrer",
        Personal => "personal",
        Extern => "extern",
        Schueler => "schueler",
    }
);

str_enum!(
    /// Function accounts: separate logins held by a person, never reachable from the
    /// personal account.
    FunctionRole {
        Admin => "admin",
        Schulleitung => "schulleitung",
        Sekretariat => "sekretariat",
    }
);

str_enum!(
    /// What a group is for.
    GroupKind {
        Klasse => "klasse",
        Kurs => "kurs",
        Arbeitsgruppe => "arbeitsgruppe",
        Personalgruppe => "personalgruppe",
        Fachschaft => "fachschaft",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_strings() {
        for t in AccountType::ALL {
            assert_eq!(AccountType::parse(t.as_str()), Some(*t));
        }
        for r in FunctionRole::ALL {
            assert_eq!(FunctionRole::parse(r.as_str()), Some(*r));
        }
        for k in GroupKind::ALL {
            assert_eq!(GroupKind::parse(k.as_str()), Some(*k));
        }
        assert_eq!(AccountType::parse("Lehrer"), None);
    }
}
