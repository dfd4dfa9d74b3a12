//! The demo school's chat: the rooms of class 5a and of the Kollegium with a few messages.

use schulhof_store::chat::rooms;

use crate::identity::Actor;
use crate::{DomainError, Platform};

impl Platform {
    /// Seeds the demo chat; `teacher` and `student` are the demo logins of class 5a.
    pub(crate) async fn seed_demo_chat(
        &self,
        teacher: &Actor,
        student: &Actor,
    ) -> Result<(), DomainError> {
        // Listing the rooms makes the rooms of the teacher's groups.
        self.chat_rooms(teacher).await?;
        let inst = teacher.token.instance();
        let mut class = None;
        let mut staff = None;
        for g in &teacher.groups {
            let mut c = self.db.read().await?;
            let room = rooms::of_group(&mut c, inst, g.id).await?;
            match g.name.as_str() {
                "5a" => class = room,
                "Kollegium" => staff = room,
                _ => {}
            }
        }
        if let Some(r) = class {
            let first = self
                .chat_send(
                    teacher,
                    r,
                    "Guten Morgen, 5a! Denkt bitte an die Unterschrift für den Wandertag.",
                    None,
                )
                .await?;
            let reply = self
                .chat_send(student, r, "Mache ich, danke!", Some(first))
                .await?;
            self.chat_react(teacher, r, reply, "👍", true).await?;
        }
        if let Some(r) = staff {
            self.chat_send(
                teacher,
                r,
                "Die Lehrerkonferenz ist am Donnerstag um 14:30 Uhr im Lehrerzimmer.",
                None,
            )
            .await?;
        }
        Ok(())
    }
}
