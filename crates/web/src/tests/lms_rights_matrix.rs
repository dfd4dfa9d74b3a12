//! Every role's rights on every activity kind of the demo course, on the pages and in the
//! JSON API (issue 15). The course's teacher and a co-teacher see everything; the enrolled
//! student sees what is released (hidden and not-yet-released material answers 404); a
//! student and a teacher of the school outside the course, the staff, an external login, the
//! school's admin and a teacher of another school get 404 everywhere — never 403, which would
//! tell them it exists, and never 200. Writes by anyone but the editors are refused and
//! change nothing.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use schulhof_domain::identity::Actor;
use schulhof_domain::lms::assignments::{AssignmentInput, Grading, SubmissionType};
use schulhof_domain::lms::quiz::QuizInput;
use schulhof_domain::lms::{MATERIAL_KINDS, MaterialInput, SectionInput};
use schulhof_domain::lti::{LtiActivityInput, NewLtiTool};
use schulhof_front::AppState;
use schulhof_types::CourseId;
use tower::ServiceExt;

use super::*;

on_both_backends!(every_role_on_every_activity_kind);

const OGG: &[u8] = b"OggS\0\x02\0\0\0\0\0\0\0\0 some opus";
const PASSWORD: &str = "matrix-passwort-123";
const JWK: &str = r#"{"kty":"RSA","kid":"k1","alg":"RS256","n":"sXchDaQebHnPiGvyDOAT4saGEUetSyo9MKLOoWFsueri23bOdgWp4Dy1WlUzewbgBHod5pcM9H95GQRV3JDXboIRROSBigeC5yjU1hGzHHyXss8UDprecbAYxknTcQkhslANGRUZmdTOQ5qTRsLAt6BTYuyvVRdhS8exSZEy_c4gs_7svlJJQ4H9_NxsiIoLwAEk7-Q3UXERGYw_75IDrGA84-lA_-Ct4eTlXHBIY2EaV7t7LjJaynVJCpkv4LKjTTAumiGUIuQhrNhZLuF_RJLqHpM2kgWFLU7-VTdL1VbC2tejvcI2BlMkEpk1BzBZI0KQB0GaDWFLN-aEAw3vRw","e":"AQAB"}"#;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    Editor,
    CoTeacher,
    Student,
    OtherStudent,
    OtherTeacher,
    Staff,
    External,
    SchoolAdmin,
    OtherSchool,
}

impl Role {
    fn edits(self) -> bool {
        matches!(self, Role::Editor | Role::CoTeacher)
    }

    fn member(self) -> bool {
        self.edits() || self == Role::Student
    }

    /// Whether the role may see an activity (`hidden`: hidden or not yet released).
    fn sees(self, hidden: bool) -> bool {
        self.edits() || (self == Role::Student && !hidden)
    }
}

struct Caller {
    role: Role,
    cookie: String,
}

/// One activity of the course and where the pages and the API show it.
struct Item {
    kind: &'static str,
    id: String,
    title: String,
    /// Hidden, scheduled for later, or in a section not yet released.
    hidden: bool,
    page: String,
    /// A file of it: `/kurse/material/{a}/datei/{f}`, and the file's id.
    file: Option<(String, String)>,
    /// Its own JSON resource.
    api: Option<String>,
    /// Pages only its editors open (forms, overviews).
    editor_pages: Vec<String>,
}

struct Matrix {
    course: CourseId,
    thread: String,
    items: Vec<Item>,
    callers: Vec<Caller>,
    /// Pages and API in one router, as the server serves them.
    both: Router,
}

/// A person of the demo school in no group of the course.
async fn person(app: &App, admin: &Actor, login: &str, kind: &str) -> String {
    let u = schulhof_domain::admin::NewUser {
        first_name: "Mia".into(),
        last_name: format!("Matrix{}", login.len()),
        account_type: Some(kind.into()),
        function_role: None,
        login: Some(login.into()),
        password: Some(PASSWORD.into()),
        external_mail: None,
        holder: None,
        groups: Vec::new(),
    };
    app.platform.create_user(admin, u).await.expect("person");
    app.ready_at("100000", login, PASSWORD).await
}

