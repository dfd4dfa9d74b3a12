//! The demo school's course for class 5a (teacher `lehrer`, student `schueler`): two
//! sections with a page, a link, a worksheet file and a tick-off item. Assignments and
//! quizzes add their own demo activities to the same course.

use schulhof_store::lms::courses;
use schulhof_store::lms::sections;
use schulhof_types::{CourseId, SectionId};

use super::{MaterialInput, SectionInput};
use crate::identity::Actor;
use crate::{DomainError, Platform};

const WORKSHEET: &str = "Arbeitsblatt Brüche\n\n1. Kürze: 6/8, 9/12, 15/20\n\
2. Welcher Bruch ist größer: 2/3 oder 3/5?\n";

fn material(kind: &str, title: &str, body: &str, completion: &str) -> MaterialInput {
    MaterialInput {
        kind: kind.into(),
        title: title.into(),
        body: body.into(),
        completion: completion.into(),
        ..MaterialInput::default()
    }
}

impl Platform {
    /// Seeds the demo course once; `teacher` is the demo teacher (member of 5a).
    pub(crate) async fn seed_demo_lms(&self, teacher: &Actor) -> Result<(), DomainError> {
        let Some(group) = teacher.groups.iter().find(|g| g.name == "5a") else {
            return Ok(());
        };
        let existing = {
            let mut c = self.db.read().await?;
            courses::for_group(&mut c, teacher.token.instance(), group.id).await?
        };
        if existing.is_some() {
            return Ok(());
        }
        let course = self.lms_create_course(teacher, group.id).await?;
        self.lms_update_course(
            teacher,
            course,
            "Mathematik 5a",
            "Brüche, Dezimalzahlen und Geometrie im ersten Halbjahr.",
        )
        .await?;
        let (_, first) = self
            .demo_course_for_5a(teacher)
            .await?
            .ok_or(DomainError::NotFound)?;
        self.lms_add_material(
            teacher,
            first,
            &material(
                "page",
                "Willkommen im Kurs",
                "<p>Hier finden Sie alles für den Mathematikunterricht der <strong>5a</strong>: \
                 Material, Aufgaben und Tests.</p>",
                "view",
            ),
        )
        .await?;
        let link = MaterialInput {
            url: Some("https://de.wikipedia.org/wiki/Bruchrechnung".into()),
            ..material("link", "Bruchrechnung erklärt", "", "none")
        };
        self.lms_add_material(teacher, first, &link).await?;
        let fractions = self
            .lms_add_section(
                teacher,
                course,
                &SectionInput {
                    title: "Brüche".into(),
                    summary: "Kürzen, Erweitern, Vergleichen".into(),
                    ..SectionInput::default()
                },
            )
            .await?;
        let sheet = self
            .lms_add_material(
                teacher,
                fractions,
                &material("file", "Arbeitsblatt Brüche", "", "view"),
            )
            .await?;
        self.lms_add_file(
            teacher,
            sheet,
            "Arbeitsblatt Brüche.txt",
            WORKSHEET.as_bytes(),
        )
        .await?;
        self.lms_add_material(
            teacher,
            fractions,
            &material(
                "page",
                "Übungen im Buch",
                "<p>Bearbeite im Buch S. 34 Nr. 1–5 und hake die Übung danach ab.</p>",
                "manual",
            ),
        )
        .await?;
        // L2/L3: assignment and quiz — one line each here, e.g.
        self.seed_demo_assignment(teacher, course, fractions)
            .await?;
        self.seed_demo_quiz(teacher, course, fractions).await?;
        Ok(())
    }

    /// The demo course of class 5a and its first section, once seeded.
    pub(crate) async fn demo_course_for_5a(
        &self,
        teacher: &Actor,
    ) -> Result<Option<(CourseId, SectionId)>, DomainError> {
        let Some(group) = teacher.groups.iter().find(|g| g.name == "5a") else {
            return Ok(None);
        };
        let inst = teacher.token.instance();
        let mut c = self.db.read().await?;
        let Some(course) = courses::for_group(&mut c, inst, group.id).await? else {
            return Ok(None);
        };
        let first = sections::of_course(&mut c, inst, course, true, 0).await?;
        Ok(first.first().map(|s| (course, s.id)))
    }
}
