//! A few files for the demo school, so a first look at the home page and the file manager
//! shows something: the teacher's material shared with class 5a, a letter to parents, a
//! student's own presentation. Written through the ordinary services, as those logins.

use schulhof_authz::files::{Area, FileRole};
use schulhof_store::{instances, users};

use crate::files::{Placement, Subject};
use crate::identity::Actor;
use crate::school::DEMO_SCHOOL;
use crate::{DomainError, Platform};

const WORKSHEET: &str = "Arbeitsblatt Bruchrechnung\n\n1. Kürze: 4/8, 6/9, 10/15\n\
2. Erweitere 2/3 auf Zwölftel.\n3. Welche Zahl ist größer: 3/4 oder 5/7?\n";
const LETTER: &str = "Liebe Eltern der Klasse 5a,\n\nder Wandertag führt uns am Freitag in den \
Stadtwald. Treffpunkt ist um 8:00 Uhr am Haupteingang.\n\nViele Grüße\nLena Lehmann\n";
const TALK: &str = "# Vulkane\n\n- Wie entsteht ein Vulkan?\n- Der Ausbruch des Vesuv\n\
- Vulkane in Deutschland: die Eifel\n";

impl Platform {
    /// Puts the demo files in place once, right after the demo school was seeded. A school
    /// that is not the demo school is left alone.
    pub async fn system_seed_demo_files(&self) -> Result<(), DomainError> {
        let (Some(teacher), Some(student)) = (
            self.demo_actor("lehrer").await?,
            self.demo_actor("schueler").await?,
        ) else {
            return Ok(());
        };
        let own = self.own_root(&teacher).await?;
        let class = self
            .file_mkdir(
                &teacher,
                Placement {
                    folder: &own,
                    name: "Klasse 5a – Mathematik",
                },
            )
            .await?;
        let class = self.locate(&teacher, class.id).await?;
        self.demo_file(
            &teacher,
            &class,
            "Arbeitsblatt Bruchrechnung.txt",
            WORKSHEET,
        )
        .await?;
        if let Some(group) = teacher.groups.iter().find(|g| g.name == "5a") {
            self.file_share(&teacher, &class, Subject::Group(group.id), FileRole::Viewer)
                .await?;
        }
        self.demo_file(&teacher, &own, "Elternbrief Wandertag.txt", LETTER)
            .await?;
        let mine = self.own_root(&student).await?;
        self.demo_file(&student, &mine, "Referat Vulkane.md", TALK)
            .await?;
        self.seed_demo_mail(&teacher, &student).await?;
        self.seed_demo_confidential(&teacher).await?;
        self.seed_demo_calendar(&teacher).await?;
        self.seed_demo_contacts(&teacher).await?;
        self.seed_demo_news(&teacher).await?;
        self.seed_demo_lms(&teacher).await?;
        self.seed_demo_chat(&teacher, &student).await?;
        self.seed_demo_homepage().await
    }

    async fn demo_actor(&self, login: &str) -> Result<Option<Actor>, DomainError> {
        let mut c = self.db.read().await?;
        let Some(school) = instances::find_by_number(&mut c, DEMO_SCHOOL).await? else {
            return Ok(None);
        };
        let Some(user) = users::find_by_login(&mut c, school.id, login).await? else {
            return Ok(None);
        };
        self.system_actor_for(&mut c, school.id, user.id).await
    }

    async fn own_root(&self, actor: &Actor) -> Result<crate::files::Located, DomainError> {
        let root = self.area_root(actor, Area::Own).await?;
        self.locate(actor, root).await
    }

    async fn demo_file(
        &self,
        actor: &Actor,
        folder: &crate::files::Located,
        name: &str,
        text: &str,
    ) -> Result<(), DomainError> {
        let at = Placement { folder, name };
        let mime = if name.ends_with(".md") {
            "text/markdown"
        } else {
            "text/plain"
        };
        self.file_upload(actor, at, Some(mime), text.as_bytes())
            .await?;
        Ok(())
    }
}
