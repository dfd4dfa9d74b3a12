//! News items, their audience, files, read marks and the public feed's stamp.

pub mod audience;
pub mod files;
pub mod items;
pub mod notify;
pub mod reads;
pub mod stamp;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// One news item.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct NewsId(pub Uuid);

impl NewsId {
    /// A new time-ordered id (UUIDv7).
    pub fn new() -> Self {
        Self(Uuid::now_v7())
    }
}

impl Default for NewsId {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Display for NewsId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::str::FromStr for NewsId {
    type Err = uuid::Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Uuid::parse_str(s).map(Self)
    }
}

/// Who reads: the store's form of `schulhof_authz::news::ReadScope`.
#[derive(Clone, Copy, Debug)]
pub struct Reader<'a> {
    pub user: schulhof_types::UserId,
    /// `users.kind` compared with audience rows; `None`: only public items.
    pub account_type: Option<&'a str>,
}
