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

const ISS: &str = "https://schulhof.example";
const TOKEN_URL: &str = "https://schulhof.example/lti/token";
const LEARNER: &str = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner";

struct Tool {
    key: KeyPair,
    client_id: String,
    deployment_id: String,
}

fn jwks(key: &KeyPair) -> String {
    let pk = key.public_key();
    json!({"keys": [{
        "kty": "RSA", "kid": "k1", "alg": "RS256",
        "n": URL_SAFE_NO_PAD.encode(pk.modulus().big_endian_without_leading_zero()),
        "e": URL_SAFE_NO_PAD.encode(pk.exponent().big_endian_without_leading_zero()),
    }]})
    .to_string()
}

fn sign(key: &KeyPair, claims: &Value) -> String {
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

fn payload(jwt: &str) -> Value {
    let p = jwt.split('.').nth(1).expect("payload");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(p).expect("b64")).expect("json")
}

fn now_secs() -> i64 {
    utc(2026, 11, 2, 8, 0).timestamp()
}

async fn register(p: &Platform, school: &str, host: &str) -> Tool {
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

fn query(url: &str, k: &str) -> String {
    url::Url::parse(url)
        .expect("url")
        .query_pairs()
        .find(|(n, _)| n == k)
        .map(|(_, v)| v.into_owned())
        .expect(k)
}

fn auth_request(t: &Tool, login_url: &str, host: &str) -> LtiAuthRequest {
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

async fn id_token(p: &Platform, a: &Actor, r: &LtiAuthRequest) -> Value {
    match p.lti_authorize(Some(a), r, ISS).await {
        Ok(LtiAuthorized::Post { id_token, .. }) => payload(&id_token),
        other => panic!("expected an id token: {other:?}"),
    }
}

fn post_error(r: Result<LtiAuthorized, LtiAuthFailure>) -> &'static str {
    match r {
        Err(LtiAuthFailure::Post { error, .. }) => error.code(),
        other => panic!("expected an error: {other:?}"),
    }
}

async fn course_section(p: &Platform, lehrer: &Actor) -> (schulhof_types::CourseId, SectionId) {
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

fn assertion(t: &Tool, jti: &str, exp_in: i64) -> String {
    sign(
        &t.key,
        &json!({"iss": t.client_id, "sub": t.client_id, "aud": TOKEN_URL,
                "iat": now_secs(), "exp": now_secs() + exp_in, "jti": jti}),
    )
}

async fn launch_carries_context_role_and_pseudonym(db: Db) {
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

async fn other_schools_tools_are_invisible(db: Db) {
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

async fn deep_linking_creates_activities_once(db: Db) {
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

async fn services_roster_and_grades(db: Db) {
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

async fn view_settings(p: &Platform, a: &Actor, id: schulhof_types::ActivityId) -> String {
    p.lti_activity(a, id)
        .await
        .expect("view")
        .ctx
        .activity
        .settings
}

async fn launched(p: &Platform, a: &Actor, t: &Tool, act: schulhof_types::ActivityId) -> Value {
    let url = p.lti_launch(a, act, ISS).await.expect("launch");
    id_token(p, a, &auth_request(t, &url, "tool.example")).await
}

/// A tool registered for `name` (with `terms` of use, if any), placed in a section of the
/// 5a course, and a service token of it for the roster.
struct Placed {
    t: Tool,
    school_id: String,
    course: schulhof_types::CourseId,
    act: schulhof_types::ActivityId,
    bearer: String,
}

async fn named_tool(p: &Platform, s: &School, lehrer: &Actor, terms: &str) -> Placed {
    let key = KeyPair::generate(KeySize::Rsa2048).expect("key");
    let reg = p
        .system_lti_add_tool(&NewLtiTool {
            school: Some(s.number.into()),
            name: "Lernwerkzeug mit Namen".into(),
            login_url: "https://tool.example/login".into(),
            target_link_uri: "https://tool.example/launch".into(),
            jwks: jwks(&key),
            claims: vec!["name".into()],
            terms: terms.into(),
            ..NewLtiTool::default()
        })
        .await
        .expect("tool");
    let t = Tool {
        key,
        client_id: reg.client_id,
        deployment_id: reg.deployment_id,
    };
    let (course, section) = course_section(p, lehrer).await;
    let input = LtiActivityInput {
        client_id: t.client_id.clone(),
        title: "Übung".into(),
        ..LtiActivityInput::default()
    };
    let act = p
        .lti_add_activity(lehrer, section, &input)
        .await
        .expect("placed");
    let tok = p
        .lti_service_token(
            "client_credentials",
            "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            &assertion(&t, "j-1", 300),
            "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
            TOKEN_URL,
            ISS,
        )
        .await
        .expect("token");
    Placed {
        t,
        school_id: lehrer.token.instance().0.to_string(),
        course,
        act,
        bearer: tok.access_token,
    }
}

impl Placed {
    async fn roster(&self, p: &Platform) -> Vec<Value> {
        let cid = self.course.0.to_string();
        let r = p
            .lti_members(&self.bearer, &self.school_id, &cid, ISS)
            .await
            .expect("roster");
        r["members"].as_array().expect("members").clone()
    }

    /// The roster entry of the person with pseudonym `sub`.
    async fn member(&self, p: &Platform, sub: &str) -> Value {
        self.roster(p)
            .await
            .into_iter()
            .find(|m| m["user_id"] == sub)
            .expect("in the roster")
    }

    /// A launch of `a` up to the tool's authentication request (prompt as the tool says).
    async fn request(&self, p: &Platform, a: &Actor, prompt: Option<&str>) -> LtiAuthRequest {
        let url = p.lti_launch(a, self.act, ISS).await.expect("launch");
        LtiAuthRequest {
            prompt: prompt.map(str::to_owned),
            ..auth_request(&self.t, &url, "tool.example")
        }
    }
}

fn sub_of(claims: &Value) -> String {
    claims["sub"].as_str().expect("sub").to_owned()
}

/// A tool registered for `name`: the launch goes to the consent screen first, as an OpenID
/// Connect login does (`consent_required` where the tool said prompt=none); the same
/// request after the person agreed continues the launch, with the name; in the roster the
/// name only while the consent stands. Declining (pseudonym) launches with the pseudonym;
/// cancelling is `access_denied`; after the consent is withdrawn the screen comes again.
async fn consent_names_the_person_at_launch_and_in_the_roster(db: Db) {
    let s = school(db).await;
    let p = &s.platform;
    let (lehrer, anna) = (s.user("lehrer").await, s.user("anna").await);
    let placed = named_tool(p, &s, &lehrer, "").await;
    let t = &placed.t;
    let r = placed.request(p, &anna, Some("none")).await;
    assert_eq!(
        post_error(p.lti_authorize(Some(&anna), &r, ISS).await),
        "consent_required"
    );
    let r = LtiAuthRequest { prompt: None, ..r };
    assert!(matches!(
        p.lti_authorize(Some(&anna), &r, ISS).await,
        Ok(LtiAuthorized::Consent)
    ));
    // The consent screen asks what the tool is registered for, as for a login.
    let screen = p
        .oidc_consent_screen(&anna, &t.client_id, schulhof_domain::lti::LAUNCH_SCOPE)
        .await
        .expect("screen");
    assert_eq!(screen.asked, vec![schulhof_authz::oidc::Claim::Name]);
    assert!(!screen.school_decides);
    // Cancelled there: the tool learns access_denied.
    let cancelled = LtiAuthRequest {
        cancelled: true,
        ..r.clone()
    };
    assert_eq!(
        post_error(p.lti_authorize(Some(&anna), &cancelled, ISS).await),
        "access_denied"
    );
    p.oidc_give_consent(
        &anna,
        &t.client_id,
        schulhof_domain::lti::LAUNCH_SCOPE,
        true,
    )
    .await
    .expect("consent");
    // The waiting launch continues: the same request, now with the name.
    let named = id_token(p, &anna, &r).await;
    let sub = sub_of(&named);
    let name = named["name"]
        .as_str()
        .expect("name after consent")
        .to_owned();
    assert!(named["given_name"].is_string() && named.get("email").is_none());
    assert_eq!(
        post_error(p.lti_authorize(Some(&anna), &r, ISS).await),
        "invalid_request",
        "and it is spent"
    );
    let again = launched(p, &anna, t, placed.act).await;
    assert_eq!(sub_of(&again), sub, "the same pseudonym");
    assert_eq!(again["name"], name.as_str());
    assert_eq!(placed.member(p, &sub).await["name"], name.as_str());
    // The teacher declines: the launch goes on with the pseudonym only, so does the roster.
    let r = placed.request(p, &lehrer, None).await;
    assert!(matches!(
        p.lti_authorize(Some(&lehrer), &r, ISS).await,
        Ok(LtiAuthorized::Consent)
    ));
    p.oidc_give_consent(
        &lehrer,
        &t.client_id,
        schulhof_domain::lti::LAUNCH_SCOPE,
        false,
    )
    .await
    .expect("pseudonym");
    let teacher = id_token(p, &lehrer, &r).await;
    assert!(teacher.get("name").is_none(), "{teacher}");
    assert!(
        placed
            .member(p, &sub_of(&teacher))
            .await
            .get("name")
            .is_none()
    );
    p.oidc_revoke_consent(&anna, &t.client_id)
        .await
        .expect("withdrawn");
    assert!(placed.member(p, &sub).await.get("name").is_none());
    let r = placed.request(p, &anna, None).await;
    assert!(matches!(
        p.lti_authorize(Some(&anna), &r, ISS).await,
        Ok(LtiAuthorized::Consent)
    ));
}

/// A tool with terms of use but no personal data: its terms are accepted on the consent
/// screen before the first launch, as for a login.
async fn terms_are_accepted_before_the_first_launch(db: Db) {
    let s = school(db).await;
    let p = &s.platform;
    let (lehrer, ben) = (s.user("lehrer").await, s.user("ben").await);
    let key = KeyPair::generate(KeySize::Rsa2048).expect("key");
    let reg = p
        .system_lti_add_tool(&NewLtiTool {
            school: Some(s.number.into()),
            name: "Werkzeug mit Bedingungen".into(),
            login_url: "https://tool.example/login".into(),
            target_link_uri: "https://tool.example/launch".into(),
            jwks: jwks(&key),
            terms: "Wir speichern Ihre Ergebnisse ein Schuljahr.".into(),
            ..NewLtiTool::default()
        })
        .await
        .expect("tool");
    let t = Tool {
        key,
        client_id: reg.client_id,
        deployment_id: reg.deployment_id,
    };
    let (_, section) = course_section(p, &lehrer).await;
    let input = LtiActivityInput {
        client_id: t.client_id.clone(),
        title: "Übung".into(),
        ..LtiActivityInput::default()
    };
    let act = p
        .lti_add_activity(&lehrer, section, &input)
        .await
        .expect("placed");
    let url = p.lti_launch(&ben, act, ISS).await.expect("launch");
    let r = LtiAuthRequest {
        prompt: None,
        ..auth_request(&t, &url, "tool.example")
    };
    assert!(matches!(
        p.lti_authorize(Some(&ben), &r, ISS).await,
        Ok(LtiAuthorized::Consent)
    ));
    let screen = p
        .oidc_consent_screen(&ben, &t.client_id, schulhof_domain::lti::LAUNCH_SCOPE)
        .await
        .expect("screen");
    assert!(screen.asked.is_empty() && !screen.tool.terms.is_empty());
    p.oidc_give_consent(&ben, &t.client_id, schulhof_domain::lti::LAUNCH_SCOPE, true)
        .await
        .expect("terms accepted");
    let claims = id_token(p, &ben, &r).await;
    assert!(claims.get("name").is_none(), "{claims}");
    let again = launched(p, &ben, &t, act).await;
    assert_eq!(again["sub"], claims["sub"]);
}

/// A pupil whose consent was given before the school chose to keep the decision for pupils
/// under 16 (age unknown counts as under 16): launch and roster carry only the pseudonym,
/// as the login does; a teacher's consent still names the teacher.
async fn school_decides_keeps_old_consents_from_launch_and_roster(db: Db) {
    let s = school(db).await;
    let p = &s.platform;
    let (admin, lehrer, anna) = (
        s.admin().await,
        s.user("lehrer").await,
        s.user("anna").await,
    );
    let placed = named_tool(p, &s, &lehrer, "").await;
    let t = &placed.t;
    for a in [&anna, &lehrer] {
        p.oidc_give_consent(a, &t.client_id, schulhof_domain::lti::LAUNCH_SCOPE, true)
            .await
            .expect("consent");
    }
    let before = launched(p, &anna, t, placed.act).await;
    let sub = sub_of(&before);
    assert!(before["name"].is_string(), "{before}");
    assert!(placed.member(p, &sub).await["name"].is_string());
    p.oidc_set_under16(&admin, "school").await.expect("rule");
    let after = launched(p, &anna, t, placed.act).await;
    assert_eq!(sub_of(&after), sub);
    assert!(
        after.get("name").is_none() && after.get("given_name").is_none(),
        "{after}"
    );
    let me = placed.member(p, &sub).await;
    assert!(
        me.get("name").is_none() && me.get("family_name").is_none(),
        "{me}"
    );
    let teacher = launched(p, &lehrer, t, placed.act).await;
    assert!(teacher["name"].is_string(), "{teacher}");
    assert!(placed.member(p, &sub_of(&teacher)).await["name"].is_string());
}

/// The roster reads its members in a fixed number of statements: 3 or 13 pupils, with and
/// without consents, cost the same.
async fn roster_statements_do_not_grow_with_the_course(db: Db) {
    use schulhof_store::testing::statements;
    let s = school(db).await;
    let p = &s.platform;
    let (admin, lehrer) = (s.admin().await, s.user("lehrer").await);
    let placed = named_tool(p, &s, &lehrer, "").await;
    statements::install();
    let cost = |n: usize| {
        let placed = &placed;
        async move {
            let before = statements::so_far();
            let members = placed.roster(p).await;
            assert_eq!(
                members
                    .iter()
                    .filter(|m| m["roles"] == json!([LEARNER]))
                    .count(),
                n
            );
            statements::so_far() - before
        }
    };
    // anna, ben and Eva (extern) in 5a.
    let small = cost(3).await;
    for i in 0..10 {
        let login = format!("schueler{i}");
        p.create_user(
            &admin,
            schulhof_domain::admin::NewUser {
                first_name: format!("Kind{i}"),
                last_name: "Test".into(),
                account_type: Some("schueler".into()),
                login: Some(login.clone()),
                password: Some(PW.into()),
                groups: vec!["5a".into()],
                ..Default::default()
            },
        )
        .await
        .expect("pupil");
        if i % 2 == 0 {
            let a = s.user(&login).await;
            p.oidc_give_consent(
                &a,
                &placed.t.client_id,
                schulhof_domain::lti::LAUNCH_SCOPE,
                true,
            )
            .await
            .expect("consent");
        }
    }
    let large = cost(13).await;
    assert!(small > 0, "statements are counted");
    assert_eq!(small, large, "the roster reads its members at once");
    let named = placed
        .roster(p)
        .await
        .into_iter()
        .filter(|m| m["name"].is_string())
        .count();
    assert_eq!(named, 5, "those who agreed");
}

backend_tests!(
    launch_carries_context_role_and_pseudonym,
    other_schools_tools_are_invisible,
    deep_linking_creates_activities_once,
    services_roster_and_grades,
    consent_names_the_person_at_launch_and_in_the_roster,
    terms_are_accepted_before_the_first_launch,
    school_decides_keeps_old_consents_from_launch_and_roster,
    roster_statements_do_not_grow_with_the_course,
);
