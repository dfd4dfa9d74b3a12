//! Courses without a click, as the school's admin sets it (issue 15 item 1): off, every
//! class, or every class and course group. Switching it on makes the courses of the
//! existing groups at once; groups made later (by the admin, an import, the school-year
//! change) get theirs in the same transaction that makes them, so every node sees the
//! same courses as soon as it sees the group. The course is the one the click makes: named
//! after the group, linked to it (its teachers edit, its students take part), one section.

use chrono::{DateTime, Utc};
use schulhof_authz::{ManageSchoolSettings, check};
use schulhof_store::lms::auto_courses as store;
use schulhof_store::{Tx, lifecycle, to_us};
use schulhof_types::InstanceId;

use crate::identity::Actor;
use crate::{DomainError, Platform, audit};

/// Which groups get their course without a click.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AutoCourses {
    /// Only the one-click path (the default).
    Off,
    Classes,
    ClassesAndCourseGroups,
}

impl AutoCourses {
    /// Every choice, in the order the admin's form lists them.
    pub const ALL: [AutoCourses; 3] = [Self::Off, Self::Classes, Self::ClassesAndCourseGroups];

    /// The stored word (and the form's value).
    pub fn code(self) -> &'static str {
        match self {
            Self::Off => "aus",
            Self::Classes => "klassen",
            Self::ClassesAndCourseGroups => "klassen_kurse",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.code() == s.trim())
    }
}

impl Platform {
    /// The school's setting, for its admin.
    pub async fn lms_auto_courses(&self, a: &Actor) -> Result<AutoCourses, DomainError> {
        check(&a.token, ManageSchoolSettings)?;
        let mut c = self.db.read().await?;
        let s = store::setting(&mut c, a.token.instance()).await?;
        Ok(AutoCourses::parse(&s).unwrap_or(AutoCourses::Off))
    }

    /// Sets the school's setting (its admin) and makes the courses it asks for at once;
    /// logged in the same transaction. Returns how many courses were made.
    pub async fn lms_set_auto_courses(&self, a: &Actor, value: &str) -> Result<u64, DomainError> {
        check(&a.token, ManageSchoolSettings)?;
        let to = AutoCourses::parse(value).ok_or_else(|| {
            DomainError::invalid("auto", "Bitte eine der angebotenen Möglichkeiten wählen.")
        })?;
        let inst = a.token.instance();
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let was = store::setting(&mut tx, inst).await?;
        store::set_setting(&mut tx, inst, to.code()).await?;
        let made = create_in(&mut tx, inst, None, now).await?;
        audit::admin_action(
            &mut tx,
            a,
            now,
            "lms_auto_courses",
            to.code(),
            Some(serde_json::json!({ "from": was, "to": to.code(), "created": made })),
        )
        .await?;
        tx.commit().await?;
        Ok(made)
    }
}

/// Makes the courses the school's setting asks for and that do not exist yet, inside the
/// transaction that made groups; nothing when the setting is off. `year`: the school year
/// the new courses belong to (`None`: the school's current one).
pub(crate) async fn create_in(
    tx: &mut Tx,
    instance: InstanceId,
    year: Option<&str>,
    now: DateTime<Utc>,
) -> Result<u64, DomainError> {
    let with_course_groups = match AutoCourses::parse(&store::setting(tx, instance).await?) {
        None | Some(AutoCourses::Off) => return Ok(0),
        Some(AutoCourses::Classes) => false,
        Some(AutoCourses::ClassesAndCourseGroups) => true,
    };
    let year = match year {
        Some(y) => y.to_owned(),
        None => lifecycle::settings(tx, instance)
            .await?
            .0
            .unwrap_or_else(|| crate::import::service_api::school_year_at(now)),
    };
    Ok(store::create_for_groups(tx, instance, with_course_groups, &year, to_us(now)).await?)
}
