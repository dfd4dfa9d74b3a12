//! LTI launches and the roster under the login's consent rule, on SQLite and PostgreSQL: a
//! tool that wants names or has terms sends the person through the consent screen first; the
//! launch and NRPS release names only where the one sharing rule allows (the school's
//! under-16 setting included), the roster read at once for any course size.

use super::lti::*;
use crate::calendar_support;
use aws_lc_rs::rsa::{KeyPair, KeySize};
use calendar_support::*;
use schulhof_domain::identity::Actor;
use schulhof_domain::lti::{LtiActivityInput, LtiAuthRequest, LtiAuthorized, NewLtiTool};
use schulhof_domain::{Db, Platform};
use schulhof_store::backend_tests;
use serde_json::{Value, json};

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

/// Opening a tool from the course asks first where the login's rule wants the consent
/// screen (tools send `prompt=none`, which forbids it mid-launch): nothing goes to the
/// tool until the person answered; then the launch goes ahead, as it does at once for a
/// tool that asks for nothing. Picking content (deep linking) asks the same way.
async fn opening_a_tool_asks_before_the_tool_hears_of_it(db: Db) {
    use schulhof_domain::lti::{LAUNCH_SCOPE, LtiStart};
    let s = school(db).await;
    let p = &s.platform;
    let (lehrer, anna) = (s.user("lehrer").await, s.user("anna").await);
    let placed = named_tool(p, &s, &lehrer, "").await;
    let t = &placed.t;
    let start = p.lti_start(&anna, placed.act, ISS).await.expect("start");
    assert!(
        matches!(&start, LtiStart::Consent { client_id } if *client_id == t.client_id),
        "{start:?}"
    );
    p.oidc_give_consent(&anna, &t.client_id, LAUNCH_SCOPE, true)
        .await
        .expect("consent");
    let LtiStart::Tool(url) = p.lti_start(&anna, placed.act, ISS).await.expect("start") else {
        panic!("to the tool after the consent");
    };
    // The tool's request with prompt=none is answered at once, with the name.
    let claims = id_token(p, &anna, &auth_request(t, &url, "tool.example")).await;
    assert!(claims["name"].is_string(), "{claims}");
    let section = p
        .lms_outline(&lehrer, placed.course)
        .await
        .expect("outline")
        .sections[0]
        .row
        .id;
    let pick = p
        .lti_pick_start(&lehrer, section, &t.client_id, ISS)
        .await
        .expect("pick");
    assert!(matches!(pick, LtiStart::Consent { .. }), "{pick:?}");
    p.oidc_give_consent(&lehrer, &t.client_id, LAUNCH_SCOPE, false)
        .await
        .expect("pseudonym");
    let pick = p
        .lti_pick_start(&lehrer, section, &t.client_id, ISS)
        .await
        .expect("pick");
    assert!(matches!(pick, LtiStart::Tool(_)), "{pick:?}");
    // A tool that asks for nothing personal and has no terms: straight to the tool.
    let plain = register(p, s.number, "plain.example").await;
    let input = LtiActivityInput {
        client_id: plain.client_id.clone(),
        title: "Ohne Namen".into(),
        ..LtiActivityInput::default()
    };
    let act = p
        .lti_add_activity(&lehrer, section, &input)
        .await
        .expect("placed");
    let start = p.lti_start(&anna, act, ISS).await.expect("start");
    assert!(matches!(start, LtiStart::Tool(_)), "{start:?}");
}

/// A launch waiting at the consent screen is not lost to a long read: from the screen on it
/// waits [`CONSENT_TTL_SECS`] instead of the tool's redirect time; it is still good once
/// only, and the screen's wait has its end too. A launch that never reached the screen
/// lapses after [`MESSAGE_TTL_SECS`] as before.
async fn a_launch_waits_while_the_consent_screen_is_read(db: Db) {
    use chrono::Duration;
    use schulhof_domain::clock::Clock;
    use schulhof_domain::lti::{CONSENT_TTL_SECS, LAUNCH_SCOPE, MESSAGE_TTL_SECS};
    let (p, clock) = crate::oidc_support::clocked(db);
    let s = school_on(p, "123456").await;
    let p = &s.platform;
    let (lehrer, anna) = (s.user("lehrer").await, s.user("anna").await);
    let key = KeyPair::generate(KeySize::Rsa2048).expect("key");
    let reg = p
        .system_lti_add_tool(&NewLtiTool {
            school: Some(s.number.into()),
            name: "Werkzeug mit Bedingungen".into(),
            login_url: "https://tool.example/login".into(),
            target_link_uri: "https://tool.example/launch".into(),
            jwks: jwks(&key),
            claims: vec!["name".into()],
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
    let request = |a: &Actor| {
        let a = a.clone();
        let t = &t;
        async move {
            let url = p.lti_launch(&a, act, ISS).await.expect("launch");
            LtiAuthRequest {
                prompt: None,
                ..auth_request(t, &url, "tool.example")
            }
        }
    };
    let secs = Duration::seconds;
    // Never at the screen: gone after the redirect time.
    let idle = request(&anna).await;
    clock.advance(secs(MESSAGE_TTL_SECS + 1));
    assert_eq!(
        post_error(p.lti_authorize(Some(&anna), &idle, ISS).await),
        "invalid_request"
    );
    // At the screen just before the redirect time ends, answered long after it.
    let r = request(&anna).await;
    clock.advance(secs(MESSAGE_TTL_SECS - 5));
    assert!(matches!(
        p.lti_authorize(Some(&anna), &r, ISS).await,
        Ok(LtiAuthorized::Consent)
    ));
    let started = clock.now();
    clock.advance(secs(CONSENT_TTL_SECS - 5));
    assert!(clock.now() - started > secs(MESSAGE_TTL_SECS));
    p.oidc_give_consent(&anna, &t.client_id, LAUNCH_SCOPE, true)
        .await
        .expect("consent");
    let named = id_token(p, &anna, &r).await;
    assert!(named["name"].is_string(), "{named}");
    assert_eq!(named["nonce"], "n-1");
    assert_eq!(
        post_error(p.lti_authorize(Some(&anna), &r, ISS).await),
        "invalid_request",
        "still once only"
    );
    // The screen's wait ends too: answered after it, the launch is gone.
    let r = request(&lehrer).await;
    assert!(matches!(
        p.lti_authorize(Some(&lehrer), &r, ISS).await,
        Ok(LtiAuthorized::Consent)
    ));
    clock.advance(secs(CONSENT_TTL_SECS + 1));
    p.oidc_give_consent(&lehrer, &t.client_id, LAUNCH_SCOPE, false)
        .await
        .expect("pseudonym");
    assert_eq!(
        post_error(p.lti_authorize(Some(&lehrer), &r, ISS).await),
        "invalid_request"
    );
}

backend_tests!(
    consent_names_the_person_at_launch_and_in_the_roster,
    terms_are_accepted_before_the_first_launch,
    school_decides_keeps_old_consents_from_launch_and_roster,
    roster_statements_do_not_grow_with_the_course,
    a_launch_waits_while_the_consent_screen_is_read,
    opening_a_tool_asks_before_the_tool_hears_of_it,
);
