//! Conferences handed to the operator's BigBlueButton or Jitsi instead of the built-in SFU.
//! The same policy decides as for built-in ones: whoever may start one joins as moderator,
//! whoever may join joins as viewer. A viewer cannot open a BigBlueButton meeting that no
//! moderator started (pupils must not open a teacher-less meeting); Jitsi has no such state,
//! its tokens carry the role.

use schulhof_authz::check;
use schulhof_authz::conference::{JoinConference, StartConference};
use schulhof_store::chat::RoomId;
use url::Url;

use crate::conference_external::{MeetingRef, Participant, is_running};
use crate::identity::Actor;
use crate::{DomainError, Platform};

impl Platform {
    /// Whether conferences go to an external system (the room page then offers a link
    /// instead of the built-in view).
    pub fn conference_is_external(&self) -> bool {
        self.conference_provider().is_external()
    }

    /// Creates the room's meeting there if the caller moderates it, and answers the address
    /// that joins the caller with the role the policy grants. Audited for moderators (who
    /// open meetings); the address itself carries a token and is never logged.
    pub async fn conference_external_enter(
        &self,
        actor: &Actor,
        room: RoomId,
    ) -> Result<Url, DomainError> {
        let mut tx = self.db.begin().await?;
        let l = self.conference_load(&mut tx, actor, room).await?;
        let moderator = check(&actor.token, StartConference(l.facts.room)).is_ok();
        if !moderator {
            check(&actor.token, JoinConference(l.facts))?;
        }
        let meeting = MeetingRef {
            school: actor.token.instance(),
            room: room.0,
            title: l.room.name.clone(),
        };
        if !moderator && is_running(self.conference_provider(), &meeting).await? == Some(false) {
            return Err(DomainError::conflict(
                "conference",
                "Die Konferenz hat noch nicht begonnen.",
            ));
        }
        if moderator {
            self.conference_audit(&mut tx, actor, "conference.start_external", room, None)
                .await?;
        }
        tx.commit().await?;
        let user = Participant {
            display_name: format!("{} {}", actor.user.first_name, actor.user.last_name),
            moderator,
        };
        self.conference_external_join(&meeting, &user).await
    }
}
