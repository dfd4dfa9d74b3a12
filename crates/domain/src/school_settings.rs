//! A school's own settings, changed by its admin: its time zone, and whether its pages
//! address students with "du".

use schulhof_authz::{ManageSchoolSettings, check};
use schulhof_store::instances;
use schulhof_types::AccountType;

use crate::audit;
use crate::identity::Actor;
use crate::{DomainError, Platform};

/// The zone of a school that never chose one: the schools this platform serves are German.
pub const DEFAULT_TIME_ZONE: &str = "Europe/Berlin";

/// The zone an IANA name stands for, or `None` if chrono-tz does not know it.
pub fn parse_time_zone(name: &str) -> Option<chrono_tz::Tz> {
    name.trim().parse().ok()
}

/// A stored zone name; an unknown one (an older tz database, a hand edit) falls back to
/// the default rather than breaking every page of the school.
pub fn stored_time_zone(name: &str) -> chrono_tz::Tz {
    parse_time_zone(name).unwrap_or(chrono_tz::Europe::Berlin)
}

/// Every zone name the admin may choose, sorted.
pub fn time_zone_names() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = chrono_tz::TZ_VARIANTS.iter().map(|z| z.name()).collect();
    names.sort_unstable();
    names
}

/// The settings as the admin's page shows them.
#[derive(Clone, Debug)]
pub struct SchoolSettings {
    pub time_zone: chrono_tz::Tz,
    /// German pages address the school's students with "du" (adults always with "Sie").
    pub du_students: bool,
}

impl Actor {
    /// Whether German pages address this login with "du": a student, at a school that
    /// keeps the setting on (the default). Everyone else is addressed with "Sie".
    pub fn addressed_with_du(&self) -> bool {
        self.du_students && self.token.principal().account_type() == Some(AccountType::Schueler)
    }
}

impl Platform {
    /// The school's settings, for who may change them. Read from the session (loaded with
    /// it), so the page costs no query.
    pub fn school_settings(&self, actor: &Actor) -> Result<SchoolSettings, DomainError> {
        check(&actor.token, ManageSchoolSettings)?;
        Ok(SchoolSettings {
            time_zone: actor.time_zone,
            du_students: actor.du_students,
        })
    }

    /// Sets the school's time zone. The name must be an IANA zone (`Europe/Berlin`); the
    /// change is logged in the same transaction.
    pub async fn set_school_time_zone(&self, actor: &Actor, name: &str) -> Result<(), DomainError> {
        check(&actor.token, ManageSchoolSettings)?;
        let zone = parse_time_zone(name)
            .ok_or_else(|| DomainError::invalid("time_zone", "unknown time zone"))?;
        let now = self.now();
        let mut tx = self.db.begin().await?;
        instances::set_time_zone(&mut tx, actor.token.instance(), zone.name()).await?;
        audit::admin_action(
            &mut tx,
            actor,
            now,
            "school_time_zone",
            zone.name(),
            Some(serde_json::json!({ "from": actor.time_zone.name(), "to": zone.name() })),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Sets whether the school's students are addressed with "du"; logged in the same
    /// transaction. Sessions read the setting with every request, so it applies at once.
    pub async fn set_school_du_students(&self, actor: &Actor, du: bool) -> Result<(), DomainError> {
        check(&actor.token, ManageSchoolSettings)?;
        let now = self.now();
        let mut tx = self.db.begin().await?;
        instances::set_du_students(&mut tx, actor.token.instance(), du).await?;
        let word = |du: bool| if du { "du" } else { "Sie" };
        audit::admin_action(
            &mut tx,
            actor,
            now,
            "school_du_students",
            word(du),
            Some(serde_json::json!({ "from": word(actor.du_students), "to": word(du) })),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_iana_names_are_zones() {
        assert_eq!(
            parse_time_zone("Europe/Berlin"),
            Some(chrono_tz::Europe::Berlin)
        );
        assert_eq!(
            parse_time_zone(" Europe/Vienna "),
            Some(chrono_tz::Europe::Vienna)
        );
        assert_eq!(parse_time_zone("Mars/Olympus"), None);
        assert_eq!(parse_time_zone(""), None);
        assert_eq!(stored_time_zone("nonsense"), chrono_tz::Europe::Berlin);
        assert!(time_zone_names().contains(&"Europe/Berlin"));
    }
}