/// A teacher of a second school, logged in.
async fn other_school(app: &App) -> String {
    app.platform
        .system_create_school("200000", "Goethe-Gymnasium")
        .await
        .expect("school");
    app.platform
        .system_set_password("200000", "admin", Some("admin-passwort-b"))
        .await
        .expect("password");
    let admin = app.ready_at("200000", "admin", "admin-passwort-b").await;
    app.post(
        "/verwaltung/benutzer/neu",
        &admin,
        &[
            ("art", "lehrer"),
            ("first_name", "Bruno"),
            ("last_name", "Berger"),
        ],
    )
    .await
    .assert(StatusCode::OK);
    app.platform
        .system_set_password("200000", "bruno.berger", Some("bruno-passwort-123"))
        .await
        .expect("password");
    app.ready_at("200000", "bruno.berger", "bruno-passwort-123")
        .await
}

fn material(kind: &str, title: &str, hidden: bool) -> MaterialInput {
    let later = schulhof_store::to_us(chrono::Utc::now() + chrono::Duration::days(7));
    MaterialInput {
        kind: kind.into(),
        title: title.into(),
        body: format!("<p>{title}</p>"),
        url: (kind == "link").then(|| "https://de.wikipedia.org/wiki/Bruch".into()),
        completion: "none".into(),
        // A page is hidden by hand, the other kinds are scheduled for next week.
        hidden: hidden && kind == "page",
        visible_from: (hidden && kind != "page").then_some(later),
        ..MaterialInput::default()
    }
}

fn label(hidden: bool) -> &'static str {
    if hidden { "verborgen" } else { "offen" }
}

