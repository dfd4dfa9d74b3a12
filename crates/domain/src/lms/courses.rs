//! Courses: one click from a class or course group, settings (name, summary, further
//! groups, co-teachers), the archive at the school-year change and the copy into a new
//! year (sections and material, never submissions).

use schulhof_authz::check;
use schulhof_authz::lms::{CreateCourseFor, EditCourse};
use schulhof_store::lms::activities::{self, NewActivity};
use schulhof_store::lms::courses::{self, NewCourse};
use schulhof_store::lms::outline::{self, FileRow};
use schulhof_store::lms::sections::{self, SectionRow};
use schulhof_store::{groups, to_us, users};
use schulhof_types::{ActivityId, CourseId, GroupId, SectionId};
use uuid::Uuid;

use crate::identity::Actor;
use crate::{DomainError, Platform};

/// Longest course name.
const MAX_NAME: usize = 120;

fn clean_name(name: &str) -> Result<String, DomainError> {
    let n = name.trim();
    if n.is_empty() || n.chars().count() > MAX_NAME {
        return Err(DomainError::invalid(
            "name",
            "Bitte einen Namen mit höchstens 120 Zeichen angeben.",
        ));
    }
    Ok(n.to_owned())
}

impl Platform {
    /// The classes and course groups the caller may create a course for with one click:
    /// a teacher's own groups, for the admin every group; only those without an open course.
    pub async fn lms_creatable_groups(
        &self,
        a: &Actor,
    ) -> Result<Vec<(GroupId, String)>, DomainError> {
        let admin = check(
            &a.token,
            CreateCourseFor {
                instance: a.token.instance(),
                member_of_group: false,
            },
        )
        .is_ok();
        let teacher = check(
            &a.token,
            CreateCourseFor {
                instance: a.token.instance(),
                member_of_group: true,
            },
        )
        .is_ok();
        if !admin && !teacher {
            return Ok(Vec::new());
        }
        let who = (!admin).then(|| a.token.user());
        let mut c = self.db.read().await?;
        Ok(courses::groups_without_course(&mut c, a.token.instance(), who).await?)
    }

