//! The news through the JSON API: the audience decides the list (teachers-only items never
//! reach a student), pages add up to the whole list, a hidden or foreign item is 404, bad
//! paging is a clear 400, and the OpenAPI document describes both endpoints.

use crate::common;
use crate::file_api;
use axum::http::StatusCode;
use common::{TestApp, code};
use schulhof_store::{Db, backend_tests};
use serde_json::{Value, json};

const TEACHERS_ONLY: &str = "Lehrerkonferenz verschoben";
const PUBLIC: &str = "Tag der offenen Tür";

fn titles(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["title"].as_str().unwrap_or("").to_owned())
        .collect()
}

fn id_of(page: &Value, title: &str) -> String {
    let items = page["items"].as_array().expect("items");
    let item = items.iter().find(|i| i["title"] == title).expect(title);
    item["id"].as_str().expect("id").to_owned()
}

async fn app_with_news(db: Db) -> TestApp {
    let app = TestApp::new(db).await;
    app.platform.system_seed_demo_files().await.expect("demo");
    app
}

async fn the_audience_decides_the_list_and_the_item(db: Db) {
    let app = app_with_news(db).await;
    let teacher = app.ready("lehrer").await;
    let student = app.ready("schueler").await;
    let all = app.get("/api/v1/news", &teacher).await;
    assert_eq!(all.status, StatusCode::OK, "{}", all.json);
    let t = titles(&all.json);
    assert_eq!(t.len(), 3, "{t:?}");
    assert!(t.contains(&TEACHERS_ONLY.to_owned()));
    assert_eq!(all.json["more"], false);
    let first = &all.json["items"][0];
    assert_eq!(first["read"], false);
    assert_eq!(first["state"], "visible");
    assert!(
        first["url"]
            .as_str()
            .expect("url")
            .starts_with("/neuigkeiten/")
    );

    let mine = app.get("/api/v1/news", &student).await;
    let s = titles(&mine.json);
    assert!(s.contains(&PUBLIC.to_owned()), "{s:?}");
    assert!(!s.contains(&TEACHERS_ONLY.to_owned()), "{s:?}");

    // One item: the teacher opens it (and it is read from then on), the student gets 404.
    let secret = id_of(&all.json, TEACHERS_ONLY);
    let r = app.get(&format!("/api/v1/news/{secret}"), &teacher).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json["title"], TEACHERS_ONLY);
    assert!(r.json["body"].as_str().expect("body").contains("<em>"));
    assert_eq!(r.json["public"], false);
    let again = app.get("/api/v1/news", &teacher).await;
    let item = again.json["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["id"] == secret.as_str())
        .cloned()
        .expect("item");
    assert_eq!(item["read"], true);
    let hidden = app.get(&format!("/api/v1/news/{secret}"), &student).await;
    assert_eq!(
        (hidden.status, code(&hidden)),
        (StatusCode::NOT_FOUND, "not_found")
    );
    for bad in ["kein-id", "00000000-0000-0000-0000-000000000000"] {
        let r = app.get(&format!("/api/v1/news/{bad}"), &student).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{bad}");
    }
    // Without a session nothing.
    let anon = app.send("GET", "/api/v1/news", None, None, &[]).await;
    assert_eq!(anon.status, StatusCode::UNAUTHORIZED);
}

async fn pages_add_up_and_bad_paging_is_refused(db: Db) {
    let app = app_with_news(db).await;
    let teacher = app.ready("lehrer").await;
    let all = titles(&app.get("/api/v1/news", &teacher).await.json);
    let p1 = app.get("/api/v1/news?limit=2", &teacher).await;
    assert_eq!(
        (p1.json["limit"].as_i64(), p1.json["more"].as_bool()),
        (Some(2), Some(true))
    );
    let p2 = app.get("/api/v1/news?limit=2&offset=2", &teacher).await;
    assert_eq!(p2.json["more"], false);
    let mut paged = titles(&p1.json);
    paged.extend(titles(&p2.json));
    assert_eq!(paged, all);
    let past = app.get("/api/v1/news?offset=50", &teacher).await;
    assert_eq!(titles(&past.json), Vec::<String>::new());
    for (q, field) in [
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("offset=-1", "offset"),
    ] {
        let r = app.get(&format!("/api/v1/news?{q}"), &teacher).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{q}: {}",
            r.json
        );
        assert_eq!(
            (code(&r), &r.json["field"]),
            ("invalid_input", &json!(field)),
            "{q}"
        );
    }
    let junk = app.get("/api/v1/news?limit=viele", &teacher).await;
    assert_eq!(junk.status, StatusCode::BAD_REQUEST);
}

async fn another_school_sees_none_of_it(db: Db) {
    let app = app_with_news(db).await;
    let teacher = app.ready("lehrer").await;
    let public_id = id_of(&app.get("/api/v1/news", &teacher).await.json, PUBLIC);
    let (other_teacher, _) = file_api::second_school(&app).await;
    let theirs = app.get("/api/v1/news", &other_teacher).await;
    assert_eq!(theirs.status, StatusCode::OK);
    assert_eq!(titles(&theirs.json), Vec::<String>::new());
    // Even a public item of another school is not theirs through the API.
    let r = app
        .get(&format!("/api/v1/news/{public_id}"), &other_teacher)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

async fn the_api_document_describes_the_news(db: Db) {
    let app = TestApp::new(db).await;
    let doc = app
        .send("GET", "/api/v1/openapi.json", None, None, &[])
        .await;
    let paths = &doc.json["paths"];
    assert!(paths["/api/v1/news"]["get"].is_object());
    assert!(paths["/api/v1/news/{id}"]["get"].is_object());
    let schemas = &doc.json["components"]["schemas"];
    assert!(schemas["NewsPage"].is_object());
    assert!(
        schemas["NewsItem"]["required"]
            .as_array()
            .expect("required")
            .len()
            >= 10
    );
}

backend_tests!(
    the_audience_decides_the_list_and_the_item,
    pages_add_up_and_bad_paging_is_refused,
    another_school_sees_none_of_it,
    the_api_document_describes_the_news,
);
