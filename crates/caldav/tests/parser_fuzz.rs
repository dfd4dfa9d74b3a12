//! The request parsers take anything without panicking: arbitrary bytes, XML-like noise and
//! deep nesting give a clear error (a 400 with a message), never a crash or unbounded work.
#![allow(clippy::unwrap_used)]

use proptest::prelude::*;
use schulhof_caldav::request;
use schulhof_caldav::xml::tree;

const SAMPLE: &str = r#"<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/></d:prop><c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT"><c:time-range start="20260101T000000Z" end="20260201T000000Z"/><c:prop-filter name="UID"><c:text-match>x</c:text-match></c:prop-filter></c:comp-filter></c:comp-filter></c:filter></c:calendar-query>"#;

fn all_parsers(bytes: &[u8]) {
    let _ = request::propfind(bytes);
    let _ = request::patch(bytes);
    let _ = request::report(bytes);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        all_parsers(&bytes);
    }

    #[test]
    fn xml_like_noise_never_panics(s in r#"(<[a-z:]{0,6}( [a-z:]{1,5}="[^"<]{0,6}")?/?>|</[a-z:]{0,6}>|&[a-z#0-9]{0,5};|[^<&]{0,6}){0,40}"#) {
        all_parsers(s.as_bytes());
    }

    #[test]
    fn a_mutated_real_request_never_panics(cut in 0..SAMPLE.len(), byte in any::<u8>()) {
        let mut b = SAMPLE.as_bytes().to_vec();
        b[cut] = byte;
        all_parsers(&b);
        all_parsers(&SAMPLE.as_bytes()[..cut]);
    }
}

#[test]
fn the_sample_parses() {
    assert!(matches!(
        request::report(SAMPLE.as_bytes()),
        Ok(request::Report::CalendarQuery { .. })
    ));
}

#[test]
fn deep_and_wide_documents_are_refused_early() {
    let deep = format!("{}{}", "<a>".repeat(100_000), "</a>".repeat(100_000));
    assert_eq!(tree::parse(deep.as_bytes()), Err(tree::XmlError::TooDeep));
    let wide = format!("<a>{}</a>", "<b/>".repeat(tree::MAX_ELEMENTS + 1));
    assert_eq!(tree::parse(wide.as_bytes()), Err(tree::XmlError::TooMany));
    let e = request::report(b"<a xmlns:x='y'><x:b>").unwrap_err();
    assert!(e.0.contains("fehlerhaft"), "{}", e.0);
    let e = request::report(b"").unwrap_err();
    assert!(e.0.contains("leer"), "{}", e.0);
}
