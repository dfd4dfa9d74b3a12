//! LTI 1.3 with Advantage on SQLite and PostgreSQL: a teacher places a tool in a section, a
//! student's launch carries the course context, the Learner role and the pairwise subject
//! (no name without consent); deep linking turns the tool's signed response into
//! activities; the services' token needs a client assertion signed by the tool; NRPS gives
//! the roster pseudonymously; AGS scores become the course's grades. Refused: non-members
//! (404), another school's tool, bad signatures, a nonce or jti used twice, expired JWTs.

use crate::calendar_support;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::{self, KeyPair as _};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use calendar_support::*;
use schulhof_domain::identity::Actor;
use schulhof_domain::lti::{
    LtiActivityInput, LtiAuthFailure, LtiAuthRequest, LtiAuthorized, NewLtiTool, ServiceError,
};
use schulhof_domain::{Db, DomainError, Platform};
use schulhof_store::backend_tests;
use schulhof_types::SectionId;
use serde_json::{Value, json};

pub(crate) const ISS: &str = "https://schulhof.example";
pub(crate) const TOKEN_URL: &str = "https://schulhof.example/lti/token";
pub(crate) const LEARNER: &str = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner";

pub(crate) struct Tool {
    pub(crate) key: KeyPair,
    pub(crate) client_id: String,
    pub(crate) deployment_id: String,
}

pub(crate) fn jwks(key: &KeyPair) -> String {
    let pk = key.public_key();
    json!({"keys": [{
        "kty": "RSA", "kid": "k1", "alg": "RS256",
        "n": URL_SAFE_NO_PAD.encode(pk.modulus().big_endian_without_leading_zero()),
        "e": URL_SAFE_NO_PAD.encode(pk.exponent().big_endian_without_leading_zero()),
    }]})
    .to_string()
}

pub(crate) fn sign(key: &KeyPair, claims: &Value) -> String {
    let head = URL_SAFE_NO_PAD.encode(json!({"alg": "RS256", "kid": "k1"}).to_string());
    let input = format!("{head}.{}", URL_SAFE_NO_PAD.encode(claims.to_string()));
    let mut sig = vec![0u8; key.public_modulus_len()];
    key.sign(
        &signature::RSA_PKCS1_SHA256,
        &SystemRandom::new(),
        input.as_bytes(),
        &mut sig,
    )
    .expect("sign");
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig))
}

pub(crate) fn payload(jwt: &str) -> Value {
    let p = jwt.split('.').nth(1).expect("payload");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(p).expect("b64")).expect("json")
}

pub(crate) fn now_secs() -> i64 {
    utc(2026, 11, 2, 8, 0).timestamp()
}

pub(crate) async fn register(p: &Platform, school: &str, host: &str) -> Tool {
    let key = KeyPair::generate(KeySize::Rsa2048).expect("key");
    let t = p
        .system_lti_add_tool(&NewLtiTool {
            school: Some(school.into()),
            name: format!("Lernwerkzeug {host}"),
            login_url: format!("https://{host}/login"),
            target_link_uri: format!("https://{host}/launch"),
            jwks: jwks(&key),
            ..NewLtiTool::default()
        })
        .await
        .expect("tool");
    Tool {
        key,
        client_id: t.client_id,
        deployment_id: t.deployment_id,
    }
}

pub(crate) fn query(url: &str, k: &str) -> String {
    url::Url::parse(url)
        .expect("url")
        .query_pairs()
        .find(|(n, _)| n == k)
        .map(|(_, v)| v.into_owned())
        .expect(k)
}

pub(crate) fn auth_request(t: &Tool, login_url: &str, host: &str) -> LtiAuthRequest {
    LtiAuthRequest {
        scope: "openid".into(),
        response_type: "id_token".into(),
        response_mode: "form_post".into(),
        client_id: t.client_id.clone(),
        redirect_uri: format!("https://{host}/launch"),
        login_hint: query(login_url, "login_hint"),
        lti_message_hint: query(login_url, "lti_message_hint"),
        state: Some("st".into()),
        nonce: Some("n-1".into()),
        prompt: Some("none".into()),
        cancelled: false,
    }
}

