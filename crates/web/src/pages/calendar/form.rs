//! The event form as sent, and what it means: checked here only as far as the browser's
//! inputs go (dates, times, numbers); everything about iCalendar, rights and bookings is the
//! domain's. A mistake names the input it belongs to.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use serde::Deserialize;

/// The inputs of the event form (names as in the template).
#[derive(Clone, Debug, Default, Deserialize)]
pub struct EventForm {
    #[serde(default)]
    pub kalender: String,
    #[serde(default)]
    pub titel: String,
    #[serde(default)]
    pub ort: String,
    #[serde(default)]
    pub beschreibung: String,
    /// `ja` when ticked.
    #[serde(default)]
    pub ganztaegig: String,
    #[serde(default)]
    pub beginn_datum: String,
    #[serde(default)]
    pub beginn_zeit: String,
    #[serde(default)]
    pub ende_datum: String,
    #[serde(default)]
    pub ende_zeit: String,
    /// `keine`, `taeglich`, `woechentlich`, `monatlich`, `jaehrlich`.
    #[serde(default)]
    pub wiederholung: String,
    #[serde(default)]
    pub intervall: String,
    /// `nie`, `bis`, `anzahl`.
    #[serde(default)]
    pub serienende: String,
    #[serde(default)]
    pub bis: String,
    #[serde(default)]
    pub anzahl: String,
    /// Minutes before the start, empty for none.
    #[serde(default)]
    pub erinnerung: String,
    #[serde(default)]
    pub oeffentlich: String,
    /// The ETag the form was made from, so a change in between is not overwritten.
    #[serde(default)]
    pub etag: String,
    /// Editing a series: `diesen`, `folgende` or `alle`.
    #[serde(default)]
    pub umfang: String,
    /// Editing a series: the chosen occurrence's start (unix microseconds).
    #[serde(default)]
    pub vorkommen: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Freq {
    Daily,
    Weekly,
    Monthly,
    Yearly,
}

impl Freq {
    pub fn parse(s: &str) -> Option<Freq> {
        match s {
            "taeglich" => Some(Freq::Daily),
            "woechentlich" => Some(Freq::Weekly),
            "monatlich" => Some(Freq::Monthly),
            "jaehrlich" => Some(Freq::Yearly),
            _ => None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecurEnd {
    Never,
    Until(NaiveDate),
    Count(u32),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Recurrence {
    pub freq: Freq,
    pub interval: u32,
    pub end: RecurEnd,
}

/// When the event is: whole days (the last one inclusive) or wall-clock times in the
/// school's zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum When {
    AllDay(NaiveDate, NaiveDate),
    Timed(NaiveDateTime, NaiveDateTime),
}

/// A checked form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Draft {
    pub title: String,
    pub place: String,
    pub description: String,
    pub when: When,
    pub recurrence: Option<Recurrence>,
    pub alarm_minutes: Option<u32>,
    pub public: bool,
}

/// A mistake in one input: the input's name and the text key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mistake {
    pub field: &'static str,
    pub key: &'static str,
}

fn bad(field: &'static str, key: &'static str) -> Mistake {
    Mistake { field, key }
}

fn date(s: &str, field: &'static str) -> Result<NaiveDate, Mistake> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(s.trim(), "%d.%m.%Y"))
        .map_err(|_| bad(field, "cal.err.date"))
}

fn time(s: &str, field: &'static str) -> Result<NaiveTime, Mistake> {
    NaiveTime::parse_from_str(s.trim(), "%H:%M")
        .or_else(|_| NaiveTime::parse_from_str(s.trim(), "%H:%M:%S"))
        .map_err(|_| bad(field, "cal.err.time"))
}

impl EventForm {
    pub fn all_day(&self) -> bool {
        self.ganztaegig == "ja"
    }

    /// The form checked: the first mistake, input by input from the top.
    pub fn check(&self) -> Result<Draft, Mistake> {
        let title = self.titel.trim();
        if title.is_empty() {
            return Err(bad("titel", "cal.err.title"));
        }
        let start_day = date(&self.beginn_datum, "beginn_datum")?;
        let end_day = if self.ende_datum.trim().is_empty() {
            start_day
        } else {
            date(&self.ende_datum, "ende_datum")?
        };
        let when = if self.all_day() {
            if end_day < start_day {
                return Err(bad("ende_datum", "cal.err.end_before_start"));
            }
            When::AllDay(start_day, end_day)
        } else {
            let from = start_day.and_time(time(&self.beginn_zeit, "beginn_zeit")?);
            let to = if self.ende_zeit.trim().is_empty() {
                from + chrono::Duration::hours(1)
            } else {
                end_day.and_time(time(&self.ende_zeit, "ende_zeit")?)
            };
            if to < from {
                return Err(bad("ende_zeit", "cal.err.end_before_start"));
            }
            When::Timed(from, to)
        };
        Ok(Draft {
            title: title.to_owned(),
            place: self.ort.trim().to_owned(),
            description: self.beschreibung.trim().to_owned(),
            when,
            recurrence: self.recurrence(start_day)?,
            alarm_minutes: self.erinnerung.trim().parse().ok().filter(|m| *m <= 40_320),
            public: self.oeffentlich == "ja",
        })
    }

