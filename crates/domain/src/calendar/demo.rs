//! A few dates for the demo school, written through the ordinary ingest path as the logins
//! that would enter them: the teacher's personal calendar, class 5a's calendar, the school
//! calendar (by the Sekretariat) and two resources (by the admin) with one booking.

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use schulhof_store::users;
use schulhof_types::AccountType;

use super::{NewResource, Precondition};
use crate::identity::Actor;
use crate::{DomainError, Platform};

/// One event at a local date and time; `extra` adds lines (RRULE, X-SCHULHOF-PUBLIC).
fn event(uid: &str, summary: &str, day: NaiveDate, from: &str, to: &str, extra: &str) -> String {
    let d = day.format("%Y%m%d");
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Schulhof//Demo//DE\r\nBEGIN:VEVENT\r\nUID:{uid}@demo.schulhof\r\n\
DTSTAMP:20261101T000000Z\r\nDTSTART;TZID=Europe/Berlin:{d}T{from}00\r\nDTEND;TZID=Europe/Berlin:{d}T{to}00\r\n\
SUMMARY:{summary}\r\n{extra}END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
}

fn all_day(uid: &str, summary: &str, day: NaiveDate, extra: &str) -> String {
    let (d, e) = (
        day.format("%Y%m%d"),
        (day + Duration::days(1)).format("%Y%m%d"),
    );
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Schulhof//Demo//DE\r\nBEGIN:VEVENT\r\nUID:{uid}@demo.schulhof\r\n\
DTSTAMP:20261101T000000Z\r\nDTSTART;VALUE=DATE:{d}\r\nDTEND;VALUE=DATE:{e}\r\nSUMMARY:{summary}\r\n{extra}END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
}

/// The given weekday of the week after `today`.
fn next_week(today: NaiveDate, day: Weekday) -> NaiveDate {
    let monday = today + Duration::days(7 - i64::from(today.weekday().num_days_from_monday()));
    monday + Duration::days(i64::from(day.num_days_from_monday()))
}

impl Platform {
    /// Seeds the demo dates; `teacher` is the demo teacher (in class 5a).
    pub(crate) async fn seed_demo_calendar(&self, teacher: &Actor) -> Result<(), DomainError> {
        let today = self.now().with_timezone(&teacher.time_zone).date_naive();
        let put = |a: &Actor, cal, name: &str, raw: String| {
            let a = a.clone();
            let name = name.to_owned();
            async move {
                self.calendar_put(&a, cal, &name, raw.as_bytes(), Precondition::None)
                    .await
                    .map(|_| ())
                    .map_err(DomainError::from)
            }
        };
        let own = self.calendar_personal(teacher).await?.id;
        let tue = next_week(today, Weekday::Tue);
        put(
            teacher,
            own,
            "sprechstunde.ics",
            event(
                "sprechstunde",
                "Sprechstunde",
                tue,
                "1300",
                "1345",
                "RRULE:FREQ=WEEKLY\r\nLOCATION:Raum 204\r\n",
            ),
        )
        .await?;
        put(
            teacher,
            own,
            "fachkonferenz.ics",
            event(
                "fachkonferenz",
                "Fachkonferenz Mathematik",
                next_week(today, Weekday::Wed),
                "1430",
                "1600",
                "",
            ),
        )
        .await?;
        if let Some(g) = teacher.groups.iter().find(|g| g.name == "5a") {
            let class = self.calendar_of_group(teacher, g.id).await?.id;
            put(
                teacher,
                class,
                "klassenarbeit.ics",
                event(
                    "klassenarbeit",
                    "Klassenarbeit Mathematik",
                    next_week(today, Weekday::Thu),
                    "0800",
                    "0930",
                    "",
                ),
            )
            .await?;
            put(
                teacher,
                class,
                "wandertag.ics",
                all_day(
                    "wandertag",
                    "Wandertag Stadtwald",
                    next_week(today, Weekday::Fri),
                    "",
                ),
            )
            .await?;
        }
        let inst = teacher.token.instance();
        let mut c = self.db.read().await?;
        let sek = match users::find_by_login(&mut c, inst, "sekretariat").await? {
            Some(u) => self.system_actor_for(&mut c, inst, u.id).await?,
            None => None,
        };
        let admin = match users::find_by_login(&mut c, inst, "admin").await? {
            Some(u) => self.system_actor_for(&mut c, inst, u.id).await?,
            None => None,
        };
        drop(c);
        if let Some(sek) = sek {
            let school = self
                .calendars(&sek)
                .await?
                .into_iter()
                .find(|c| c.kind == super::CalendarKind::School)
                .map(|c| c.id);
            if let Some(school) = school {
                put(
                    &sek,
                    school,
                    "elternsprechtag.ics",
                    event(
                        "elternsprechtag",
                        "Elternsprechtag",
                        next_week(today, Weekday::Mon) + Duration::days(7),
                        "1500",
                        "1900",
                        "",
                    ),
                )
                .await?;
                put(
                    &sek,
                    school,
                    "offene-tuer.ics",
                    event(
                        "offene-tuer",
                        "Tag der offenen Tür",
                        next_week(today, Weekday::Sat) + Duration::days(14),
                        "1000",
                        "1400",
                        "X-SCHULHOF-PUBLIC:TRUE\r\n",
                    ),
                )
                .await?;
            }
        }
        if let Some(admin) = admin {
            let aula = self
                .resource_create(
                    &admin,
                    &NewResource {
                        name: "Aula".into(),
                        description: "Bühne, 250 Plätze, Beamer".into(),
                        capacity: 250,
                        needs_approval: false,
                        account_types: vec![AccountType::Lehrer, AccountType::Personal],
                        groups: vec![],
                    },
                )
                .await?;
            self.resource_create(
                &admin,
                &NewResource {
                    name: "Laptopwagen".into(),
                    description: "30 Laptops".into(),
                    capacity: 30,
                    needs_approval: true,
                    account_types: vec![AccountType::Lehrer],
                    groups: vec![],
                },
            )
            .await?;
            put(
                teacher,
                aula.calendar,
                "theater.ics",
                event(
                    "theater",
                    "Theater-AG Probe",
                    next_week(today, Weekday::Wed),
                    "1400",
                    "1600",
                    "",
                ),
            )
            .await?;
        }
        Ok(())
    }
}
