//! Invitations by mail (iMIP, RFC 6047): besides the copy in the calendar, each invited
//! person with a school mailbox gets the invitation as a mail there — a readable text
//! (German, then English) and the iTIP message ([`itip::message`]) as a
//! `text/calendar; method=REQUEST` part (an update asks again, a cancellation sends
//! `method=CANCEL`). Scheduling collects the mails while it writes; they are filed after
//! the calendar change commits (a change rolled back mails nothing), through the mail
//! module's one ingest path: one message and one delivery for all recipients. The
//! organiser never gets one; persons without a mailbox are skipped.

use calcard::icalendar::{
    ICalendar, ICalendarComponent, ICalendarComponentType as Ty, ICalendarProperty as P,
};
use chrono::DateTime;
use chrono_tz::Tz;
use mail_builder::MessageBuilder;
use mail_builder::headers::address::Address;
use mail_builder::headers::content_type::ContentType;
use mail_builder::headers::raw::Raw;
use mail_builder::mime::MimePart;
use schulhof_authz::check;
use schulhof_authz::mail::{Origin, ReceiveMail};
use schulhof_store::instances;
use schulhof_types::{InstanceId, UserId};

use super::ical::{self, Parsed};
use super::itip;
use crate::identity::Actor;
use crate::{DomainError, Platform};

/// Where the invitee answers on the web.
pub const ANSWER_PATH: &str = "/kalender/einladungen";

/// What an invitation mail says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Why {
    /// Invited for the first time.
    New,
    /// The event changed: asked again.
    Changed,
    Cancelled,
}

/// One invitation mail to several persons of one school.
pub(crate) struct InviteMail {
    instance: InstanceId,
    why: Why,
    /// The iTIP message (METHOD:REQUEST or CANCEL).
    ical: String,
    summary: String,
    location: String,
    /// The first occurrence, µs UTC (`None`: no start).
    first: Option<(i64, i64)>,
    all_day: bool,
    recurring: bool,
    tz: Tz,
    organiser_name: String,
    organiser_mail: String,
    to: Vec<UserId>,
}

/// The mails one calendar change sends, filed after it commits.
#[derive(Default)]
pub(crate) struct InviteMails(Vec<InviteMail>);

impl InviteMails {
    /// Notes a mail of `parsed` to `to` (the organiser `a` is left out).
    pub(crate) fn add(&mut self, a: &Actor, parsed: &Parsed, why: Why, to: Vec<UserId>) {
        self.add_also(a, parsed, why, to, &[]);
    }

    /// [`InviteMails::add`]; the message also names `also` as attendees (a CANCEL to
    /// persons taken out of the event).
    pub(crate) fn add_also(
        &mut self,
        a: &Actor,
        parsed: &Parsed,
        why: Why,
        mut to: Vec<UserId>,
        also: &[&str],
    ) {
        to.retain(|u| *u != a.user.id);
        if to.is_empty() {
            return;
        }
        let master = parsed
            .ical
            .components
            .iter()
            .find(|c| c.component_type == Ty::VEvent && !c.has_property(&P::RecurrenceId));
        let location = master
            .and_then(|c| c.property(&P::Location))
            .and_then(|e| e.values.first())
            .and_then(|v| v.as_text())
            .unwrap_or_default()
            .trim()
            .to_owned();
        let first = parsed
            .occurrences
            .first()
            .filter(|_| parsed.first_start > ical::NO_START)
            .map(|o| (o.start, o.end));
        self.0.push(InviteMail {
            instance: a.token.instance(),
            why,
            ical: itip::message(&parsed.ical, why == Why::Cancelled, also),
            summary: parsed.summary.trim().to_owned(),
            location,
            first,
            all_day: parsed.all_day,
            recurring: parsed.recurring,
            tz: a.time_zone,
            organiser_name: format!("{} {}", a.user.first_name, a.user.last_name),
            organiser_mail: a.user.mail.clone(),
            to,
        });
    }
}

/// What an invitee reads of an event besides its times, per VEVENT (the overrides by their
/// RECURRENCE-ID): title, place and description, trimmed. A change of it sends the changed
/// invitation; storing the same again does not.
pub(crate) fn seen(ical: &ICalendar) -> Vec<[String; 4]> {
    let text = |c: &ICalendarComponent, p: &P| {
        c.property(p)
            .and_then(|e| e.values.first())
            .and_then(|v| v.as_text())
            .unwrap_or_default()
            .trim()
            .to_owned()
    };
    let mut out: Vec<[String; 4]> = ical
        .components
        .iter()
        .filter(|c| c.component_type == Ty::VEvent)
        .map(|c| {
            [
                c.property(&P::RecurrenceId)
                    .map(|e| format!("{:?}", e.values))
                    .unwrap_or_default(),
                text(c, &P::Summary),
                text(c, &P::Location),
                text(c, &P::Description),
            ]
        })
        .collect();
    out.sort_unstable();
    out
}

