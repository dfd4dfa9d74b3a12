use proptest::prelude::*;

use super::*;

const PROPFIND: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<D:propfind xmlns:D="DAV:"><D:prop><D:getlastmodified/><D:getcontentlength/>
<D:resourcetype/></D:prop></D:propfind>"#;
const PROPPATCH: &str = r#"<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:"
xmlns:Z="http://ns.example.com/z/"><D:set><D:prop><Z:Author>Jim <Z:b>W</Z:b></Z:Author>
</D:prop></D:set><D:remove><D:prop><Z:Copyright-Owner/></D:prop></D:remove>
</D:propertyupdate>"#;
const LOCK: &str = r#"<?xml version="1.0"?><D:lockinfo xmlns:D="DAV:"><D:lockscope>
<D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype><D:owner>
<D:href>http://example.org/~ejw/contact.html</D:href></D:owner></D:lockinfo>"#;

fn nested(depth: usize) -> String {
    format!(
        "<D:propfind xmlns:D=\"DAV:\">{}{}</D:propfind>",
        "<a>".repeat(depth),
        "</a>".repeat(depth)
    )
}

#[test]
fn real_client_bodies_pass() {
    for body in [PROPFIND, PROPPATCH, LOCK] {
        assert_eq!(xml_depth_ok(body.as_bytes(), MAX_XML_DEPTH), Ok(()));
    }
}

#[test]
fn deep_bodies_are_refused_without_recursion() {
    assert!(xml_depth_ok(nested(MAX_XML_DEPTH - 1).as_bytes(), MAX_XML_DEPTH).is_ok());
    let err = xml_depth_ok(nested(MAX_XML_DEPTH).as_bytes(), MAX_XML_DEPTH).expect_err("too deep");
    assert!(err.contains("zu tief"), "{err}");
    // Only opening tags, a million of them: the scan stops at the limit.
    let flood = "<a>".repeat(1_000_000);
    assert!(xml_depth_ok(flood.as_bytes(), MAX_XML_DEPTH).is_err());
}

#[test]
fn doctype_is_refused() {
    let body = r#"<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>"#;
    assert!(xml_depth_ok(body.as_bytes(), MAX_XML_DEPTH).is_err());
}

#[test]
fn dot_segments_are_bad_paths() {
    for path in [
        "/dav/files/%2e%2e/",
        "/dav/files/../api/v1/me",
        "/dav/files/eigene-dateien/%2E/x",
        "/dav/files/eigene-dateien/.%2e/.%2E/",
    ] {
        assert!(check_path(path).is_err(), "{path}");
    }
    for path in [
        "/dav/files/",
        "/dav/files/eigene-dateien/a..b/.hidden",
        "/dav/files/%2e%2ex",
    ] {
        assert_eq!(check_path(path), Ok(()), "{path}");
    }
}

fn destination(value: &str) -> Result<(), StatusCode> {
    let mut headers = HeaderMap::new();
    headers.insert(header::HOST, "schule.example:8080".parse().expect("header"));
    headers.insert("destination", value.parse().expect("header"));
    check_destination(&headers, None).map_err(|(s, _)| s)
}

#[test]
fn destinations_stay_on_this_host_under_the_prefix() {
    for ok in [
        "/dav/files/eigene-dateien/b.txt",
        "http://schule.example:8080/dav/files/eigene-dateien/b.txt",
        "HTTPS://SCHULE.example:8080/dav/files/x?y",
    ] {
        assert_eq!(destination(ok), Ok(()), "{ok}");
    }
    for outside in [
        "http://elsewhere.example/dav/files/eigene-dateien/b.txt",
        "http://user@schule.example:8080/dav/files/a",
        "/dav/files/../api/v1/me",
        "/dav/files/%2e%2e/x",
        "http://schule.example:8080/dav/files/eigene-dateien/%2E%2E/%2e%2e/x",
        "/api/v1/files",
        "/dav/filesX/a",
        "/dav/",
    ] {
        assert_eq!(
            destination(outside),
            Err(StatusCode::FORBIDDEN),
            "{outside}"
        );
    }
    assert_eq!(destination("ftp://x/y"), Err(StatusCode::BAD_REQUEST));
}

/// Real bodies with bytes changed, cut or nested further: the guard answers without
/// panicking, and whatever it lets through is parsed by the library's recursive parser
/// (xmltree) on a small stack without overflowing.
fn mutated_bodies() -> impl Strategy<Value = Vec<u8>> {
    let seed = prop::sample::select(vec![PROPFIND, PROPPATCH, LOCK]);
    prop_oneof![
        (
            seed.clone(),
            prop::collection::vec((any::<usize>(), any::<u8>()), 0..8)
        )
            .prop_map(|(s, edits)| {
                let mut b = s.as_bytes().to_vec();
                for (at, byte) in edits {
                    let at = at % b.len();
                    b[at] = byte;
                }
                b
            }),
        (seed.clone(), any::<usize>()).prop_map(|(s, cut)| s.as_bytes()[..cut % s.len()].to_vec()),
        (0usize..3000).prop_map(|d| nested(d).into_bytes()),
        prop::collection::vec(any::<u8>(), 0..512),
    ]
}

/// 256 cases by default; `PROPTEST_CASES` runs more by hand.
fn cases() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256);
    ProptestConfig::with_cases(cases)
}

proptest! {
    #![proptest_config(cases())]

    #[test]
    fn guard_and_parser_never_crash(body in mutated_bodies()) {
        if xml_depth_ok(&body, MAX_XML_DEPTH).is_ok() {
            let parsed = std::thread::Builder::new()
                .stack_size(256 * 1024)
                .spawn(move || xmltree::Element::parse(body.as_slice()).is_ok())
                .expect("thread")
                .join();
            prop_assert!(parsed.is_ok(), "the parser crashed on an accepted body");
        }
    }

    #[test]
    fn path_checks_never_panic(path in "(/[a-z.%2eE]{0,6}){0,6}/?", host in "[a-z:0-9@.]{0,12}") {
        let _ = check_path(&path);
        let _ = destination(&format!("http://{host}{path}"));
        let _ = destination(&path);
    }
}