/// The demo course with one released and one hidden activity of every kind, the callers of
/// every role, a forum thread and an announcement.
async fn fixture(app: &App) -> Matrix {
    app.platform.system_seed_demo_files().await.expect("demo");
    let teacher = app.ready("lehrer").await;
    let t = app.actor(&teacher).await;
    let course = app
        .platform
        .lms_courses(&t)
        .await
        .expect("courses")
        .into_iter()
        .find(|c| c.name == "Mathematik 5a")
        .expect("demo course")
        .id;
    let first = app
        .platform
        .lms_outline(&t, course)
        .await
        .expect("outline")
        .sections[0]
        .row
        .id;
    let later = app
        .platform
        .lms_add_section(
            &t,
            course,
            &SectionInput {
                title: "Nach den Ferien".into(),
                visible_from: Some(schulhof_store::to_us(
                    chrono::Utc::now() + chrono::Duration::days(7),
                )),
                ..SectionInput::default()
            },
        )
        .await
        .expect("later section");
    let mut items = Vec::new();
    for &kind in MATERIAL_KINDS {
        for hidden in [false, true] {
            let title = format!("Matrix-{kind}-{}", label(hidden));
            let id = app
                .platform
                .lms_add_material(&t, first, &material(kind, &title, hidden))
                .await
                .expect("material");
            let file = match kind {
                "file" | "folder" => Some(("Blatt.txt", &b"Arbeitsblatt"[..])),
                "media" => Some(("Erklaerung.ogg", OGG)),
                _ => None,
            };
            let file = match file {
                Some((name, bytes)) => {
                    let f = app
                        .platform
                        .lms_add_file(&t, id, name, bytes)
                        .await
                        .expect("file");
                    Some((format!("/kurse/material/{id}/datei/{f}"), f.to_string()))
                }
                None => None,
            };
            items.push(Item {
                kind,
                id: id.to_string(),
                title,
                hidden,
                page: format!("/kurse/material/{id}"),
                file,
                api: None,
                editor_pages: vec![format!("/kurse/material/{id}/bearbeiten")],
            });
        }
    }
    // A page in a section released next week: hidden with its section.
    let title = "Matrix-page-im-spaeteren-Abschnitt".to_owned();
    let id = app
        .platform
        .lms_add_material(&t, later, &material("page", &title, false))
        .await
        .expect("page");
    items.push(Item {
        kind: "page",
        id: id.to_string(),
        title,
        hidden: true,
        page: format!("/kurse/material/{id}"),
        file: None,
        api: None,
        editor_pages: vec![format!("/kurse/material/{id}/bearbeiten")],
    });
    for hidden in [false, true] {
        let title = format!("Matrix-assignment-{}", label(hidden));
        let input = AssignmentInput {
            title: title.clone(),
            instructions: "<p>Kürze die Brüche.</p>".into(),
            transcript: String::new(),
            allow_from: None,
            due_at: None,
            cutoff_at: None,
            types: vec![SubmissionType::Text],
            group_mode: false,
            grading: Grading::PassFail,
            completion: "submit".into(),
            hidden,
        };
        let id = app
            .platform
            .lms_assignment_create(&t, course, first, &input)
            .await
            .expect("assignment");
        items.push(Item {
            kind: "assignment",
            id: id.to_string(),
            title,
            hidden,
            page: format!("/kurse/aufgaben/{id}"),
            file: None,
            api: Some(format!("/api/v1/assignments/{id}")),
            editor_pages: vec![
                format!("/kurse/aufgaben/{id}/bearbeiten"),
                format!("/kurse/aufgaben/{id}/abgaben"),
            ],
        });
        let title = format!("Matrix-quiz-{}", label(hidden));
        let input = QuizInput {
            title: title.clone(),
            completion: "none".into(),
            hidden,
            ..QuizInput::default()
        };
        let id = app
            .platform
            .lms_quiz_create(&t, course, first, input)
            .await
            .expect("quiz");
        items.push(Item {
            kind: "quiz",
            id: id.to_string(),
            title,
            hidden,
            page: format!("/kurse/tests/{id}"),
            file: None,
            api: None,
            editor_pages: vec![
                format!("/kurse/tests/{id}/bearbeiten"),
                format!("/kurse/tests/{id}/ergebnisse"),
            ],
        });
    }
    let tool = app
        .platform
        .system_lti_add_tool(&NewLtiTool {
            school: Some("100000".into()),
            name: "Lernwerkzeug".into(),
            login_url: "https://lern.example/login".into(),
            target_link_uri: "https://lern.example/launch".into(),
            jwks: JWK.into(),
            ..NewLtiTool::default()
        })
        .await
        .expect("tool");
    // An LTI activity cannot be hidden by itself: the hidden one waits in the later section.
    for hidden in [false, true] {
        let title = format!("Matrix-lti-{}", label(hidden));
        let section = if hidden { later } else { first };
        let input = LtiActivityInput {
            client_id: tool.client_id.clone(),
            title: title.clone(),
            ..LtiActivityInput::default()
        };
        let id = app
            .platform
            .lti_add_activity(&t, section, &input)
            .await
            .expect("lti");
        items.push(Item {
            kind: "lti",
            id: id.to_string(),
            title,
            hidden,
            page: format!("/kurse/lti/{id}"),
            file: None,
            api: None,
            editor_pages: Vec::new(),
        });
    }
    let admin = app.ready("admin").await;
    let a = app.actor(&admin).await;
    let co = person(app, &a, "kolehrerin", "lehrer").await;
    app.platform
        .lms_add_co_teacher(&t, course, "kolehrerin")
        .await
        .expect("co-teacher");
    let student = app.ready("schueler").await;
    let thread = app
        .platform
        .lms_ask(
            &app.actor(&student).await,
            course,
            "Matrix-Frage",
            "Wie kürze ich 6/8?",
        )
        .await
        .expect("question");
    app.platform
        .lms_announce(&t, course, "Matrix-Mitteilung", "Am Freitag schreiben wir.")
        .await
        .expect("announcement");
    let callers = vec![
        Caller {
            role: Role::Editor,
            cookie: teacher,
        },
        Caller {
            role: Role::CoTeacher,
            cookie: co,
        },
        Caller {
            role: Role::Student,
            cookie: student,
        },
        Caller {
            role: Role::OtherStudent,
            cookie: person(app, &a, "anderer.schueler", "schueler").await,
        },
        Caller {
            role: Role::OtherTeacher,
            cookie: person(app, &a, "andere.lehrerin", "lehrer").await,
        },
        Caller {
            role: Role::Staff,
            cookie: app.ready("personal").await,
        },
        Caller {
            role: Role::External,
            cookie: app.ready("extern").await,
        },
        Caller {
            role: Role::SchoolAdmin,
            cookie: admin,
        },
        Caller {
            role: Role::OtherSchool,
            cookie: other_school(app).await,
        },
    ];
    let state = AppState {
        platform: app.platform.clone(),
        demo: true,
        secure_cookies: false,
        trust_forwarded: false,
    };
    Matrix {
        course,
        thread: thread.to_string(),
        items,
        callers,
        both: crate::router()
            .merge(schulhof_api::router())
            .with_state(state),
    }
}

