//! The students' consent to audio and video conferences as the school's records hold it:
//! imported (SVWS `EinwilligungAudiokonferenz` / `EinwilligungVideokonferenz`) or set by an
//! admin by hand. Changing it is an admin action on the login: audited.

use schulhof_authz::{EditUser, ReadUser, check};
use schulhof_store::conference as store;
use schulhof_store::{AsConn, to_us};
use schulhof_types::{InstanceId, UserId};
use serde::Serialize;

use super::ConferenceSignal;
use crate::admin::target;
use crate::audit::admin_action;
use crate::identity::Actor;
use crate::{DomainError, Platform};

/// A login's consent on record.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct AvConsent {
    pub audio: bool,
    pub video: bool,
}

/// "The consent on record of `user` changed": whoever holds that person's media in a
/// running conference applies the new grant at once (the chat socket of the person hands
/// it to the SFU). Sent over the event bus, since the person's conference may run on
/// another node than the admin's page ([`super::ConferenceSignal`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConsentChange {
    pub instance: InstanceId,
    pub user: UserId,
}

impl Platform {
    /// The consent on record for `login` (admins and whoever may read the login).
    pub async fn av_consent(&self, actor: &Actor, login: &str) -> Result<AvConsent, DomainError> {
        let mut c = self.db.read().await?;
        let (user, t) = target(&mut c, actor.token.instance(), login).await?;
        check(&actor.token, ReadUser(t))?;
        let (audio, video) = store::consent(&mut c, actor.token.instance(), user.id).await?;
        Ok(AvConsent { audio, video })
    }

    /// The admin records `login`'s consent by hand.
    pub async fn set_av_consent(
        &self,
        actor: &Actor,
        login: &str,
        consent: AvConsent,
    ) -> Result<(), DomainError> {
        let mut tx = self.db.begin().await?;
        let (user, t) = target(&mut tx, actor.token.instance(), login).await?;
        let grant = check(&actor.token, EditUser(t))?;
        let now = self.now();
        let pair = (consent.audio, consent.video);
        store::set_consent(
            &mut tx,
            grant.instance(),
            user.id,
            pair,
            "admin",
            to_us(now),
        )
        .await?;
        let detail = serde_json::json!({ "audio": consent.audio, "video": consent.video });
        admin_action(
            &mut tx,
            actor,
            now,
            "user.av_consent",
            &user.login,
            Some(detail),
        )
        .await?;
        let signal = [ConferenceSignal::Consent(ConsentChange {
            instance: grant.instance(),
            user: user.id,
        })];
        tx.commit().await?;
        self.conference_hub.committed(&signal);
        Ok(())
    }
}

/// Records a consent read from an import (the importer checked the admin's right).
pub async fn import_av_consent(
    c: &mut impl AsConn,
    instance: InstanceId,
    user: UserId,
    consent: AvConsent,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), DomainError> {
    let pair = (consent.audio, consent.video);
    store::set_consent(c, instance, user, pair, "import", to_us(now)).await?;
    Ok(())
}
