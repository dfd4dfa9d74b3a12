//! Courses through the JSON API on SQLite and PostgreSQL: a course's sections and
//! activities for its members only (404 for a non-member, a function account and for
//! hidden material), the due list, an assignment with the student's own work and one clear
//! state, handing in text (the state becomes "handed in"; a teacher or non-member cannot),
//! and the OpenAPI document describing every endpoint.

use crate::common;
use axum::http::StatusCode;
use common::TestApp;
use schulhof_domain::lms::assignments::{AssignmentInput, Grading, SubmissionType};
use schulhof_store::{Db, backend_tests};
use serde_json::{Value, json};

fn activities(outline: &Value) -> Vec<Value> {
    outline["sections"]
        .as_array()
        .expect("sections")
        .iter()
        .flat_map(|s| s["activities"].as_array().expect("activities").clone())
        .collect()
}

async fn courses_activities_due_list_and_hand_in(db: Db) {
    let app = TestApp::new(db).await;
    app.platform.system_seed_demo_files().await.expect("demo");
    let teacher = app.ready("lehrer").await;
    let student = app.ready("schueler").await;
    let list = app.get("/api/v1/courses", &student).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.json);
    let course = list.json[0]["id"].as_str().expect("a course").to_owned();
    let outline = app
        .get(&format!("/api/v1/courses/{course}"), &student)
        .await;
    assert_eq!(outline.status, StatusCode::OK, "{}", outline.json);
    assert_eq!(outline.json["role"], "participant");
    let acts = activities(&outline.json);
    let a = acts
        .iter()
        .find(|a| a["kind"] == "assignment")
        .expect("the demo assignment");
    let aid = a["id"].as_str().expect("id").to_owned();
    assert_eq!(a["url"], format!("/kurse/aufgaben/{aid}"));
    assert!(a["due"].is_string());
    for who in ["extern", "personal", "admin"] {
        let c = app.ready(who).await;
        let r = app.get(&format!("/api/v1/courses/{course}"), &c).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{who}");
        let r = app.get(&format!("/api/v1/assignments/{aid}"), &c).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{who}");
        let r = app
            .call(
                "PUT",
                &format!("/api/v1/assignments/{aid}/submission"),
                &c,
                json!({"text": "x"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{who}");
        let due = app.get("/api/v1/me/due", &c).await;
        assert!(!due.json.to_string().contains(&aid), "{who}");
    }
    // Hidden material is not there for the student, and 404 when asked for.
    let t = app.platform.session(&teacher).await.expect("session").actor;
    let section = outline.json["sections"][0]["id"].as_str().expect("s");
    let hidden = AssignmentInput {
        title: "Noch geheim".into(),
        instructions: "<p>Später.</p>".into(),
        transcript: String::new(),
        allow_from: None,
        due_at: Some(app.platform.now() + chrono::Duration::days(3)),
        cutoff_at: None,
        types: SubmissionType::ALL.to_vec(),
        group_mode: false,
        grading: Grading::PassFail,
        completion: "submit".into(),
        hidden: true,
    };
    let hid = app
        .platform
        .lms_assignment_create(
            &t,
            schulhof_types::CourseId(course.parse().expect("uuid")),
            schulhof_types::SectionId(section.parse().expect("uuid")),
            &hidden,
        )
        .await
        .expect("hidden assignment");
    let again = app
        .get(&format!("/api/v1/courses/{course}"), &student)
        .await;
    assert!(!again.json.to_string().contains("Noch geheim"));
    let r = app
        .get(&format!("/api/v1/assignments/{hid}"), &student)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let mine = app
        .get(&format!("/api/v1/courses/{course}"), &teacher)
        .await;
    assert_eq!(mine.json["role"], "editor");
    assert!(mine.json.to_string().contains("Noch geheim"));
    // The due list.
    let due = app.get("/api/v1/me/due", &student).await;
    assert_eq!(due.status, StatusCode::OK, "{}", due.json);
    let item = due
        .json
        .as_array()
        .expect("list")
        .iter()
        .find(|d| d["id"] == aid.as_str())
        .expect("the assignment is due")
        .clone();
    assert_eq!(item["course"], course.as_str());
    assert_eq!(item["completed"], false);
    assert_eq!(item["extended"], false);
    assert!(!due.json.to_string().contains("Noch geheim"));
    // An extension: the student's own date, marked; the teacher keeps the assignment's.
    let s = app.platform.session(&student).await.expect("session").actor;
    let later = chrono::DateTime::parse_from_rfc3339("2031-03-17T09:00:00Z")
        .expect("date")
        .to_utc();
    let activity = schulhof_types::ActivityId(aid.parse().expect("uuid"));
    app.platform
        .lms_assignment_set_extension(&t, activity, s.token.user(), Some(later))
        .await
        .expect("extension");
    let find = |list: &Value| {
        list.as_array()
            .expect("list")
            .iter()
            .find(|d| d["id"] == aid.as_str())
            .expect("due")
            .clone()
    };
    let extended = find(&app.get("/api/v1/me/due", &student).await.json);
    assert_eq!(extended["due"], "2031-03-17T09:00:00+00:00");
    assert_eq!(extended["extended"], true);
    let teachers = find(&app.get("/api/v1/me/due", &teacher).await.json);
    assert_eq!(teachers["due"], item["due"]);
    assert_eq!(teachers["extended"], false);
    let outline = app
        .get(&format!("/api/v1/courses/{course}"), &student)
        .await;
    let mine = activities(&outline.json)
        .into_iter()
        .find(|x| x["id"] == aid.as_str())
        .expect("in the outline");
    assert_eq!(mine["due"], "2031-03-17T09:00:00+00:00", "the outline too");
    app.platform
        .lms_assignment_set_extension(&t, activity, s.token.user(), None)
        .await
        .expect("withdrawn");
    // The student's one clear state, then handing in text.
    let page = app
        .get(&format!("/api/v1/assignments/{aid}"), &student)
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.json);
    assert_eq!(page.json["work"]["state"], "not_handed_in");
    assert_eq!(page.json["work"]["may_hand_in"], true);
    assert!(
        page.json["types"]
            .as_array()
            .expect("types")
            .contains(&json!("text"))
    );
    let path = format!("/api/v1/assignments/{aid}/submission");
    let done = app
        .call(
            "PUT",
            &path,
            &student,
            json!({"text": "Zähler und Nenner durch 2."}),
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.json);
    assert_eq!(done.json["state"], "handed_in");
    let page = app
        .get(&format!("/api/v1/assignments/{aid}"), &student)
        .await;
    assert_eq!(page.json["work"]["text"], "Zähler und Nenner durch 2.");
    assert!(page.json["work"]["submitted"].is_string());
    // A teacher sees no work of their own and cannot hand in.
    let tp = app
        .get(&format!("/api/v1/assignments/{aid}"), &teacher)
        .await;
    assert_eq!(tp.status, StatusCode::OK);
    assert!(tp.json["work"].is_null());
    let r = app.call("PUT", &path, &teacher, json!({"text": "x"})).await;
    assert!(
        matches!(r.status, StatusCode::NOT_FOUND | StatusCode::FORBIDDEN),
        "{}",
        r.status
    );
    let bad = app.get("/api/v1/courses/kein-kurs", &student).await;
    assert_eq!(bad.status, StatusCode::NOT_FOUND);
    // The document describes the endpoints.
    let doc = app
        .send("GET", "/api/v1/openapi.json", None, None, &[])
        .await;
    for p in [
        "/api/v1/courses",
        "/api/v1/courses/{id}",
        "/api/v1/me/due",
        "/api/v1/assignments/{id}",
        "/api/v1/assignments/{id}/submission",
    ] {
        assert!(doc.json["paths"][p].is_object(), "{p}");
    }
    assert!(doc.json["components"]["schemas"]["Work"].is_object());
}

backend_tests!(courses_activities_due_list_and_hand_in);