impl Matrix {
    async fn send(&self, req: Request<Body>) -> Resp {
        let res = self
            .both
            .clone()
            .oneshot(req)
            .await
            .expect("router answers");
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.expect("body").to_bytes();
        Resp {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    async fn get(&self, path: &str, cookie: &str) -> Resp {
        let req = Request::get(path)
            .header(header::COOKIE, cookie)
            .body(Body::empty())
            .expect("request");
        self.send(req).await
    }

    async fn put_json(&self, path: &str, cookie: &str, json: &str) -> Resp {
        let req = Request::put(path)
            .header(header::COOKIE, cookie)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(json.to_owned()))
            .expect("request");
        self.send(req).await
    }
}

/// What a read answers: 200 for who may see it, 404 (and not a word of it) for everyone else.
#[track_caller]
fn read(r: &Resp, role: Role, sees: bool, what: &str, title: &str) {
    let want = if sees {
        StatusCode::OK
    } else {
        StatusCode::NOT_FOUND
    };
    assert_eq!(
        r.status,
        want,
        "{role:?} GET {what}: {}",
        r.body.chars().take(400).collect::<String>()
    );
    if !sees {
        assert!(!r.body.contains(title), "{role:?} GET {what} names {title}");
    }
}

/// What a refused write (or an editors' page) answers: 404 for who may not see the object;
/// who sees it may learn that they may not change it (403) or get 404 as well.
#[track_caller]
fn refused(r: &Resp, role: Role, sees: bool, what: &str) {
    let ok = if sees {
        r.status == StatusCode::FORBIDDEN || r.status == StatusCode::NOT_FOUND
    } else {
        r.status == StatusCode::NOT_FOUND
    };
    assert!(
        ok,
        "{role:?} {what} answered {} (sees it: {sees}): {}",
        r.status,
        r.body.chars().take(400).collect::<String>()
    );
}

async fn every_role_on_every_activity_kind(app: App) {
    let m = fixture(&app).await;
    let kinds: Vec<&str> = m.items.iter().map(|i| i.kind).collect();
    for k in [
        "page",
        "file",
        "folder",
        "link",
        "media",
        "assignment",
        "quiz",
        "lti",
    ] {
        assert!(kinds.contains(&k), "the matrix covers {k}");
    }
    let c = m.course;
    let course_pages = [
        format!("/kurse/{c}"),
        format!("/kurse/{c}/forum"),
        format!("/kurse/{c}/mitteilungen"),
        format!("/kurse/forum/{}", m.thread),
    ];
    for who in &m.callers {
        let (role, cookie) = (who.role, who.cookie.as_str());
        // The course, its forum, a thread and the announcements.
        for path in &course_pages {
            let r = m.get(path, cookie).await;
            read(&r, role, role.member(), path, "Mathematik 5a");
        }
        for path in [
            format!("/kurse/{c}/einstellungen"),
            format!("/kurse/{c}/fortschritt"),
            format!("/kurse/{c}/import"),
        ] {
            let r = m.get(&path, cookie).await;
            if role.edits() {
                r.assert(StatusCode::OK);
            } else {
                refused(&r, role, role.member(), &path);
            }
        }
        let page = m.get(&format!("/kurse/{c}"), cookie).await;
        for i in &m.items {
            if role.sees(i.hidden) {
                page.has(&i.title);
            } else {
                page.lacks(&i.title);
            }
        }
        // The API: the list, the outline with exactly what the role sees.
        let list = m.get("/api/v1/courses", cookie).await;
        list.assert(StatusCode::OK);
        assert_eq!(
            list.body.contains(&c.to_string()),
            role.member(),
            "{role:?}: /api/v1/courses {}",
            list.body
        );
        let outline = m.get(&format!("/api/v1/courses/{c}"), cookie).await;
        read(
            &outline,
            role,
            role.member(),
            "/api/v1/courses/{id}",
            "Mathematik 5a",
        );
        for i in &m.items {
            assert_eq!(
                outline.body.contains(&i.id),
                role.sees(i.hidden),
                "{role:?}: {} {} in the outline",
                i.kind,
                i.title
            );
        }
        // Every activity on its page, its file and its own resource.
        for i in &m.items {
            let sees = role.sees(i.hidden);
            let what = format!("{} {} ({})", i.kind, i.title, i.page);
            read(&m.get(&i.page, cookie).await, role, sees, &what, &i.title);
            if let Some((path, f)) = &i.file {
                read(&m.get(path, cookie).await, role, sees, path, &i.title);
                // The same bytes by the route of an assignment's instruction files.
                let other = format!("/kurse/aufgaben/datei/anleitung/{f}");
                read(&m.get(&other, cookie).await, role, sees, &other, &i.title);
            }
            if let Some(api) = &i.api {
                read(&m.get(api, cookie).await, role, sees, api, &i.title);
            }
            for path in &i.editor_pages {
                let r = m.get(path, cookie).await;
                if role.edits() {
                    r.assert(StatusCode::OK);
                } else {
                    refused(&r, role, sees, path);
                }
            }
        }
        // A file named under an activity it does not belong to: never.
        let released = m
            .items
            .iter()
            .find(|i| i.kind == "file" && !i.hidden)
            .expect("file");
        for i in m
            .items
            .iter()
            .filter(|i| i.file.is_some() && i.id != released.id)
        {
            let (_, f) = i.file.as_ref().expect("file");
            let path = format!("/kurse/material/{}/datei/{f}", released.id);
            m.get(&path, cookie).await.assert(StatusCode::NOT_FOUND);
        }
    }
    // Writes: only the editors change the course.
    for who in m.callers.iter().filter(|w| !w.role.edits()) {
        let (role, cookie) = (who.role, who.cookie.as_str());
        for i in &m.items {
            let sees = role.sees(i.hidden);
            let gone = format!("/kurse/material/{}/loeschen", i.id);
            refused(&app.post(&gone, cookie, &[]).await, role, sees, &gone);
            let edit = match i.kind {
                "assignment" => {
                    let path = format!("/kurse/aufgaben/{}/bearbeiten", i.id);
                    let r = app
                        .post_multipart(
                            &path,
                            cookie,
                            &[("titel", "Übernommen"), ("formen", "text")],
                            ("aufnahme", "", b""),
                        )
                        .await;
                    Some((path, r))
                }
                "quiz" => {
                    let path = format!("/kurse/tests/{}/bearbeiten", i.id);
                    let form = [("titel", "Übernommen"), ("abschluss", "none")];
                    Some((path.clone(), app.post(&path, cookie, &form).await))
                }
                "lti" => None,
                _ => {
                    let path = format!("/kurse/material/{}/bearbeiten", i.id);
                    let form = [
                        ("titel", "Übernommen"),
                        ("abschluss", "none"),
                        ("adresse", "https://example.org/"),
                    ];
                    Some((path.clone(), app.post(&path, cookie, &form).await))
                }
            };
            if let Some((path, r)) = edit {
                refused(&r, role, sees, &path);
            }
        }
        let announce = format!("/kurse/{c}/mitteilungen");
        let form = [("titel", "Übernommen"), ("text", "Übernommen")];
        refused(
            &app.post(&announce, cookie, &form).await,
            role,
            role.member(),
            &announce,
        );
        // Asking and answering in the forum is every member's, nobody else's.
        let ask = format!("/kurse/{c}/forum");
        let reply = format!("/kurse/forum/{}", m.thread);
        let question = [("titel", "Noch eine Frage"), ("text", "Wie erweitere ich?")];
        for (path, r) in [
            (&ask, app.post(&ask, cookie, &question).await),
            (
                &reply,
                app.post(&reply, cookie, &[("text", "Antwort")]).await,
            ),
        ] {
            if role.member() {
                r.assert(StatusCode::SEE_OTHER);
            } else {
                refused(&r, role, false, path);
            }
        }
    }
    // Handing in through the API: the enrolled student on what is released, nobody else.
    for who in &m.callers {
        let role = who.role;
        for i in m.items.iter().filter(|i| i.kind == "assignment") {
            let path = format!("{}/submission", i.api.as_deref().expect("api"));
            let r = m
                .put_json(&path, &who.cookie, r#"{"text":"Meine Lösung"}"#)
                .await;
            if role == Role::Student && !i.hidden {
                r.assert(StatusCode::OK);
            } else {
                refused(&r, role, role.sees(i.hidden), &path);
            }
        }
    }
    // Nothing was changed or deleted by the refused writes.
    let editor = &m.callers[0].cookie;
    let page = m.get(&format!("/kurse/{c}"), editor).await;
    page.assert(StatusCode::OK).lacks("Übernommen");
    for i in &m.items {
        page.has(&i.title);
        m.get(&i.page, editor)
            .await
            .assert(StatusCode::OK)
            .has(&i.title);
    }
    m.get(&format!("/kurse/{c}/mitteilungen"), editor)
        .await
        .has("Matrix-Mitteilung")
        .lacks("Übernommen");
}