pub(crate) async fn id_token(p: &Platform, a: &Actor, r: &LtiAuthRequest) -> Value {
    match p.lti_authorize(Some(a), r, ISS).await {
        Ok(LtiAuthorized::Post { id_token, .. }) => payload(&id_token),
        other => panic!("expected an id token: {other:?}"),
    }
}

pub(crate) fn post_error(r: Result<LtiAuthorized, LtiAuthFailure>) -> &'static str {
    match r {
        Err(LtiAuthFailure::Post { error, .. }) => error.code(),
        other => panic!("expected an error: {other:?}"),
    }
}

pub(crate) async fn course_section(
    p: &Platform,
    lehrer: &Actor,
) -> (schulhof_types::CourseId, SectionId) {
    let g = lehrer
        .groups
        .iter()
        .find(|g| g.name == "5a")
        .expect("5a")
        .id;
    let id = p.lms_create_course(lehrer, g).await.expect("course");
    let s = p.lms_outline(lehrer, id).await.expect("outline").sections[0]
        .row
        .id;
    (id, s)
}

pub(crate) fn assertion(t: &Tool, jti: &str, exp_in: i64) -> String {
    sign(
        &t.key,
        &json!({"iss": t.client_id, "sub": t.client_id, "aud": TOKEN_URL,
                "iat": now_secs(), "exp": now_secs() + exp_in, "jti": jti}),
    )
}

pub(crate) async fn launch_carries_context_role_and_pseudonym(db: Db) {
    let s = school(db).await;
    let p = &s.platform;
    let (lehrer, anna, lehrer2) = (
        s.user("lehrer").await,
        s.user("anna").await,
        s.user("lehrer2").await,
    );
    let t = register(p, s.number, "tool.example").await;
    let (course, section) = course_section(p, &lehrer).await;
    let input = LtiActivityInput {
        client_id: t.client_id.clone(),
        title: "Bruchrechnen üben".into(),
        custom: "kapitel=3".into(),
        ..LtiActivityInput::default()
    };
    assert!(
        p.lti_add_activity(&anna, section, &input).await.is_err(),
        "students place nothing"
    );
    let act = p
        .lti_add_activity(&lehrer, section, &input)
        .await
        .expect("placed");
    // A non-member does not learn the activity exists.
    assert!(matches!(
        p.lti_launch(&lehrer2, act, ISS).await,
        Err(DomainError::NotFound)
    ));
    let url = p.lti_launch(&anna, act, ISS).await.expect("launch");
    assert!(url.starts_with("https://tool.example/login?"));
    assert_eq!(query(&url, "iss"), ISS);
    assert_eq!(query(&url, "lti_deployment_id"), t.deployment_id);
    let r = auth_request(&t, &url, "tool.example");
    // Someone else cannot redeem anna's launch, and it is then spent.
    assert_eq!(
        post_error(p.lti_authorize(Some(&lehrer), &r, ISS).await),
        "invalid_request"
    );
    let url = p.lti_launch(&anna, act, ISS).await.expect("launch again");
    let r = auth_request(&t, &url, "tool.example");
    let claims = id_token(p, &anna, &r).await;
    assert_eq!(claims["aud"], t.client_id.as_str());
    assert_eq!(claims["nonce"], "n-1");
    let lti = |k: &str| claims[format!("https://purl.imsglobal.org/spec/lti/claim/{k}")].clone();
    assert_eq!(lti("message_type"), "LtiResourceLinkRequest");
    assert_eq!(lti("version"), "1.3.0");
    assert_eq!(lti("roles"), json!([LEARNER]));
    assert_eq!(lti("context")["id"], course.0.to_string());
    assert_eq!(lti("custom")["kapitel"], "3");
    assert!(
        claims.get("name").is_none() && claims.get("email").is_none(),
        "{claims}"
    );
    assert_eq!(claims["sub"].as_str().expect("sub").len(), 43);
    // The hint is single-use.
    assert_eq!(
        post_error(p.lti_authorize(Some(&anna), &r, ISS).await),
        "invalid_request"
    );
    // Wrong response_mode: the error the request names.
    let url = p.lti_launch(&anna, act, ISS).await.expect("launch");
    let mut bad = auth_request(&t, &url, "tool.example");
    bad.response_type = "code".into();
    assert_eq!(
        post_error(p.lti_authorize(Some(&anna), &bad, ISS).await),
        "unsupported_response_type"
    );
    bad.redirect_uri = "https://evil.example/launch".into();
    assert!(matches!(
        p.lti_authorize(Some(&anna), &bad, ISS).await,
        Err(LtiAuthFailure::BadClient(_))
    ));
}

