//! Handing conferences to BigBlueButton and Jitsi: the checksum and token examples their
//! documentation publishes, a third-party JWT library reading our tokens, a fake
//! BigBlueButton server that checks checksums by the documented rule, and the operator
//! settings. No database is involved: nothing here is stored.

use crate::fake_bbb;
use crate::pyjwt;
use std::time::Duration;

use chrono::{TimeZone, Utc};
use schulhof_domain::conference_external::{
    BbbConfig, ChecksumAlg, ConferenceProvider, EndOutcome, ExternalError, JitsiConfig, MeetingIds,
    MeetingRef, Participant, bbb, end_meeting, external_join, is_running, jitsi,
};
use schulhof_types::InstanceId;

/// docs.bigbluebutton.org/development/api, "API Security Model" → "Usage".
const DOC_SECRET: &str = "639259d4-9dd8-4b25-bf01-95f9567eaf4b";
const DOC_QUERY: &str = "name=Test+Meeting&meetingID=abc123&attendeePW=111222&moderatorPW=333444";
const DOC_CHECKSUM: &str = "1fcbb0c4fc1f039f73aa6d697d2db9ba7f803f17";

fn meeting(title: &str) -> MeetingRef {
    MeetingRef {
        school: InstanceId::new(),
        room: uuid::Uuid::now_v7(),
        title: title.into(),
    }
}

fn teacher() -> Participant {
    Participant {
        display_name: "Frau Müller".into(),
        moderator: true,
    }
}

fn student() -> Participant {
    Participant {
        display_name: "Ali K.".into(),
        moderator: false,
    }
}

#[test]
fn bbb_checksum_matches_the_documented_example() {
    assert_eq!(
        bbb::checksum(ChecksumAlg::Sha1, "create", DOC_QUERY, DOC_SECRET),
        DOC_CHECKSUM
    );
    // Our encoder produces the documented query string from the plain values …
    let query = bbb::query_string(&[
        ("name", "Test Meeting"),
        ("meetingID", "abc123"),
        ("attendeePW", "111222"),
        ("moderatorPW", "333444"),
    ]);
    assert_eq!(query, DOC_QUERY);
    // … and the signed URL ends in the documented step 5 string.
    let cfg = BbbConfig::new(
        "https://bbb.example.org/bigbluebutton/",
        DOC_SECRET,
        ChecksumAlg::Sha1,
    )
    .expect("config");
    let url = bbb::signed_url(
        &cfg,
        "create",
        &[
            ("name", "Test Meeting"),
            ("meetingID", "abc123"),
            ("attendeePW", "111222"),
            ("moderatorPW", "333444"),
        ],
    );
    assert_eq!(
        url.as_str(),
        format!(
            "https://bbb.example.org/bigbluebutton/api/create?{DOC_QUERY}&checksum={DOC_CHECKSUM}"
        )
    );
}

#[test]
fn bbb_sha256_checksum_matches_a_published_example() {
    // bbbserver.com's API guide, "Checksum & Authentication", gives both sums for this call.
    let query = "name=Demo&meetingID=replace-with-meeting-id&attendeePW=replace-with-password&moderatorPW=replace-with-password";
    let secret = "replace-with-secret";
    assert_eq!(
        bbb::checksum(ChecksumAlg::Sha1, "create", query, secret),
        "7030bd96ede6a7ac41da848fe3bfc562e52a5914"
    );
    assert_eq!(
        bbb::checksum(ChecksumAlg::Sha256, "create", query, secret),
        "7e5a0a48f1542462e56ca034dc83d741bff1deb5feab0cd9ef74fa6e009fe1fd"
    );
}

#[test]
fn bbb_parses_documented_answers() {
    // The example answer of `create` for a meeting that already exists.
    let ok = bbb::parse_response(
        "<response>\n  <returncode>SUCCESS</returncode>\n  <meetingID>Test</meetingID>\n  <attendeePW>ap</attendeePW>\n  <moderatorPW>mp</moderatorPW>\n  <hasUserJoined>false</hasUserJoined>\n  <messageKey>duplicateWarning</messageKey>\n  <message>This conference was already in existence and may currently be in progress.</message>\n</response>",
    )
    .expect("success");
    assert_eq!(ok.get("meetingID"), Some("Test"));
    assert_eq!(ok.get("messageKey"), Some("duplicateWarning"));
    let failed = bbb::parse_response(
        "<response>\n<returncode>FAILED</returncode>\n<messageKey>checksumError</messageKey>\n<message>Checksums do not match</message>\n</response>",
    );
    match failed {
        Err(ExternalError::Failed {
            message_key,
            message,
        }) => {
            assert_eq!(message_key, "checksumError");
            assert_eq!(message, "Checksums do not match");
        }
        other => panic!("expected FAILED, got {other:?}"),
    }
    let running = bbb::parse_response(
        "<response><returncode>SUCCESS</returncode><running>true</running></response>",
    )
    .expect("running");
    assert_eq!(running.get("running"), Some("true"));
    assert!(matches!(
        bbb::parse_response("<html><body>502 Bad Gateway</body></html>"),
        Err(ExternalError::Xml(_))
    ));
    assert!(matches!(
        bbb::parse_response("<response><running>true</running></response>"),
        Err(ExternalError::Xml(_))
    ));
}

