//! The tus headers are outside bytes: whatever arrives, parsing answers a value or a clean
//! 400, never a panic; values are taken exactly (no wrap-around of huge numbers).

use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::IntoResponse;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use proptest::prelude::*;

use super::*;

fn with(name: &'static str, raw: &[u8]) -> Option<HeaderMap> {
    let value = HeaderValue::from_bytes(raw).ok()?;
    let mut h = HeaderMap::new();
    h.insert(name, value);
    Some(h)
}

fn status(e: ApiError) -> StatusCode {
    e.into_response().status()
}

/// 256 cases by default; `PROPTEST_CASES` runs more by hand.
fn cases() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256);
    ProptestConfig::with_cases(cases)
}

#[test]
fn numbers_beyond_u64_are_refused_not_wrapped() {
    let h = with("upload-length", b"18446744073709551616").expect("header");
    let e = number(&h, &UPLOAD_LENGTH).expect_err("too large");
    assert_eq!(status(e), StatusCode::BAD_REQUEST);
    let h = with("upload-offset", b" 42 ").expect("header");
    assert_eq!(number(&h, &UPLOAD_OFFSET).ok().flatten(), Some(42));
    let h = with("upload-offset", b"-1").expect("header");
    assert!(number(&h, &UPLOAD_OFFSET).is_err());
}

proptest! {
    #![proptest_config(cases())]

    #[test]
    fn numbers_parse_or_answer_400(raw in prop::collection::vec(any::<u8>(), 0..40)) {
        if let Some(h) = with("upload-offset", &raw) {
            match number(&h, &UPLOAD_OFFSET) {
                Ok(n) => {
                    let text = std::str::from_utf8(&raw).expect("a number is ASCII");
                    prop_assert_eq!(n, text.trim().parse::<u64>().ok());
                }
                Err(e) => prop_assert_eq!(status(e), StatusCode::BAD_REQUEST),
            }
        }
    }

    #[test]
    fn any_number_round_trips(n in any::<u64>()) {
        let h = with("upload-length", n.to_string().as_bytes()).expect("header");
        prop_assert_eq!(number(&h, &UPLOAD_LENGTH).ok().flatten(), Some(n));
    }

    #[test]
    fn metadata_parses_or_answers_400(raw in prop::collection::vec(any::<u8>(), 0..300)) {
        if let Some(h) = with("upload-metadata", &raw)
            && let Err(e) = Metadata::parse(&h)
        {
            prop_assert_eq!(status(e), StatusCode::BAD_REQUEST);
        }
    }

    #[test]
    fn encoded_metadata_round_trips(
        pairs in prop::collection::vec(("[a-z]{1,8}", "\\PC{0,20}"), 0..6),
        junk in "[ ,]{0,3}",
    ) {
        let raw: Vec<String> = pairs
            .iter()
            .map(|(k, v)| format!("{k} {}", STANDARD.encode(v)))
            .collect();
        let h = with("upload-metadata", format!("{junk}{}", raw.join(",")).as_bytes()).expect("header");
        let meta = Metadata::parse(&h).expect("well-formed metadata parses");
        for (k, _) in &pairs {
            let first = pairs.iter().find(|(k2, _)| k2 == k).map(|(_, v)| v.as_str());
            prop_assert_eq!(meta.get(k), first);
        }
    }
}