pub(crate) async fn other_schools_tools_are_invisible(db: Db) {
    let s = school(db).await;
    let p = &s.platform;
    p.system_create_school("222222", "Andere Schule")
        .await
        .expect("school");
    let lehrer = s.user("lehrer").await;
    let foreign = register(p, "222222", "other.example").await;
    let own = register(p, s.number, "tool.example").await;
    let listed: Vec<String> = p
        .lti_tools(&lehrer)
        .await
        .expect("tools")
        .into_iter()
        .map(|t| t.client_id)
        .collect();
    assert_eq!(listed, vec![own.client_id.clone()]);
    let (_, section) = course_section(p, &lehrer).await;
    let input = LtiActivityInput {
        client_id: foreign.client_id.clone(),
        title: "Fremd".into(),
        ..LtiActivityInput::default()
    };
    assert!(matches!(
        p.lti_add_activity(&lehrer, section, &input).await,
        Err(DomainError::Invalid { .. })
    ));
    assert!(
        p.lti_pick_content(&lehrer, section, &foreign.client_id, ISS)
            .await
            .is_err()
    );
    // A bad key set is refused before anything is stored.
    let bad = NewLtiTool {
        school: Some(s.number.into()),
        name: "Kaputt".into(),
        login_url: "https://x.example/login".into(),
        target_link_uri: "https://x.example/launch".into(),
        jwks: "{\"keys\": [{\"kty\": \"EC\"}]}".into(),
        ..NewLtiTool::default()
    };
    assert!(p.system_lti_add_tool(&bad).await.is_err());
    assert_eq!(p.lti_tools(&lehrer).await.expect("tools").len(), 1);
}

pub(crate) async fn deep_linking_creates_activities_once(db: Db) {
    let s = school(db).await;
    let p = &s.platform;
    let (lehrer, anna) = (s.user("lehrer").await, s.user("anna").await);
    let t = register(p, s.number, "tool.example").await;
    let (course, section) = course_section(p, &lehrer).await;
    assert!(
        p.lti_pick_content(&anna, section, &t.client_id, ISS)
            .await
            .is_err()
    );
    let url = p
        .lti_pick_content(&lehrer, section, &t.client_id, ISS)
        .await
        .expect("pick");
    let claims = id_token(p, &lehrer, &auth_request(&t, &url, "tool.example")).await;
    let settings = &claims["https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"];
    assert_eq!(
        settings["deep_link_return_url"],
        "https://schulhof.example/lti/deeplink"
    );
    let response = |nonce: &str, exp_in: i64| {
        json!({
            "iss": t.client_id, "aud": [ISS], "iat": now_secs(), "exp": now_secs() + exp_in,
            "nonce": nonce,
            "https://purl.imsglobal.org/spec/lti/claim/deployment_id": t.deployment_id,
            "https://purl.imsglobal.org/spec/lti/claim/message_type": "LtiDeepLinkingResponse",
            "https://purl.imsglobal.org/spec/lti/claim/version": "1.3.0",
            "https://purl.imsglobal.org/spec/lti-dl/claim/content_items": [
                {"type": "ltiResourceLink", "title": "Kapitel 1", "url": "https://tool.example/launch?k=1"}],
            "https://purl.imsglobal.org/spec/lti-dl/claim/data": settings["data"],
        })
    };
    let good = sign(&t.key, &response("dl-1", 600));
    let other = KeyPair::generate(KeySize::Rsa2048).expect("key");
    let forged = sign(&other, &response("dl-2", 600));
    let err = p
        .lti_deep_link_return(&forged, ISS)
        .await
        .expect_err("bad signature");
    assert_eq!(err.code(), "invalid_request");
    let expired = sign(
        &t.key,
        &json!({"exp": now_secs() - 3600, "iat": now_secs() - 4000,
        "iss": t.client_id, "aud": ISS, "nonce": "dl-3"}),
    );
    assert!(p.lti_deep_link_return(&expired, ISS).await.is_err());
    let (c, made) = p.lti_deep_link_return(&good, ISS).await.expect("accepted");
    assert_eq!((c, made), (course, 1));
    let err = p
        .lti_deep_link_return(&good, ISS)
        .await
        .expect_err("nonce reused");
    assert_eq!(err.description(), Some("nonce missing or already used"));
    let outline = p.lms_outline(&lehrer, course).await.expect("outline");
    let lti: Vec<_> = outline.sections[0]
        .activities
        .iter()
        .filter(|a| a.row.kind == "lti")
        .collect();
    assert_eq!(lti.len(), 1, "exactly one activity from one response");
    assert_eq!(lti[0].row.title, "Kapitel 1");
}

