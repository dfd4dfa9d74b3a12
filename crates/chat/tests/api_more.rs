//! The JSON API of the chat's second part on SQLite and PostgreSQL: a muted member's write
//! answers 403 with the stable code `chat_muted`; pins, reports (the list for moderators
//! only), silencing, quiet hours, search and attachments (members only); 404 for rooms one
//! may not see.

mod support;

use schulhof_domain::Db;
use schulhof_store::backend_tests;
use support::*;

async fn moderation_over_the_api(db: Db) {
    let h = start(db).await;
    let id = h.room("lehrer", "5a").await;
    let base = format!("/api/v1/chat/rooms/{id}");
    let (status, _) = h
        .http(
            Some("anna"),
            "POST",
            &format!("{base}/mutes"),
            r#"{"login":"ben","minutes":10}"#,
        )
        .await;
    assert_eq!(status, 403);
    let (status, _) = h
        .http(
            Some("lehrer"),
            "POST",
            &format!("{base}/mutes"),
            r#"{"login":"ben","minutes":10}"#,
        )
        .await;
    assert_eq!(status, 204);
    let (status, v) = h
        .http(
            Some("ben"),
            "POST",
            &format!("{base}/messages"),
            r#"{"text":"Hallo?"}"#,
        )
        .await;
    assert_eq!(
        (status, v["error"].as_str()),
        (403, Some("chat_muted")),
        "{v}"
    );
    let (status, _) = h
        .http(
            Some("lehrer"),
            "POST",
            &format!("{base}/mutes"),
            r#"{"login":"ben","minutes":0}"#,
        )
        .await;
    assert_eq!(status, 204);
    let seq = h.post("ben", &id, "Wieder da").await;
    let (status, _) = h
        .http(
            Some("lehrer"),
            "POST",
            &format!("{base}/messages/{seq}/pin"),
            r#"{"on":true}"#,
        )
        .await;
    assert_eq!(status, 204);
    let (_, v) = h
        .http(Some("anna"), "GET", &format!("{base}/messages?after=0"), "")
        .await;
    let pinned = v["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .any(|m| m["seq"] == seq && m["pinned"] == true);
    assert!(pinned, "{v}");
    let (status, _) = h
        .http(
            Some("anna"),
            "POST",
            &format!("{base}/messages/{seq}/report"),
            r#"{"reason":"Spam"}"#,
        )
        .await;
    assert_eq!(status, 204);
    let (status, v) = h
        .http(Some("lehrer"), "GET", &format!("{base}/reports"), "")
        .await;
    assert_eq!(
        (status, v["reports"][0]["reason"].as_str()),
        (200, Some("Spam"))
    );
    let (status, _) = h
        .http(Some("anna"), "GET", &format!("{base}/reports"), "")
        .await;
    assert_eq!(status, 403);
    let (status, _) = h
        .http(Some("carla"), "GET", &format!("{base}/reports"), "")
        .await;
    assert_eq!(status, 404);
    let (status, _) = h
        .http(
            Some("carla"),
            "POST",
            &format!("{base}/silence"),
            r#"{"silenced":true}"#,
        )
        .await;
    assert_eq!(status, 404);
    let (status, _) = h
        .http(
            Some("anna"),
            "POST",
            &format!("{base}/silence"),
            r#"{"silenced":true}"#,
        )
        .await;
    assert_eq!(status, 204);
    let (status, _) = h
        .http(
            Some("anna"),
            "POST",
            &format!("{base}/quiet"),
            r#"{"from":"22:00","to":"07:00"}"#,
        )
        .await;
    assert_eq!(status, 403);
    let (status, _) = h
        .http(
            Some("lehrer"),
            "POST",
            &format!("{base}/quiet"),
            r#"{"from":"22:00","to":"x"}"#,
        )
        .await;
    assert_eq!(status, 422);
    let (_, v) = h
        .http(Some("anna"), "GET", "/api/v1/chat/search?q=wieder", "")
        .await;
    assert_eq!(v["hits"][0]["text"], "Wieder da", "{v}");
    let (_, v) = h
        .http(Some("carla"), "GET", "/api/v1/chat/search?q=wieder", "")
        .await;
    assert_eq!(v["hits"].as_array().map(Vec::len), Some(0));
    let (status, _) = h
        .http(
            Some("anna"),
            "GET",
            &format!("{base}/messages/{seq}/attachment"),
            "",
        )
        .await;
    assert_eq!(status, 404, "no attachment");
}

backend_tests!(moderation_over_the_api);
