//! A fake BigBlueButton server: `create`, `end` and `isMeetingRunning` with BigBlueButton's
//! XML, checking every checksum by the documented rule — written here from the docs, not
//! with the code under test: strip `checksum` from the raw query string, hash
//! `call + rest + secret` with the algorithm its length names, compare.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use aws_lc_rs::digest;
use axum::extract::{Path, RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

#[derive(Default)]
struct Inner {
    secret: String,
    /// meetingID → (name, moderatorPW)
    meetings: Mutex<BTreeMap<String, (String, String)>>,
    creates: AtomicUsize,
}

pub struct FakeBbb {
    /// What `bbb-conf --secret` would print as URL.
    pub base: String,
    inner: Arc<Inner>,
}

impl FakeBbb {
    pub fn create_calls(&self) -> usize {
        self.inner.creates.load(Ordering::SeqCst)
    }

    pub fn meetings(&self) -> Vec<String> {
        self.inner
            .meetings
            .lock()
            .expect("lock")
            .keys()
            .cloned()
            .collect()
    }

    pub fn title(&self, id: &str) -> Option<String> {
        self.inner
            .meetings
            .lock()
            .expect("lock")
            .get(id)
            .map(|m| m.0.clone())
    }
}

pub async fn start(secret: &str) -> FakeBbb {
    let inner = Arc::new(Inner {
        secret: secret.into(),
        ..Default::default()
    });
    let app = axum::Router::new()
        .route("/bigbluebutton/api/{call}", get(api))
        .route("/bigbluebutton/broken/api/{call}", get(broken))
        .with_state(inner.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    FakeBbb {
        base: format!("http://{addr}/bigbluebutton/"),
        inner,
    }
}

/// The check BigBlueButton makes on every call.
pub fn checksum_ok(call: &str, raw_query: &str, secret: &str) -> bool {
    let mut given = None;
    let rest: Vec<&str> = raw_query
        .split('&')
        .filter(|part| match part.strip_prefix("checksum=") {
            Some(sum) => {
                given = Some(sum.to_string());
                false
            }
            None => true,
        })
        .collect();
    let Some(given) = given else { return false };
    let alg = match given.len() {
        40 => &digest::SHA1_FOR_LEGACY_USE_ONLY,
        64 => &digest::SHA256,
        96 => &digest::SHA384,
        128 => &digest::SHA512,
        _ => return false,
    };
    let input = format!("{call}{}{secret}", rest.join("&"));
    let sum = digest::digest(alg, input.as_bytes());
    let hex: String = sum.as_ref().iter().map(|b| format!("{b:02x}")).collect();
    hex == given
}

fn xml(body: &str) -> Response {
    (
        [(header::CONTENT_TYPE, "text/xml;charset=utf-8")],
        format!("<response>{body}</response>"),
    )
        .into_response()
}

fn failed(key: &str, message: &str) -> Response {
    xml(&format!(
        "<returncode>FAILED</returncode><messageKey>{key}</messageKey><message>{message}</message>"
    ))
}

async fn api(
    State(inner): State<Arc<Inner>>,
    Path(call): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let query = query.unwrap_or_default();
    if call == "create" {
        inner.creates.fetch_add(1, Ordering::SeqCst);
    }
    if !checksum_ok(&call, &query, &inner.secret) {
        return failed("checksumError", "Checksums do not match");
    }
    let params: HashMap<String, String> = url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    let Some(id) = params.get("meetingID").cloned() else {
        return failed(
            "missingParamMeetingID",
            "You must specify a meeting ID for the meeting.",
        );
    };
    let mut meetings = inner.meetings.lock().expect("lock");
    match call.as_str() {
        "create" => {
            let duplicate = meetings.contains_key(&id);
            meetings.entry(id.clone()).or_insert_with(|| {
                let name = params.get("name").cloned().unwrap_or_default();
                (name, params.get("moderatorPW").cloned().unwrap_or_default())
            });
            let warning = if duplicate {
                "<messageKey>duplicateWarning</messageKey><message>This conference was already in existence and may currently be in progress.</message>"
            } else {
                ""
            };
            xml(&format!(
                "<returncode>SUCCESS</returncode><meetingID>{id}</meetingID><hasUserJoined>false</hasUserJoined>{warning}"
            ))
        }
        "end" => match meetings.get(&id) {
            None => failed(
                "notFound",
                "We could not find a meeting with that meeting ID - perhaps the meeting is not yet running?",
            ),
            Some((_, pw)) if params.get("password") != Some(pw) => failed(
                "invalidPassword",
                "You must supply the moderator password for this call.",
            ),
            Some(_) => {
                meetings.remove(&id);
                xml(
                    "<returncode>SUCCESS</returncode><messageKey>sentEndMeetingRequest</messageKey><message>A request to end the meeting was sent.</message>",
                )
            }
        },
        "isMeetingRunning" => xml(&format!(
            "<returncode>SUCCESS</returncode><running>{}</running>",
            meetings.contains_key(&id)
        )),
        _ => failed("unsupportedRequest", "This request is not supported."),
    }
}

async fn broken() -> Response {
    (
        StatusCode::BAD_GATEWAY,
        [(header::CONTENT_TYPE, "text/html")],
        "<html><body><h1>502 Bad Gateway</h1></body></html>",
    )
        .into_response()
}