#[test]
fn meeting_ids_are_stable_per_room_and_differ_across_schools() {
    let a = meeting("Klasse 5a");
    let same = MeetingIds::derive(DOC_SECRET, &a);
    assert_eq!(same, MeetingIds::derive(DOC_SECRET, &a));
    let other_school = MeetingRef {
        school: InstanceId::new(),
        ..a.clone()
    };
    let ids_b = MeetingIds::derive(DOC_SECRET, &other_school);
    assert_ne!(same.meeting_id, ids_b.meeting_id);
    assert_ne!(
        same.meeting_id,
        MeetingIds::derive("another-secret", &a).meeting_id
    );
    assert!(!same.meeting_id.contains(&a.room.to_string()));
    assert!(!same.meeting_id.contains(&a.school.to_string()));
    assert!(!same.meeting_id.to_lowercase().contains("klasse"));
    assert_ne!(same.moderator_pw, same.attendee_pw);
}

#[test]
fn jitsi_signature_matches_the_documented_token() {
    // lib-jitsi-meet doc/tokens.md, "Jitsi-meet options": the example `?jwt=` token. It is
    // jwt.io's classic example, signed with the key `secret`.
    let documented = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiYWRtaW4iOnRydWV9.TJVA95OrM7E2cBab30RMHrHDcEfxjoYZgeFONFh7HgQ";
    let payload = br#"{"sub":"1234567890","name":"John Doe","admin":true}"#;
    assert_eq!(jitsi::sign_hs256(payload, b"secret"), documented);
    assert_ne!(jitsi::sign_hs256(payload, b"secreT"), documented);
}

fn jitsi_cfg() -> JitsiConfig {
    JitsiConfig::new(
        "https://meet.example.org/schule",
        "schulhof",
        "jitsi-shared-secret-123",
        Duration::from_secs(1800),
        None,
    )
    .expect("jitsi config")
}

#[tokio::test]
async fn jitsi_join_url_carries_a_token_pyjwt_accepts() {
    let cfg = jitsi_cfg();
    assert_eq!(cfg.sub, "schule");
    let provider = ConferenceProvider::Jitsi(cfg.clone());
    let m = meeting("Mathe 7b");
    let now = Utc::now();
    let url = external_join(&provider, &m, &teacher(), now)
        .await
        .expect("join");
    let ids = MeetingIds::derive("jitsi-shared-secret-123", &m);
    assert_eq!(url.host_str(), Some("meet.example.org"));
    assert_eq!(url.path(), format!("/schule/{}", ids.meeting_id));
    let jwt = url
        .query_pairs()
        .find(|(k, _)| k == "jwt")
        .map(|(_, v)| v.into_owned())
        .expect("jwt parameter");
    let claims = pyjwt::decode(&jwt, "jitsi-shared-secret-123", "schulhof").expect("PyJWT accepts");
    assert_eq!(claims["room"], ids.meeting_id.as_str());
    assert_eq!(claims["sub"], "schule");
    assert_eq!(claims["iss"], "schulhof");
    assert_eq!(claims["context"]["user"]["name"], "Frau Müller");
    assert_eq!(claims["context"]["user"]["moderator"], "true");
    assert_eq!(claims["context"]["user"]["affiliation"], "owner");
    assert_eq!(claims["moderator"], true);
    assert_eq!(claims["context"]["features"]["recording"], "false");
    assert_eq!(claims["exp"].as_i64(), Some(now.timestamp() + 1800));
    // Only the display name and the role leave the platform about the person.
    let user = claims["context"]["user"].as_object().expect("user");
    assert_eq!(user.len(), 3);

    let pupil = external_join(&provider, &m, &student(), now)
        .await
        .expect("join");
    let jwt = pupil
        .query_pairs()
        .find(|(k, _)| k == "jwt")
        .expect("jwt")
        .1
        .into_owned();
    let claims = pyjwt::decode(&jwt, "jitsi-shared-secret-123", "schulhof").expect("PyJWT accepts");
    assert_eq!(claims["context"]["user"]["moderator"], "false");
    assert_eq!(claims["context"]["user"]["affiliation"], "member");
    assert_eq!(claims["moderator"], false);
    // The library refuses a token checked with another secret, and an expired one.
    assert!(pyjwt::decode(&jwt, "not-the-secret-000", "schulhof").is_err());
    let old = Utc
        .with_ymd_and_hms(2020, 1, 1, 8, 0, 0)
        .single()
        .expect("date");
    let stale = jitsi::token(&cfg, "raum", &student(), old).expect("token");
    assert!(pyjwt::decode(&stale, "jitsi-shared-secret-123", "schulhof").is_err());
    assert_eq!(
        end_meeting(&provider, &m).await.expect("end"),
        EndOutcome::NotSupported
    );
}

