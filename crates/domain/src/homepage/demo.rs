//! The demo school's start page: a start text and two pages, written through the ordinary
//! editor by the demo staff login, to whom the admin grants homepage.admin first.

use schulhof_store::{instances, users};

use super::PageInput;
use crate::identity::Actor;
use crate::school::DEMO_SCHOOL;
use crate::{DomainError, Platform};

const INTRO: &str = "<h2>Willkommen am Demo-Gymnasium!</h2>\
<p>Wir sind ein Gymnasium mit rund 800 Schülerinnen und Schülern. Auf diesen Seiten finden Sie \
unsere aktuellen Neuigkeiten, die nächsten Termine und alles zur Anmeldung.</p>";

const ABOUT: &str = "<p>Das Demo-Gymnasium liegt mitten im Grünen. Unsere Schwerpunkte sind \
<strong>Naturwissenschaften</strong>, <strong>Musik</strong> und <strong>Sprachen</strong>.</p>\
<ul><li>Ganztag bis 15:30 Uhr</li><li>Schulgarten und Imkerei-AG</li><li>Austausch mit Lyon</li></ul>";

const ENROL: &str = "<p>Die Anmeldung für die neuen 5. Klassen findet im Februar statt. \
Bitte bringen Sie das letzte Zeugnis und die Empfehlung der Grundschule mit.</p>\
<p>Fragen beantwortet gern das Sekretariat: <a href=\"mailto:sekretariat@100000.nrw.schule\">sekretariat@100000.nrw.schule</a>.</p>";

impl Platform {
    /// Seeds the demo start page once, after the demo logins exist.
    pub(crate) async fn seed_demo_homepage(&self) -> Result<(), DomainError> {
        let Some(admin) = self.homepage_demo_actor("admin").await? else {
            return Ok(());
        };
        self.set_user_right(&admin, "personal", "homepage.admin", true)
            .await?;
        let Some(editor) = self.homepage_demo_actor("personal").await? else {
            return Ok(());
        };
        self.homepage_save_settings(&editor, INTRO, "").await?;
        for (title, slug, body) in [
            ("Über uns", "ueber-uns", ABOUT),
            ("Anmeldung", "anmeldung", ENROL),
        ] {
            let page = PageInput {
                title: title.into(),
                slug: slug.into(),
                body: body.into(),
                position: None,
                published: true,
            };
            self.homepage_save_page(&editor, None, &page).await?;
        }
        Ok(())
    }

    async fn homepage_demo_actor(&self, login: &str) -> Result<Option<Actor>, DomainError> {
        let mut c = self.db.read().await?;
        let Some(school) = instances::find_by_number(&mut c, DEMO_SCHOOL).await? else {
            return Ok(None);
        };
        let Some(user) = users::find_by_login(&mut c, school.id, login).await? else {
            return Ok(None);
        };
        self.system_actor_for(&mut c, school.id, user.id).await
    }
}