    /// Creates the course of a group (named after it, with one empty section). A group has
    /// at most one open course: a second click answers `Conflict`.
    pub async fn lms_create_course(
        &self,
        a: &Actor,
        group: GroupId,
    ) -> Result<CourseId, DomainError> {
        let inst = a.token.instance();
        let member_of_group = a.groups.iter().any(|g| g.id == group);
        check(
            &a.token,
            CreateCourseFor {
                instance: inst,
                member_of_group,
            },
        )?;
        let year = self.current_school_year(inst).await?;
        let now = to_us(self.now());
        let mut tx = self.db.begin().await?;
        let g = groups::get(&mut tx, inst, group)
            .await?
            .ok_or(DomainError::NotFound)?;
        let id = CourseId::new();
        let n = NewCourse {
            id,
            name: &g.name,
            summary: "",
            group_id: Some(group),
            school_year: &year,
            copied_from: None,
            created_by: a.token.user(),
            now,
        };
        if let Err(e) = courses::insert(&mut tx, inst, &n).await {
            if e.is_unique_violation() {
                return Err(DomainError::Conflict {
                    field: "group",
                    message: "Für diese Gruppe gibt es schon einen Kurs.".into(),
                });
            }
            return Err(e.into());
        }
        sections::insert(&mut tx, inst, &first_section(id)).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Changes name and summary of a course the caller edits.
    pub async fn lms_update_course(
        &self,
        a: &Actor,
        id: CourseId,
        name: &str,
        summary: &str,
    ) -> Result<(), DomainError> {
        let name = clean_name(name)?;
        let ctx = self.lms_course_for_edit(a, id).await?;
        let mut tx = self.db.begin().await?;
        courses::update(
            &mut tx,
            ctx.facts.instance,
            id,
            &name,
            summary.trim(),
            to_us(self.now()),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Links a further group (its teachers edit, everyone else takes part); only a group
    /// the caller belongs to.
    pub async fn lms_link_group(
        &self,
        a: &Actor,
        id: CourseId,
        group: GroupId,
    ) -> Result<(), DomainError> {
        let ctx = self.lms_course_for_edit(a, id).await?;
        if !a.groups.iter().any(|g| g.id == group) {
            return Err(DomainError::invalid(
                "group",
                "Nur eigene Gruppen können verbunden werden.",
            ));
        }
        let mut tx = self.db.begin().await?;
        courses::link_group(&mut tx, ctx.facts.instance, id, group).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Removes a linked group (not the course's own group).
    pub async fn lms_unlink_group(
        &self,
        a: &Actor,
        id: CourseId,
        group: GroupId,
    ) -> Result<(), DomainError> {
        let ctx = self.lms_course_for_edit(a, id).await?;
        if ctx.row.group_id == Some(group) {
            return Err(DomainError::invalid(
                "group",
                "Die Gruppe des Kurses bleibt verbunden.",
            ));
        }
        let mut tx = self.db.begin().await?;
        courses::unlink_group(&mut tx, ctx.facts.instance, id, group).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Adds a teacher or staff member of the school as co-teacher, by login or by the
    /// school's mail address (trimmed, in any case). Refused with a clear error: an
    /// address of another school, a deactivated account, a student or function account.
    pub async fn lms_add_co_teacher(
        &self,
        a: &Actor,
        id: CourseId,
        login: &str,
    ) -> Result<(), DomainError> {
        let ctx = self.lms_course_for_edit(a, id).await?;
        let inst = ctx.facts.instance;
        let login = login.trim().to_lowercase();
        if login.is_empty() {
            return Err(DomainError::invalid(
                "login",
                "Bitte die Anmeldung der Lehrkraft angeben.",
            ));
        }
        let mut tx = self.db.begin().await?;
        let u = if let Some((_, domain)) = login.split_once('@') {
            let own = schulhof_store::instances::get(&mut tx, inst)
                .await?
                .ok_or(DomainError::NotFound)?
                .mail_domain
                .to_lowercase();
            if domain != own {
                return Err(DomainError::invalid(
                    "login",
                    "Nur Lehrkräfte dieser Schule können weitere Lehrkräfte eines Kurses sein.",
                ));
            }
            users::find_by_login_or_mail(&mut tx, inst, &login).await?
        } else {
            users::find_by_login(&mut tx, inst, &login).await?
        };
        // Another school's login is unknown here: the same answer as no login at all.
        let u = u.ok_or_else(|| {
            DomainError::invalid(
                "login",
                "Keine Lehrkraft dieser Schule mit dieser Anmeldung.",
            )
        })?;
        if u.function_role.is_some() || !matches!(u.kind.as_str(), "lehrer" | "personal") {
            return Err(DomainError::invalid(
                "login",
                "Keine Lehrkraft mit dieser Anmeldung.",
            ));
        }
        if !u.active {
            return Err(DomainError::invalid(
                "login",
                "Dieses Konto ist deaktiviert und kann nicht weitere Lehrkraft sein.",
            ));
        }
        courses::set_person(&mut tx, inst, id, u.id, "editor").await?;
        tx.commit().await?;
        Ok(())
    }

    /// Removes a person added by hand (co-teacher or participant); never the caller.
    pub async fn lms_remove_person(
        &self,
        a: &Actor,
        id: CourseId,
        user: schulhof_types::UserId,
    ) -> Result<(), DomainError> {
        let ctx = self.lms_course_for_edit(a, id).await?;
        if user == a.token.user() {
            return Err(DomainError::invalid(
                "login",
                "Sich selbst kann man nicht austragen.",
            ));
        }
        let mut tx = self.db.begin().await?;
        courses::remove_person(&mut tx, ctx.facts.instance, id, user).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The groups and hand-added persons of a course the caller edits.
    pub async fn lms_course_members(
        &self,
        a: &Actor,
        id: CourseId,
    ) -> Result<super::CourseMembers, DomainError> {
        let ctx = self.lms_course(a, id).await?;
        check(&a.token, EditCourse(ctx.facts))?;
        let inst = ctx.facts.instance;
        let mut c = self.db.read().await?;
        Ok(super::CourseMembers {
            groups: courses::groups_of(&mut c, inst, id).await?,
            people: courses::people_of(&mut c, inst, id).await?,
        })
    }

    /// The participants of a course the caller edits (for restricting material).
    pub async fn lms_participants(
        &self,
        a: &Actor,
        id: CourseId,
    ) -> Result<Vec<super::PersonRow>, DomainError> {
        let ctx = self.lms_course(a, id).await?;
        if !ctx.is_editor() {
            return Err(DomainError::Forbidden);
        }
        let mut c = self.db.read().await?;
        Ok(courses::participants(&mut c, ctx.facts.instance, id).await?)
    }

    /// Copies a course the caller edits (open or archived) into a new open course of the
    /// current school year: sections, material, assignments and quizzes (with their questions),
    /// placed LTI tools (with their line items, not the scores), all
    /// with their files (the same blobs) but without last year's dates; never submissions,
    /// grades, attempts or completion. The caller becomes its co-teacher; groups are linked
    /// afterwards in the settings.
    pub async fn lms_copy_course(&self, a: &Actor, id: CourseId) -> Result<CourseId, DomainError> {
        let ctx = self.lms_course(a, id).await?;
        if !ctx.is_editor() {
            return Err(DomainError::Forbidden);
        }
        let inst = ctx.facts.instance;
        let year = self.current_school_year(inst).await?;
        let now = to_us(self.now());
        let new = CourseId::new();
        let mut tx = self.db.begin().await?;
        let secs = sections::of_course(&mut tx, inst, id, true, now).await?;
        let acts = outline::activities_of(&mut tx, inst, id, a.token.user(), true, now).await?;
        let files = outline::files_of_course(&mut tx, inst, id, a.token.user(), true, now).await?;
        let n = NewCourse {
            id: new,
            name: &ctx.row.name,
            summary: &ctx.row.summary,
            group_id: None,
            school_year: &year,
            copied_from: Some(id),
            created_by: a.token.user(),
            now,
        };
        courses::insert(&mut tx, inst, &n).await?;
        courses::set_person(&mut tx, inst, new, a.token.user(), "editor").await?;
        if ctx.row.simple_view {
            courses::set_simple_view(&mut tx, inst, new, true, now).await?;
        }
        for s in secs {
            let sid = SectionId::new();
            sections::insert(
                &mut tx,
                inst,
                &SectionRow {
                    id: sid,
                    course_id: new,
                    ..s.clone()
                },
            )
            .await?;
            // Only the kinds this copy knows the rows of (see [`COPIED`]).
            let copied = acts.iter().filter(|o| {
                o.activity.section_id == s.id && COPIED.contains(&o.activity.kind.as_str())
            });
            for o in copied {
                copy_activity(&mut tx, inst, &o.activity, new, sid, &files, now).await?;
            }
        }
        tx.commit().await?;
        Ok(new)
    }
}

/// The kinds a copy into a new year takes along.
const COPIED: &[&str] = &[
    "page",
    "link",
    "file",
    "folder",
    "media",
    "assignment",
    "quiz",
    // Placed LTI tools (issue 18): the placement and its line item, never the scores.
    "lti",
];

fn first_section(course: CourseId) -> SectionRow {
    SectionRow {
        id: SectionId::new(),
        course_id: course,
        position: 0,
        title: "Allgemeines".into(),
        summary: String::new(),
        hidden: false,
        visible_from: None,
    }
}

async fn copy_activity(
    tx: &mut schulhof_store::Tx,
    inst: schulhof_types::InstanceId,
    a: &schulhof_store::lms::activities::ActivityRow,
    course: CourseId,
    section: SectionId,
    files: &[FileRow],
    now: i64,
) -> Result<(), DomainError> {
    let id = ActivityId::new();
    // Last year's opening time of a quiz is no use in the new year.
    let settings = match a.kind.as_str() {
        "quiz" => {
            let mut q = super::quiz::QuizSettings::parse(&a.settings);
            q.opens_at = None;
            q.to_json()
        }
        _ => a.settings.clone(),
    };
    // The copy's files get new ids; the text's pictures and links follow them.
    let copies: Vec<FileRow> = files
        .iter()
        .filter(|f| f.activity_id == a.id)
        .map(|f| FileRow {
            id: Uuid::now_v7(),
            activity_id: id,
            ..f.clone()
        })
        .collect();
    let mut body = a.body.clone();
    for (old, new) in files.iter().filter(|f| f.activity_id == a.id).zip(&copies) {
        body = body.replace(
            &super::page_text::file_src(a.id, old.id),
            &super::page_text::file_src(id, new.id),
        );
    }
    let n = NewActivity {
        id,
        course_id: course,
        section_id: section,
        kind: &a.kind,
        title: &a.title,
        body: &body,
        url: a.url.as_deref(),
        transcript: &a.transcript,
        hidden: a.hidden,
        visible_from: a.visible_from,
        // Restrictions name last year's students: the copy starts unrestricted but hidden.
        restricted: false,
        completion: &a.completion,
        due_at: None,
        settings: &settings,
        now,
    };
    let n = NewActivity {
        hidden: a.hidden || a.restricted,
        ..n
    };
    activities::insert(tx, inst, &n).await?;
    for copy in &copies {
        outline::insert_file(tx, inst, copy, now).await?;
    }
    match a.kind.as_str() {
        "assignment" => schulhof_store::lms::copy::assignment(tx, inst, a.id, id).await?,
        "quiz" => {
            schulhof_store::lms::copy::quiz_questions(tx, inst, a.id, id, now).await?;
        }
        "lti" => {
            schulhof_store::lms::copy::lti_line_item(tx, inst, a.id, id, course, now).await?;
        }
        _ => {}
    }
    Ok(())
}
