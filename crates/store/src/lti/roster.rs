//! Names and Role Provisioning's read: a course's editors and participants with what the
//! sharing rule of connected tools needs about each (account type, birthday, consent to
//! the tool) and about the school (its under-16 rule, its time zone), in one statement
//! whatever the size of the course.

use schulhof_types::{CourseId, InstanceId, UserId};
use uuid::Uuid;

use crate::{AsConn, StoreError, on};

/// A member of the course as the roster reads them.
#[derive(Clone, Debug)]
pub struct RosterRow {
    pub id: UserId,
    pub first_name: String,
    pub last_name: String,
    /// The account type (`schueler`, `lehrer`, …).
    pub kind: String,
    /// The birthday as imported, if known.
    pub birthday: Option<String>,
    /// An editor of the course (else a participant).
    pub editor: bool,
    /// The claims of the person's consent to the tool in force, if there is one.
    pub consent: Option<Vec<String>>,
}

/// The school's side of the rule.
#[derive(Clone, Debug, Default)]
pub struct RosterSchool {
    /// The under-16 rule, if the school set one.
    pub under16: Option<String>,
    /// The school's time zone (a birthday turns an age there).
    pub time_zone: String,
}

type Raw = (
    Uuid,
    String,
    String,
    String,
    String,
    Option<String>,
    i64,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// One arm of the roster: `$1` school, `$2` course, `$3` the tool's client ref.
macro_rules! roster_arm {
    ($editor:literal, $($rule:tt)+) => {
        concat!(
            "SELECT u.id, u.login, u.first_name, u.last_name, u.kind, u.birthday, CAST(",
            $editor,
            " AS BIGINT), k.claims,
                (SELECT o.under16 FROM oidc_school_settings o WHERE o.instance_id = $1),
                (SELECT i.time_zone FROM instances i WHERE i.id = $1)
               FROM users u LEFT JOIN oidc_consents k
                 ON k.instance_id = u.instance_id AND k.user_id = u.id AND k.client_ref = $3
                AND k.revoked_at IS NULL
              WHERE u.instance_id = $1 AND u.active AND ",
            $($rule)+
        )
    };
}

/// The editors (first) and participants of `course`, each by name, with their consent to
/// tool `client_ref`; and the school's rule. One statement.
pub async fn roster(
    c: &mut impl AsConn,
    instance: InstanceId,
    course: CourseId,
    client_ref: Uuid,
) -> Result<(RosterSchool, Vec<RosterRow>), StoreError> {
    let q = concat!(
        roster_arm!("1", crate::lms::editor_of!("$1", "$2")),
        " UNION ALL ",
        roster_arm!("0", crate::lms::participant_of!("$1", "$2")),
        " ORDER BY 7 DESC, 4, 3, 2"
    );
    let r: Vec<Raw> = on!(c, c => sqlx::query_as(q)
        .bind(instance.0).bind(course.0).bind(client_ref).fetch_all(&mut *c).await)?;
    let school = r
        .first()
        .map(|r| RosterSchool {
            under16: r.8.clone(),
            time_zone: r.9.clone().unwrap_or_default(),
        })
        .unwrap_or_default();
    let rows = r
        .into_iter()
        .map(|r| RosterRow {
            id: UserId(r.0),
            first_name: r.2,
            last_name: r.3,
            kind: r.4,
            birthday: r.5,
            editor: r.6 != 0,
            consent: r.7.as_deref().map(crate::oidc::split),
        })
        .collect();
    Ok((school, rows))
}