    fn recurrence(&self, start: NaiveDate) -> Result<Option<Recurrence>, Mistake> {
        let Some(freq) = Freq::parse(&self.wiederholung) else {
            return Ok(None);
        };
        let interval = match self.intervall.trim() {
            "" => 1,
            s => s
                .parse::<u32>()
                .ok()
                .filter(|n| (1..=99).contains(n))
                .ok_or(bad("intervall", "cal.err.interval"))?,
        };
        let end = match self.serienende.as_str() {
            "bis" => {
                let until = date(&self.bis, "bis")?;
                if until < start {
                    return Err(bad("bis", "cal.err.until"));
                }
                RecurEnd::Until(until)
            }
            "anzahl" => RecurEnd::Count(
                self.anzahl
                    .trim()
                    .parse::<u32>()
                    .ok()
                    .filter(|n| (1..=999).contains(n))
                    .ok_or(bad("anzahl", "cal.err.count"))?,
            ),
            _ => RecurEnd::Never,
        };
        Ok(Some(Recurrence {
            freq,
            interval,
            end,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> EventForm {
        EventForm {
            titel: " Elternabend ".into(),
            beginn_datum: "2026-12-10".into(),
            beginn_zeit: "19:00".into(),
            ende_zeit: "20:30".into(),
            ..Default::default()
        }
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("day")
    }

    #[test]
    fn a_timed_event_ends_on_its_start_day_unless_told() {
        let d = form().check().expect("valid");
        assert_eq!(d.title, "Elternabend");
        let from = day(2026, 12, 10).and_hms_opt(19, 0, 0).expect("t");
        let to = day(2026, 12, 10).and_hms_opt(20, 30, 0).expect("t");
        assert_eq!(d.when, When::Timed(from, to));
        assert_eq!(d.recurrence, None);
        assert_eq!(d.alarm_minutes, None);
    }

    #[test]
    fn all_day_and_recurrence() {
        let f = EventForm {
            ganztaegig: "ja".into(),
            ende_datum: "12.12.2026".into(),
            wiederholung: "woechentlich".into(),
            intervall: "2".into(),
            serienende: "anzahl".into(),
            anzahl: "10".into(),
            erinnerung: "15".into(),
            ..form()
        };
        let d = f.check().expect("valid");
        assert_eq!(d.when, When::AllDay(day(2026, 12, 10), day(2026, 12, 12)));
        assert_eq!(
            d.recurrence,
            Some(Recurrence {
                freq: Freq::Weekly,
                interval: 2,
                end: RecurEnd::Count(10)
            })
        );
        assert_eq!(d.alarm_minutes, Some(15));
    }

    #[test]
    fn mistakes_name_their_input() {
        let m = |f: EventForm| f.check().expect_err("invalid");
        assert_eq!(
            m(EventForm {
                titel: " ".into(),
                ..form()
            })
            .field,
            "titel"
        );
        assert_eq!(
            m(EventForm {
                beginn_datum: "gestern".into(),
                ..form()
            })
            .field,
            "beginn_datum"
        );
        assert_eq!(
            m(EventForm {
                beginn_zeit: "25:00".into(),
                ..form()
            })
            .key,
            "cal.err.time"
        );
        assert_eq!(
            m(EventForm {
                ende_zeit: "18:00".into(),
                ..form()
            }),
            Mistake {
                field: "ende_zeit",
                key: "cal.err.end_before_start"
            }
        );
        let rec = EventForm {
            wiederholung: "taeglich".into(),
            ..form()
        };
        assert_eq!(
            m(EventForm {
                intervall: "0".into(),
                ..rec.clone()
            })
            .field,
            "intervall"
        );
        assert_eq!(
            m(EventForm {
                serienende: "bis".into(),
                bis: "2026-12-01".into(),
                ..rec.clone()
            })
            .key,
            "cal.err.until"
        );
        assert_eq!(
            m(EventForm {
                serienende: "anzahl".into(),
                anzahl: "100000".into(),
                ..rec
            })
            .field,
            "anzahl"
        );
    }
}