pub(crate) async fn services_roster_and_grades(db: Db) {
    let s = school(db).await;
    let p = &s.platform;
    let (lehrer, anna) = (s.user("lehrer").await, s.user("anna").await);
    let t = register(p, s.number, "tool.example").await;
    let (course, section) = course_section(p, &lehrer).await;
    let school_id = lehrer.token.instance().0.to_string();
    let cid = course.0.to_string();
    let scope = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly \
                 https://purl.imsglobal.org/spec/lti-ags/scope/score \
                 https://purl.imsglobal.org/spec/lti-ags/scope/lineitem";
    let grant = "client_credentials";
    let at = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
    let a1 = assertion(&t, "j-1", 300);
    let tok = p
        .lti_service_token(grant, at, &a1, scope, TOKEN_URL, ISS)
        .await
        .expect("token");
    let again = p
        .lti_service_token(grant, at, &a1, scope, TOKEN_URL, ISS)
        .await;
    assert_eq!(again.expect_err("jti reused").code(), "invalid_client");
    let other = KeyPair::generate(KeySize::Rsa2048).expect("key");
    let forged = sign(&other, &payload(&assertion(&t, "j-2", 300)));
    let r = p
        .lti_service_token(grant, at, &forged, scope, TOKEN_URL, ISS)
        .await;
    assert_eq!(r.expect_err("bad signature").code(), "invalid_client");
    let r = p
        .lti_service_token(
            grant,
            at,
            &assertion(&t, "j-3", -600),
            scope,
            TOKEN_URL,
            ISS,
        )
        .await;
    assert_eq!(r.expect_err("expired").code(), "invalid_client");
    let bearer = tok.access_token.as_str();
    // Not placed in the course yet: the course does not exist for the tool.
    let r = p.lti_members(bearer, &school_id, &cid, ISS).await;
    assert_eq!(r.expect_err("not placed"), ServiceError::NotFound);
    let input = LtiActivityInput {
        client_id: t.client_id.clone(),
        title: "Übung".into(),
        ..LtiActivityInput::default()
    };
    let act = p
        .lti_add_activity(&lehrer, section, &input)
        .await
        .expect("placed");
    let roster = p
        .lti_members(bearer, &school_id, &cid, ISS)
        .await
        .expect("roster");
    let members = roster["members"].as_array().expect("members");
    let url = p.lti_launch(&anna, act, ISS).await.expect("launch");
    let launch = id_token(p, &anna, &auth_request(&t, &url, "tool.example")).await;
    let sub = launch["sub"].as_str().expect("sub");
    let me = members
        .iter()
        .find(|m| m["user_id"] == sub)
        .expect("anna in the roster");
    assert_eq!(me["roles"], json!([LEARNER]));
    assert!(
        me.get("name").is_none(),
        "pseudonymous without consent: {me}"
    );
    assert!(p.lti_members("wrong", &school_id, &cid, ISS).await.is_err());
    let lineitem = launch["https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"]["lineitem"]
        .as_str()
        .expect("lineitem")
        .to_owned();
    let item = lineitem.rsplit('/').next().expect("id");
    let score = json!({"userId": sub, "scoreGiven": 8.0, "scoreMaximum": 10.0,
        "activityProgress": "Completed", "gradingProgress": "FullyGraded",
        "timestamp": "2026-11-02T08:00:00Z", "comment": "Gut"});
    p.lti_post_score(bearer, &school_id, &cid, item, &score)
        .await
        .expect("score");
    let stranger = json!({"userId": "nobody", "activityProgress": "Completed",
        "gradingProgress": "FullyGraded", "timestamp": "2026-11-02T08:00:00Z"});
    assert!(
        p.lti_post_score(bearer, &school_id, &cid, item, &stranger)
            .await
            .is_err()
    );
    let view = p.lti_activity(&lehrer, act).await.expect("view");
    assert_eq!(view.grades.len(), 1);
    assert_eq!(
        view.grades[0].1,
        Some(80.0),
        "scaled to the line item's 100 points"
    );
    let own = p.lti_activity(&anna, act).await.expect("own");
    assert_eq!(own.grades.len(), 1);
    let items = p
        .lti_line_items(bearer, &school_id, &cid, ISS)
        .await
        .expect("items");
    assert_eq!(items.as_array().expect("array").len(), 1);
    // A copy into a new year takes the placement and its line item along, not the scores.
    let copy = p.lms_copy_course(&lehrer, course).await.expect("copy");
    let view = p.lms_outline(&lehrer, copy).await.expect("outline");
    let copied: Vec<_> = view
        .sections
        .iter()
        .flat_map(|s| &s.activities)
        .filter(|a| a.row.kind == "lti")
        .collect();
    assert_eq!(copied.len(), 1, "the placed tool travels");
    assert_ne!(copied[0].row.id, act);
    assert_eq!(copied[0].row.settings, view_settings(p, &lehrer, act).await);
    let moved = p
        .lti_activity(&lehrer, copied[0].row.id)
        .await
        .expect("copied view");
    assert!(moved.grades.is_empty(), "scores stay behind");
    let copy_items = p
        .lti_line_items(bearer, &school_id, &copy.0.to_string(), ISS)
        .await
        .expect("copied items");
    let copy_items = copy_items.as_array().expect("array");
    assert_eq!(copy_items.len(), 1, "{copy_items:?}");
    assert_eq!(copy_items[0]["label"], "Übung");
    assert_ne!(copy_items[0]["id"], items[0]["id"]);
    assert_eq!(
        p.lti_activity(&lehrer, act)
            .await
            .expect("orig")
            .grades
            .len(),
        1,
        "the original keeps its scores"
    );
    // The result service (AGS §3.5) needs its own scope.
    let r = p
        .lti_results(bearer, &school_id, &cid, item, None, ISS)
        .await;
    assert_eq!(r.expect_err("scope"), ServiceError::InsufficientScope);
    let read = "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly";
    let rt = p
        .lti_service_token(grant, at, &assertion(&t, "j-r", 300), read, TOKEN_URL, ISS)
        .await
        .expect("result token");
    let rb = rt.access_token.as_str();
    let results = p
        .lti_results(rb, &school_id, &cid, item, None, ISS)
        .await
        .expect("results");
    let results = results.as_array().expect("array");
    assert_eq!(results.len(), 1, "{results:?}");
    assert_eq!(results[0]["userId"], sub);
    assert_eq!(results[0]["resultScore"], 80.0);
    assert_eq!(results[0]["resultMaximum"], 100.0);
    assert_eq!(results[0]["comment"], "Gut");
    assert!(
        results[0]["scoreOf"]
            .as_str()
            .expect("scoreOf")
            .ends_with(item)
    );
    let one = p
        .lti_results(rb, &school_id, &cid, item, Some(sub), ISS)
        .await
        .expect("one");
    assert_eq!(one.as_array().expect("array").len(), 1);
    let none = p
        .lti_results(rb, &school_id, &cid, item, Some("nobody"), ISS)
        .await
        .expect("none");
    assert!(none.as_array().expect("array").is_empty());
    // PUT: label and maximum change, the activity stays; a bad maximum is refused.
    let change = json!({"label": "Übung (neu)", "scoreMaximum": 50.0, "tag": "t1"});
    let upd = p
        .lti_update_line_item(bearer, &school_id, &cid, item, &change, ISS)
        .await
        .expect("update");
    assert_eq!(upd["label"], "Übung (neu)");
    assert_eq!(upd["scoreMaximum"], 50.0);
    assert_eq!(upd["resourceLinkId"], act.0.to_string());
    let bad = json!({"label": "x", "scoreMaximum": -1.0});
    let r = p
        .lti_update_line_item(bearer, &school_id, &cid, item, &bad, ISS)
        .await;
    assert!(matches!(r, Err(ServiceError::Invalid(_))), "{r:?}");
    assert_eq!(
        p.lti_activity(&lehrer, act).await.expect("view").grades[0].1,
        Some(40.0),
        "rescaled to the new maximum"
    );
    // DELETE: an activity's column stays while the activity does; a tool's own column
    // goes with its scores.
    let r = p.lti_delete_line_item(bearer, &school_id, &cid, item).await;
    assert!(matches!(r, Err(ServiceError::Invalid(_))), "{r:?}");
    let extra = p
        .lti_add_line_item(
            bearer,
            &school_id,
            &cid,
            &json!({"label": "Extra", "scoreMaximum": 10.0}),
            ISS,
        )
        .await
        .expect("add");
    let extra_id = extra["id"]
        .as_str()
        .and_then(|u| u.rsplit('/').next())
        .expect("id")
        .to_owned();
    p.lti_post_score(bearer, &school_id, &cid, &extra_id, &score)
        .await
        .expect("score");
    p.lti_delete_line_item(bearer, &school_id, &cid, &extra_id)
        .await
        .expect("delete");
    assert_eq!(
        p.lti_get_line_item(bearer, &school_id, &cid, &extra_id, ISS)
            .await
            .expect_err("gone"),
        ServiceError::NotFound
    );
    assert_eq!(
        p.lti_delete_line_item(bearer, &school_id, &cid, &extra_id)
            .await
            .expect_err("twice"),
        ServiceError::NotFound
    );
    // The course's progress overview shows the tool's score, scaled to the column's maximum.
    let prog = p.lms_progress(&lehrer, course).await.expect("progress");
    let col = prog
        .activities
        .iter()
        .position(|a| a.id == act)
        .expect("the LTI column");
    let row = prog
        .rows
        .iter()
        .find(|(u, _)| u.id == anna.token.user())
        .expect("anna");
    assert_eq!(row.1[col].score, Some((40_000, 50_000)));
}

pub(crate) async fn view_settings(
    p: &Platform,
    a: &Actor,
    id: schulhof_types::ActivityId,
) -> String {
    p.lti_activity(a, id)
        .await
        .expect("view")
        .ctx
        .activity
        .settings
}

pub(crate) async fn launched(
    p: &Platform,
    a: &Actor,
    t: &Tool,
    act: schulhof_types::ActivityId,
) -> Value {
    let url = p.lti_launch(a, act, ISS).await.expect("launch");
    id_token(p, a, &auth_request(t, &url, "tool.example")).await
}

backend_tests!(
    launch_carries_context_role_and_pseudonym,
    other_schools_tools_are_invisible,
    deep_linking_creates_activities_once,
    services_roster_and_grades,
);