const WEEKDAYS: [&str; 7] = ["Mo.", "Di.", "Mi.", "Do.", "Fr.", "Sa.", "So."];

/// "Do., 03.12.2026, 10:00–11:00 Uhr" and "Thu, 2026-12-03, 10:00–11:00" in the zone.
fn when(m: &InviteMail) -> (String, String) {
    let Some((s, e)) = m.first else {
        return ("ohne Zeit".into(), "no time".into());
    };
    let s = schulhof_store::from_us(s).with_timezone(&m.tz);
    let e = schulhof_store::from_us(e).with_timezone(&m.tz);
    let wd = |d: &DateTime<Tz>| {
        use chrono::Datelike;
        WEEKDAYS[d.weekday().num_days_from_monday() as usize]
    };
    let (de, en) = if m.all_day {
        let last = (e - chrono::Duration::seconds(1)).max(s);
        if last.date_naive() == s.date_naive() {
            (
                format!("{} {}, ganztägig", wd(&s), s.format("%d.%m.%Y")),
                format!("{}, all day", s.format("%a, %Y-%m-%d")),
            )
        } else {
            (
                format!(
                    "{} {} – {} {}",
                    wd(&s),
                    s.format("%d.%m.%Y"),
                    wd(&last),
                    last.format("%d.%m.%Y")
                ),
                format!(
                    "{} – {}",
                    s.format("%a, %Y-%m-%d"),
                    last.format("%a, %Y-%m-%d")
                ),
            )
        }
    } else if s.date_naive() == e.date_naive() {
        (
            format!(
                "{} {}, {}–{} Uhr",
                wd(&s),
                s.format("%d.%m.%Y"),
                s.format("%H:%M"),
                e.format("%H:%M")
            ),
            format!(
                "{}, {}–{}",
                s.format("%a, %Y-%m-%d"),
                s.format("%H:%M"),
                e.format("%H:%M")
            ),
        )
    } else {
        (
            format!(
                "{} {}, {} Uhr – {} {}, {} Uhr",
                wd(&s),
                s.format("%d.%m.%Y"),
                s.format("%H:%M"),
                wd(&e),
                e.format("%d.%m.%Y"),
                e.format("%H:%M")
            ),
            format!(
                "{} {} – {} {}",
                s.format("%a, %Y-%m-%d"),
                s.format("%H:%M"),
                e.format("%a, %Y-%m-%d"),
                e.format("%H:%M")
            ),
        )
    };
    let zone = m.tz.name();
    let (de_more, en_more) = if m.recurring {
        (" (erster Termin einer Serie)", " (first of a series)")
    } else {
        ("", "")
    };
    (
        format!("{de} ({zone}){de_more}"),
        format!("{en} ({zone}){en_more}"),
    )
}

/// Subject and readable text of an invitation mail; `link` is where one answers.
fn wording(m: &InviteMail, link: &str) -> (String, String) {
    let title = if m.summary.is_empty() {
        "(ohne Titel)"
    } else {
        m.summary.as_str()
    };
    let (subject, de, en) = match m.why {
        Why::New => (
            format!("Einladung: {title}"),
            format!("{} lädt ein: {title}", m.organiser_name),
            format!("{} invites you: {title}", m.organiser_name),
        ),
        Why::Changed => (
            format!("Geänderte Einladung: {title}"),
            format!("{} hat den Termin geändert: {title}", m.organiser_name),
            format!("{} changed the event: {title}", m.organiser_name),
        ),
        Why::Cancelled => (
            format!("Abgesagt: {title}"),
            format!("{} hat den Termin abgesagt: {title}", m.organiser_name),
            format!("{} cancelled the event: {title}", m.organiser_name),
        ),
    };
    let (when_de, when_en) = when(m);
    let organiser = format!("{} <{}>", m.organiser_name, m.organiser_mail);
    let mut text = format!("{de}\r\n\r\nWann: {when_de}\r\n");
    if !m.location.is_empty() {
        text.push_str(&format!("Wo: {}\r\n", m.location));
    }
    text.push_str(&format!("Organisiert von: {organiser}\r\n"));
    if m.why != Why::Cancelled {
        text.push_str(&format!(
            "\r\nZusagen, absagen oder „vielleicht“ antworten: {link}\r\n(oder im Kalenderprogramm, das die Einladung im Anhang liest)\r\n"
        ));
    }
    text.push_str(&format!("\r\n-- English --\r\n{en}\r\nWhen: {when_en}\r\n"));
    if !m.location.is_empty() {
        text.push_str(&format!("Where: {}\r\n", m.location));
    }
    text.push_str(&format!("Organiser: {organiser}\r\n"));
    if m.why != Why::Cancelled {
        text.push_str(&format!("Accept, decline or answer \"maybe\": {link}\r\n"));
    }
    text.push_str(
        "\r\n-- \r\nDiese Nachricht wurde automatisch verschickt. / This message was sent automatically.\r\n",
    );
    (subject, text)
}

