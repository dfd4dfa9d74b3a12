//! The one iCalendar ingest (CalDAV PUT, ICS import and the web form all go through
//! `calendar_put`) fuzzed: arbitrary bytes, iCalendar-like noise and mutations of a real
//! recurring event with a time zone, exceptions and an alarm never panic; what is accepted
//! has a UID and ordered occurrences; what is refused leaves the stored object exactly as it
//! was (same text, same ETag, nothing added). On SQLite and PostgreSQL.

use crate::calendar_support::*;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use schulhof_domain::Db;
use schulhof_domain::calendar::{CalendarError, Precondition, ical};
use schulhof_store::backend_tests;

const SAMPLE: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Schulhof Test//DE\r\n\
BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\nBEGIN:DAYLIGHT\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\n\
TZNAME:CEST\r\nDTSTART:19700329T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\n\
BEGIN:STANDARD\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nTZNAME:CET\r\nDTSTART:19701025T030000\r\n\
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n\
BEGIN:VEVENT\r\nUID:fuzz-1\r\nDTSTAMP:20261101T000000Z\r\nDTSTART;TZID=Europe/Berlin:20261102T080000\r\n\
DTEND;TZID=Europe/Berlin:20261102T093000\r\nSUMMARY:Mathe 7b\r\nLOCATION:Raum 101\r\n\
DESCRIPTION:Klassenarbeit\\, Kapitel 3\\nBitte Zirkel mitbringen\r\n\
RRULE:FREQ=WEEKLY;COUNT=10;BYDAY=MO\r\nEXDATE;TZID=Europe/Berlin:20261109T080000\r\n\
RDATE;TZID=Europe/Berlin:20261104T080000\r\n\
BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT15M\r\nDESCRIPTION:Erinnerung\r\nEND:VALARM\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:fuzz-1\r\nDTSTAMP:20261101T000000Z\r\nRECURRENCE-ID;TZID=Europe/Berlin:20261116T080000\r\n\
DTSTART;TZID=Europe/Berlin:20261116T100000\r\nDTEND;TZID=Europe/Berlin:20261116T113000\r\n\
SUMMARY:Mathe 7b (verlegt)\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

/// What the ingest's parser must hold for any input: no panic; an accepted object has a
/// UID and its occurrences in order, none ending before it starts.
fn check_parse(bytes: &[u8]) {
    if let Ok(p) = ical::parse(bytes, chrono_tz::Europe::Berlin) {
        assert!(!p.uid.is_empty(), "accepted without a UID");
        assert!(
            p.occurrences.windows(2).all(|w| w[0].start <= w[1].start),
            "occurrences out of order"
        );
        assert!(p.occurrences.iter().all(|o| o.start <= o.end));
        if let Some(end) = p.last_end {
            assert!(p.first_start <= end, "ends before it starts");
        }
    }
}

