//! A changed calendar object is never answered with its old text, through the real binary:
//! calendar-query answers are made of fragments kept per object and ETag in each server
//! process, and nothing tells a process of a change made by another. On PostgreSQL two
//! server processes share the database: node B answers a month, node A changes and deletes
//! objects, node B must answer the new state at once. On SQLite the same with one node.

use crate::cli_support;
use std::process::Command;

use cli_support::*;
use schulhof_store::testing::TestDb;

const PW: &str = "schulhof-demo";
const USER: &str = "lehrer@100000";
const CAL: &str = "/dav/calendars/lehrer/knoten/";

/// Logs in over the API and accepts the terms, as a user does once in the browser.
fn accept_terms(port: u16) {
    let body = format!(r#"{{"instance":"100000","login":"lehrer","password":"{PW}"}}"#);
    let (status, resp) = http(port, "POST", "/api/v1/session", &body).expect("login");
    assert_eq!(status, 200, "{resp}");
    let cookie = session_cookie(&resp).expect("cookie");
    let consent = r#"{"terms":true,"privacy":true}"#;
    let (status, resp) =
        http_with(port, "POST", "/api/v1/consent", consent, Some(&cookie)).expect("consent");
    assert_eq!(status, 204, "{resp}");
}

/// `curl` as the teacher; the status and the body.
fn curl(port: u16, method: &str, path: &str, extra: &[&str]) -> (u16, String) {
    let out = Command::new("curl")
        .args(["-s", "-g", "-o", "-", "-w", "\n%{http_code}", "-X", method])
        .args(["-u", &format!("{USER}:{PW}")])
        .args(extra)
        .arg(format!("http://127.0.0.1:{port}{path}"))
        .output()
        .expect("curl is installed (scripts/ensure-test-deps.sh)");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let (body, status) = text.rsplit_once('\n').expect("status line");
    (status.trim().parse().expect("status"), body.to_owned())
}

fn event(uid: &str, day: u32, summary: &str) -> String {
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:{uid}\r\n\
         DTSTAMP:20300101T000000Z\r\nDTSTART:203003{day:02}T100000Z\r\n\
         DTEND:203003{day:02}T110000Z\r\nSUMMARY:{summary}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
}

fn put(port: u16, name: &str, data: &str) -> u16 {
    let path = format!("{CAL}{name}");
    let args = ["-H", "Content-Type: text/calendar", "--data-binary", data];
    curl(port, "PUT", &path, &args).0
}

/// The March 2030 calendar-query with calendar-data; `n` varies the body (an XML comment),
/// so an answer kept for an identical request is not what is tested.
fn month(port: u16, n: usize) -> String {
    let q = format!(
        r#"<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><!-- {n} --><d:prop><d:getetag/><c:calendar-data/></d:prop><c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT"><c:time-range start="20300301T000000Z" end="20300401T000000Z"/></c:comp-filter></c:comp-filter></c:filter></c:calendar-query>"#
    );
    let (s, body) = curl(
        port,
        "REPORT",
        CAL,
        &[
            "-H",
            "Depth: 1",
            "-H",
            "Content-Type: application/xml",
            "--data-binary",
            &q,
        ],
    );
    assert_eq!(s, 207, "{body}");
    body
}

/// The ETag the answer gives for the object `name` (with its quotes).
fn etag_in(answer: &str, name: &str) -> Option<String> {
    let at = answer.find(&format!("{CAL}{name}</d:href>"))?;
    let rest = &answer[at..];
    let from = rest.find("<d:getetag>")? + "<d:getetag>".len();
    let to = rest[from..].find("</d:getetag>")?;
    Some(rest[from..from + to].to_owned())
}

/// The ETag a GET of the object names now.
fn etag_of(port: u16, name: &str) -> String {
    let (s, head) = curl(
        port,
        "GET",
        &format!("{CAL}{name}"),
        &["-D", "-", "-o", "/dev/null"],
    );
    assert_eq!(s, 200, "{head}");
    head.lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .starts_with("etag:")
                .then(|| l[5..].trim().to_owned())
        })
        .expect("ETag header")
}

/// Node `a` writes, node `b` answers (the same node on SQLite).
fn scenario(a: u16, b: u16) {
    accept_terms(a);
    let (s, body) = curl(a, "MKCALENDAR", CAL, &[]);
    assert_eq!(s, 201, "{body}");
    for (i, name) in ["eins", "zwei", "drei"].iter().enumerate() {
        let day = u32::try_from(i).expect("small") + 2;
        assert_eq!(
            put(a, &format!("{name}.ics"), &event(name, day, "Alt")),
            201
        );
    }
    // Node b answers the month twice: its fragments are now kept.
    let first = month(b, 1);
    assert_eq!(first.matches("SUMMARY:Alt&#13;").count(), 3, "{first}");
    assert_eq!(month(b, 2), first);
    let old = etag_in(&first, "zwei.ics").expect("zwei in the answer");
    // Node a changes one object (a new text, a new ETag) and deletes another.
    assert_eq!(put(a, "zwei.ics", &event("zwei", 3, "Neu & verlegt")), 204);
    let (s, body) = curl(a, "DELETE", &format!("{CAL}drei.ics"), &[]);
    assert_eq!(s, 204, "{body}");
    let new = etag_of(a, "zwei.ics");
    assert_ne!(new, old);
    // Node b answers the new state at once, with another body and with the same one.
    for n in [3, 1] {
        let after = month(b, n);
        assert!(after.contains("SUMMARY:Neu &amp; verlegt&#13;"), "{after}");
        assert_eq!(
            after.matches("SUMMARY:Alt&#13;").count(),
            1,
            "stale: {after}"
        );
        assert_eq!(etag_in(&after, "zwei.ics"), Some(new.clone()), "{after}");
        assert!(etag_in(&after, "eins.ics").is_some(), "{after}");
        assert!(!after.contains("drei.ics"), "deleted: {after}");
    }
    // And node a agrees.
    assert_eq!(month(a, 4), month(b, 5));
}

#[test]
fn a_changed_event_is_answered_new_on_sqlite() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().to_str().expect("utf-8").to_owned();
    let node = serve(&["--data", &data], &["--demo"]);
    scenario(node.1, node.1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_change_on_one_node_is_answered_new_by_the_other_on_postgres() {
    let t = TestDb::postgres().await;
    t.db.close().await;
    let url = t.url.clone();
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().to_str().expect("utf-8").to_owned();
    tokio::task::spawn_blocking(move || {
        let a = serve(&["--database", &url, "--data", &data], &["--demo"]);
        let b = serve(&["--database", &url, "--data", &data], &["--demo"]);
        scenario(a.1, b.1);
    })
    .await
    .expect("scenario");
}
