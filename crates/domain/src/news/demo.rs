//! The demo school's news: two public items (by the Sekretariat) and one only for teachers.

use schulhof_store::users;
use schulhof_types::AccountType;

use super::{AudienceInput, NewsInput};
use crate::identity::Actor;
use crate::{DomainError, Platform};

fn item(title: &str, body: &str, audience: AudienceInput) -> NewsInput {
    NewsInput {
        title: title.into(),
        body: body.into(),
        from: None,
        until: None,
        audience,
        publish: true,
    }
}

impl Platform {
    /// Seeds the demo news; `teacher` is the demo teacher (its school is the demo school).
    pub(crate) async fn seed_demo_news(&self, teacher: &Actor) -> Result<(), DomainError> {
        let inst = teacher.token.instance();
        let sek = {
            let mut c = self.db.read().await?;
            match users::find_by_login(&mut c, inst, "sekretariat").await? {
                Some(u) => self.system_actor_for(&mut c, inst, u.id).await?,
                None => None,
            }
        };
        let Some(sek) = sek else { return Ok(()) };
        self.news_create(
            &sek,
            item(
                "Tag der offenen Tür",
                "<p>Am <strong>Samstag</strong> öffnen wir von 10 bis 14 Uhr unsere Türen. \
                 Eltern und künftige Fünftklässler sind herzlich eingeladen: Unterricht zum \
                 Zuschauen, Experimente in der Physik und Kuchen in der Mensa.</p>",
                AudienceInput::Public,
            ),
        )
        .await?;
        self.news_create(
            &sek,
            item(
                "Neue Öffnungszeiten des Sekretariats",
                "<p>Das Sekretariat ist ab sofort montags bis freitags von 7:30 bis 13:00 Uhr \
                 erreichbar, donnerstags zusätzlich bis 16:00 Uhr.</p>",
                AudienceInput::Public,
            ),
        )
        .await?;
        self.news_create(
            &sek,
            item(
                "Lehrerkonferenz verschoben",
                "<p>Die Lehrerkonferenz findet nicht am Dienstag, sondern am <em>Donnerstag</em> \
                 um 14:30 Uhr im Lehrerzimmer statt.</p>",
                AudienceInput::Restricted {
                    groups: vec![],
                    logins: vec![],
                    account_types: vec![AccountType::Lehrer],
                },
            ),
        )
        .await?;
        Ok(())
    }
}