/// The sample with one byte replaced, or cut off, or a line doubled.
fn mutated() -> impl Strategy<Value = Vec<u8>> {
    let n = SAMPLE.len();
    prop_oneof![
        (0..n, any::<u8>()).prop_map(|(at, b)| {
            let mut v = SAMPLE.as_bytes().to_vec();
            v[at] = b;
            v
        }),
        (0..n).prop_map(|at| SAMPLE.as_bytes()[..at].to_vec()),
        (0..n, 0..n).prop_map(|(a, b)| {
            let (a, b) = (a.min(b), a.max(b));
            let mut v = SAMPLE.as_bytes()[..b].to_vec();
            v.extend_from_slice(&SAMPLE.as_bytes()[a..]);
            v
        }),
        // A property's value replaced by noise (dates, rules and parameters included).
        (0..SAMPLE.lines().count(), "[-A-Z0-9=;:,+/.TZ ]{0,24}").prop_map(|(line, noise)| {
            SAMPLE
                .split("\r\n")
                .enumerate()
                .map(|(i, l)| match (i == line, l.split_once(':')) {
                    (true, Some((name, _))) => format!("{name}:{noise}"),
                    _ => l.to_owned(),
                })
                .collect::<Vec<_>>()
                .join("\r\n")
                .into_bytes()
        }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1500))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        check_parse(&bytes);
    }

    #[test]
    fn icalendar_like_noise_never_panics(
        s in "(BEGIN:V(CALENDAR|EVENT|TODO|ALARM|TIMEZONE)\r\n|END:V(CALENDAR|EVENT|TODO|ALARM)\r\n|(UID|DTSTART|DTEND|RRULE|EXDATE|RDATE|DURATION|RECURRENCE-ID)(;TZID=[A-Za-z/]{0,14}|;VALUE=DATE)?:[-0-9TZP=;A-Z,]{0,20}\r\n| [a-z]{0,5}\r\n){0,30}"
    ) {
        check_parse(s.as_bytes());
    }

    #[test]
    fn a_mutated_real_event_never_panics(bytes in mutated()) {
        check_parse(&bytes);
    }
}

#[test]
fn the_sample_is_accepted_with_its_exceptions() {
    let p = ical::parse(SAMPLE.as_bytes(), chrono_tz::Europe::Berlin).expect("sample");
    assert_eq!(p.uid, "fuzz-1");
    assert!(p.recurring);
    // Ten Mondays, one excluded, one extra date: ten occurrences.
    assert_eq!(p.occurrences.len(), 10, "{:?}", p.occurrences);
}

/// Mutations through the whole ingest, with the sample already stored under the same
/// name: an accepted one is what is stored now; a refused one changed nothing.
async fn a_refused_put_leaves_the_stored_object_as_it_was(db: Db) {
    let s = school(db).await;
    let p = &s.platform;
    let t = s.user("lehrer").await;
    let cal = p.calendar_personal(&t).await.expect("personal").id;
    let mut runner = TestRunner::default();
    let strategy = mutated();
    let (mut accepted, mut refused) = (0, 0);
    for _ in 0..120 {
        p.calendar_put(&t, cal, "a.ics", SAMPLE.as_bytes(), Precondition::None)
            .await
            .expect("the sample");
        let before = p.calendar_get(&t, cal, "a.ics").await.expect("stored");
        let input = strategy.new_tree(&mut runner).expect("case").current();
        match p
            .calendar_put(&t, cal, "a.ics", &input, Precondition::None)
            .await
        {
            Ok(_) => {
                accepted += 1;
                let now = p.calendar_get(&t, cal, "a.ics").await.expect("stored");
                let parsed =
                    ical::parse(&input, chrono_tz::Europe::Berlin).expect("accepted parses");
                assert_eq!(now.info.uid, parsed.uid);
            }
            Err(e) => {
                refused += 1;
                assert!(
                    matches!(
                        e,
                        CalendarError::InvalidData(_)
                            | CalendarError::UnsupportedComponent(_)
                            | CalendarError::UidConflict { .. }
                            | CalendarError::TooLarge { .. }
                    ),
                    "a bad object is refused as bad data, not as {e:?}: {}",
                    String::from_utf8_lossy(&input)
                );
                assert!(!e.to_string().is_empty());
                let now = p.calendar_get(&t, cal, "a.ics").await.expect("still there");
                assert_eq!(now.raw, before.raw, "refused input changed the object");
                assert_eq!(now.info.etag, before.info.etag);
            }
        }
        let listed = p.calendar_list(&t, cal).await.expect("list");
        assert_eq!(listed.len(), 1, "one name, one object");
    }
    // Both sides were tried (the mutations are mostly harmless or mostly fatal otherwise).
    assert!(
        accepted > 0 && refused > 0,
        "{accepted} accepted, {refused} refused"
    );
}

backend_tests!(a_refused_put_leaves_the_stored_object_as_it_was);
