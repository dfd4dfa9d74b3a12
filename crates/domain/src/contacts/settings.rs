//! The school's switch "CardDAV an": off unless its admin turns it on (the state turned
//! CardDAV off for privacy). The DAV layer asks with every request, so a change applies at
//! once on every node.

use schulhof_authz::{ManageSchoolSettings, check};
use schulhof_store::contacts::settings;

use crate::identity::Actor;
use crate::{DomainError, Platform, audit};

impl Platform {
    /// Whether the caller's school lets address books sync over CardDAV. One statement.
    pub async fn carddav_enabled(&self, a: &Actor) -> Result<bool, DomainError> {
        let mut c = self.db.read().await?;
        Ok(settings::carddav(&mut c, a.token.instance()).await?)
    }

    /// Turns CardDAV on or off for the school (its admin); logged in the same transaction.
    pub async fn set_carddav_enabled(&self, a: &Actor, on: bool) -> Result<(), DomainError> {
        check(&a.token, ManageSchoolSettings)?;
        let now = self.now();
        let instance = a.token.instance();
        let mut tx = self.db.begin().await?;
        let was = settings::carddav(&mut tx, instance).await?;
        settings::set_carddav(&mut tx, instance, on).await?;
        let word = |on: bool| if on { "an" } else { "aus" };
        audit::admin_action(
            &mut tx,
            a,
            now,
            "school_carddav",
            word(on),
            Some(serde_json::json!({ "from": word(was), "to": word(on) })),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