#[tokio::test]
async fn bbb_creates_once_joins_with_roles_and_ends() {
    let server = fake_bbb::start(DOC_SECRET).await;
    let cfg = BbbConfig::new(&server.base, DOC_SECRET, ChecksumAlg::Sha1).expect("cfg");
    let provider = ConferenceProvider::BigBlueButton(cfg);
    let m = meeting("Klasse 5a");
    let ids = MeetingIds::derive(DOC_SECRET, &m);

    let t = external_join(&provider, &m, &teacher(), Utc::now())
        .await
        .expect("teacher");
    let s = external_join(&provider, &m, &student(), Utc::now())
        .await
        .expect("student");
    assert_eq!(server.create_calls(), 2, "create is sent before every join");
    assert_eq!(server.meetings(), vec![ids.meeting_id.clone()]);
    assert_eq!(server.title(&ids.meeting_id).as_deref(), Some("Klasse 5a"));
    // The join URLs pass the same independent checksum check the server makes.
    for (url, role, name) in [(&t, "MODERATOR", "Frau Müller"), (&s, "VIEWER", "Ali K.")] {
        assert!(url.path().ends_with("/bigbluebutton/api/join"));
        assert!(fake_bbb::checksum_ok(
            "join",
            url.query().expect("query"),
            DOC_SECRET
        ));
        let q: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
        assert_eq!(q["role"], role);
        assert_eq!(q["fullName"], name);
        assert_eq!(q["meetingID"], ids.meeting_id);
        let pw = if role == "MODERATOR" {
            &ids.moderator_pw
        } else {
            &ids.attendee_pw
        };
        assert_eq!(&q["password"], pw);
    }
    assert_eq!(
        is_running(&provider, &m).await.expect("running"),
        Some(true)
    );
    assert_eq!(
        end_meeting(&provider, &m).await.expect("end"),
        EndOutcome::Ended
    );
    assert!(server.meetings().is_empty());
    assert_eq!(
        is_running(&provider, &m).await.expect("running"),
        Some(false)
    );
    assert_eq!(
        end_meeting(&provider, &m).await.expect("end again"),
        EndOutcome::NotRunning
    );
}

#[tokio::test]
async fn bbb_errors_are_clear() {
    let server = fake_bbb::start(DOC_SECRET).await;
    let wrong =
        BbbConfig::new(&server.base, "not-the-shared-secret", ChecksumAlg::Sha1).expect("cfg");
    let provider = ConferenceProvider::BigBlueButton(wrong);
    let m = meeting("Klasse 5a");
    match external_join(&provider, &m, &teacher(), Utc::now()).await {
        Err(ExternalError::Failed { message_key, .. }) => assert_eq!(message_key, "checksumError"),
        other => panic!("expected checksumError, got {other:?}"),
    }
    assert!(
        server.meetings().is_empty(),
        "nothing created with a bad checksum"
    );
    // A server that is no BigBlueButton (a proxy's error page).
    let broken = BbbConfig::new(
        &format!("{}broken/", server.base),
        DOC_SECRET,
        ChecksumAlg::Sha1,
    )
    .expect("cfg");
    let err = external_join(
        &ConferenceProvider::BigBlueButton(broken),
        &m,
        &teacher(),
        Utc::now(),
    )
    .await
    .expect_err("502");
    assert!(
        matches!(err, ExternalError::Http(ref m) if m.contains("502")),
        "{err:?}"
    );
    // Nobody listening.
    let gone = BbbConfig::new(
        "http://127.0.0.1:9/bigbluebutton/",
        DOC_SECRET,
        ChecksumAlg::Sha1,
    )
    .expect("cfg");
    let err = external_join(
        &ConferenceProvider::BigBlueButton(gone),
        &m,
        &teacher(),
        Utc::now(),
    )
    .await
    .expect_err("unreachable");
    assert!(matches!(err, ExternalError::Http(_)), "{err:?}");
    // Bad input is refused before anything is sent.
    let good = ConferenceProvider::BigBlueButton(
        BbbConfig::new(&server.base, DOC_SECRET, ChecksumAlg::Sha1).expect("cfg"),
    );
    let nameless = Participant {
        display_name: " \u{7} ".into(),
        moderator: false,
    };
    let err = external_join(&good, &m, &nameless, Utc::now())
        .await
        .expect_err("empty name");
    assert!(matches!(err, ExternalError::Invalid(_)));
    assert_eq!(
        server.create_calls(),
        1,
        "only the call with the wrong secret arrived"
    );
    let builtin = ConferenceProvider::Builtin;
    assert!(matches!(
        external_join(&builtin, &m, &teacher(), Utc::now()).await,
        Err(ExternalError::Builtin)
    ));
}

#[tokio::test]
async fn bbb_sha256_is_accepted_by_the_fake_server() {
    let server = fake_bbb::start(DOC_SECRET).await;
    let cfg = BbbConfig::new(&server.base, DOC_SECRET, ChecksumAlg::Sha256).expect("cfg");
    let url = external_join(
        &ConferenceProvider::BigBlueButton(cfg),
        &meeting("AG Robotik"),
        &student(),
        Utc::now(),
    )
    .await
    .expect("join");
    assert_eq!(server.create_calls(), 1);
    assert!(fake_bbb::checksum_ok(
        "join",
        url.query().expect("query"),
        DOC_SECRET
    ));
}