impl Platform {
    /// Files the invitation mails of a committed calendar change. A failure is logged: the
    /// calendar change stands, and the invitation is in the invitee's calendar already.
    pub(crate) async fn calendar_send_invite_mails(&self, mails: InviteMails) {
        for m in mails.0 {
            if let Err(e) = self.send_invite_mail(&m).await {
                tracing::warn!(error = %e, "filing an invitation mail");
            }
        }
    }

    async fn send_invite_mail(&self, m: &InviteMail) -> Result<(), DomainError> {
        let now = self.now();
        let (rcpts, domain, school) = {
            let mut c = self.db.read().await?;
            let inst = instances::get(&mut c, m.instance)
                .await?
                .ok_or(DomainError::NotFound)?;
            let mut rcpts = Vec::with_capacity(m.to.len());
            for &user in &m.to {
                // Only an active login of this school that may receive mail has a mailbox.
                let Some(r) = self.system_actor_for(&mut c, m.instance, user).await? else {
                    continue;
                };
                if check(&r.token, ReceiveMail(Origin::SameSchool)).is_ok() {
                    rcpts.push(r.user);
                }
            }
            (rcpts, inst.mail_domain, inst.name)
        };
        if rcpts.is_empty() {
            return Ok(());
        }
        let link = format!("{}{ANSWER_PATH}", self.invite_link_base());
        let (subject, text) = wording(m, &link);
        let method = if m.why == Why::Cancelled {
            "CANCEL"
        } else {
            "REQUEST"
        };
        let calendar = MimePart::new(
            ContentType::new("text/calendar")
                .attribute("method", method)
                .attribute("charset", "utf-8"),
            m.ical.clone(),
        )
        .attachment("invite.ics");
        let body = MimePart::new(
            "multipart/mixed",
            vec![MimePart::new("text/plain", text), calendar],
        );
        let raw = MessageBuilder::new()
            .from((m.organiser_name.clone(), m.organiser_mail.clone()))
            .sender((format!("Schulhof {school}"), format!("noreply@{domain}")))
            .to(Address::new_group(Some("Eingeladene"), vec![]))
            .subject(subject)
            .date(now.timestamp())
            .header("Auto-Submitted", Raw::new("auto-generated"))
            .body(body)
            .write_to_vec()
            .map_err(|e| DomainError::Internal(format!("building a mail: {e}")))?;
        let rcpts: Vec<_> = rcpts.iter().collect();
        let filed = self
            .mail_system_deliver_many(m.instance, &rcpts, &raw)
            .await?;
        for f in filed {
            if let Err(e) = f {
                tracing::info!(error = %e, "an invitation mail was not filed");
            }
        }
        Ok(())
    }

    /// Where links in mail point; empty: paths only.
    fn invite_link_base(&self) -> &str {
        self.config
            .outbound
            .public_url
            .as_deref()
            .map_or("", |u| u.trim_end_matches('/'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    fn mail(why: Why, all_day: bool) -> InviteMail {
        let h = if all_day { 23 } else { 9 };
        let d = if all_day { 2 } else { 3 };
        let s = chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 12, d, h, 0, 0)
            .single()
            .expect("time");
        let e = s + chrono::Duration::hours(if all_day { 24 } else { 1 });
        InviteMail {
            instance: InstanceId(uuid::Uuid::nil()),
            why,
            ical: String::new(),
            summary: "Konferenz".into(),
            location: "Aula".into(),
            first: Some((schulhof_store::to_us(s), schulhof_store::to_us(e))),
            all_day,
            recurring: false,
            tz: chrono_tz::Europe::Berlin,
            organiser_name: "Lena Test".into(),
            organiser_mail: "lena.test@schule.example".into(),
            to: vec![],
        }
    }

    #[test]
    fn the_text_names_title_time_place_organiser_and_link() {
        let (subject, text) = wording(
            &mail(Why::New, false),
            "https://x.example/kalender/einladungen",
        );
        assert_eq!(subject, "Einladung: Konferenz");
        assert!(
            text.contains("Do. 03.12.2026, 10:00–11:00 Uhr (Europe/Berlin)"),
            "{text}"
        );
        assert!(text.contains("Wo: Aula"), "{text}");
        assert!(
            text.contains("Lena Test <lena.test@schule.example>"),
            "{text}"
        );
        assert!(
            text.contains("https://x.example/kalender/einladungen"),
            "{text}"
        );
        let (subject, text) = wording(&mail(Why::Cancelled, true), "/kalender/einladungen");
        assert_eq!(subject, "Abgesagt: Konferenz");
        assert!(text.contains("ganztägig"), "{text}");
        assert!(!text.contains("/kalender/einladungen"), "{text}");
    }
}
