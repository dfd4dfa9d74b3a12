//! Quizzes over HTTP: the student takes the demo quiz on one page of plain forms and it is
//! graded automatically; the review shows the score; the teacher sees results and the
//! editor (bad input answers 422 with the question's number); others get 404/403.

use axum::http::StatusCode;

use super::*;

on_both_backends!(student_takes_the_demo_quiz, teacher_edits_and_sees_results);

/// The first id (36 characters of a UUID) right after `before` in `body`.
fn id_in(body: &str, before: &str) -> String {
    body.match_indices(before)
        .filter_map(|(at, _)| body.get(at + before.len()..at + before.len() + 36))
        .find(|id| uuid::Uuid::parse_str(id).is_ok())
        .expect("link")
        .to_owned()
}

/// The demo quiz's id, from the course page.
async fn demo_quiz(app: &App, cookie: &str) -> String {
    let list = app.get("/kurse", cookie).await;
    let course = id_in(&list.body, "href=\"/kurse/");
    let page = app.get(&format!("/kurse/{course}"), cookie).await;
    id_in(&page.body, "href=\"/kurse/tests/")
}

/// The question ids of the demo quiz, in the order of `demo_questions`.
async fn question_ids(app: &App, teacher: &str, quiz: &str) -> Vec<String> {
    let t = app.actor(teacher).await;
    app.platform
        .lms_quiz_editor(&t, quiz.parse().expect("id"))
        .await
        .expect("editor")
        .questions
        .iter()
        .map(|q| q.id.to_string())
        .collect()
}

async fn student_takes_the_demo_quiz(app: App) {
    app.platform.system_seed_demo_files().await.expect("demo");
    let teacher = app.ready("lehrer").await;
    let student = app.ready("schueler").await;
    let quiz = demo_quiz(&app, &student).await;
    let q = question_ids(&app, &teacher, &quiz).await;
    app.get(&format!("/kurse/tests/{quiz}"), &student)
        .await
        .assert(StatusCode::OK)
        .has("Test: Brüche")
        .has("Test beginnen");
    let started = app
        .post(&format!("/kurse/tests/{quiz}/starten"), &student, &[])
        .await;
    started.assert(StatusCode::SEE_OTHER);
    let attempt = started.location().to_owned();
    assert!(attempt.starts_with("/kurse/tests/versuch/"), "{attempt}");
    let page = app.get(&attempt, &student).await;
    page.assert(StatusCode::OK)
        .has("<fieldset class=\"quiz-question\"")
        .has("<legend>Frage 1 ")
        .has("aria-live=\"polite\"")
        .has("Mehr Zeit: 15 Minuten dazu")
        .has(&format!("name=\"q-{}-0\"", q[5]));
    // Others never see the attempt.
    let ext = app.ready("extern").await;
    app.get(&attempt, &ext).await.assert(StatusCode::NOT_FOUND);
    app.get(&format!("/kurse/tests/{quiz}"), &ext)
        .await
        .assert(StatusCode::NOT_FOUND);
    let names: Vec<String> = [
        format!("q-{}", q[0]),
        format!("q-{}", q[1]),
        format!("q-{}", q[2]),
        format!("q-{}", q[3]),
        format!("q-{}", q[4]),
        format!("q-{}-0", q[5]),
        format!("q-{}-1", q[5]),
        format!("q-{}-0", q[6]),
        format!("q-{}-1", q[6]),
        format!("q-{}-2", q[6]),
    ]
    .to_vec();
    // Saved first with one answer, then submitted with all.
    app.post(
        &attempt,
        &student,
        &[("aktion", "speichern"), (&names[2], "wahr")],
    )
    .await
    .assert(StatusCode::SEE_OTHER);
    app.get(&attempt, &student)
        .await
        .has("value=\"wahr\" checked");
    let form = [
        ("aktion", "abgeben"),
        (names[0].as_str(), "0"),
        (names[1].as_str(), "0"),
        (names[1].as_str(), "1"),
        (names[2].as_str(), "wahr"),
        (names[3].as_str(), "3,5"),
        (names[4].as_str(), " nenner "),
        (names[5].as_str(), "Nenner"),
        (names[6].as_str(), "gleiche"),
        (names[7].as_str(), "0"),
        (names[8].as_str(), "1"),
        (names[9].as_str(), "2"),
    ];
    let done = app.post(&attempt, &student, &form).await;
    done.assert(StatusCode::SEE_OTHER);
    assert!(
        done.location().contains("/auswertung"),
        "{}",
        done.location()
    );
    let review = app.get(done.location(), &student).await;
    review
        .assert(StatusCode::OK)
        .has("10 von 10 Punkten")
        .has("Richtige Antwort");
    app.get(done.location(), &ext)
        .await
        .assert(StatusCode::NOT_FOUND);
    app.get(&format!("/kurse/tests/{quiz}"), &student)
        .await
        .has("Es zählt Versuch 1: 10 von 10 Punkten. Bestanden.");
    // Submitted is final.
    app.post(&attempt, &student, &form)
        .await
        .assert(StatusCode::SEE_OTHER);
    app.get(&format!("/kurse/tests/{quiz}/ergebnisse"), &teacher)
        .await
        .assert(StatusCode::OK)
        .has("Sophie Schüler")
        .has("10 von 10 Punkten")
        .has("Ergebnisse je Frage");
    app.get(&format!("/kurse/tests/{quiz}/ergebnisse"), &student)
        .await
        .assert(StatusCode::FORBIDDEN);
}

async fn teacher_edits_and_sees_results(app: App) {
    app.platform.system_seed_demo_files().await.expect("demo");
    let teacher = app.ready("lehrer").await;
    let student = app.ready("schueler").await;
    let quiz = demo_quiz(&app, &teacher).await;
    app.get(&format!("/kurse/tests/{quiz}/bearbeiten"), &teacher)
        .await
        .assert(StatusCode::OK)
        .has("Welcher Bruch ist gekürzt gleich 3/4?")
        .has("Frage hinzufügen");
    app.get(&format!("/kurse/tests/{quiz}/bearbeiten"), &student)
        .await
        .assert(StatusCode::FORBIDDEN);
    let new = format!("/kurse/tests/{quiz}/fragen/neu?art=single_choice");
    app.get(&new, &teacher)
        .await
        .assert(StatusCode::OK)
        .has("Antwort 1");
    let bad = app
        .post(
            &new,
            &teacher,
            &[
                ("frage", "Wie viel ist 1/2 + 1/4?"),
                ("punkte", "1"),
                ("antwort-0", "3/4"),
            ],
        )
        .await;
    bad.assert(StatusCode::UNPROCESSABLE_ENTITY)
        .has("Frage 8: Mindestens zwei")
        .has("aria-describedby=\"form-error\"");
    let good = app
        .post(
            &new,
            &teacher,
            &[
                ("frage", "Wie viel ist 1/2 + 1/4?"),
                ("punkte", "1"),
                ("antwort-0", "3/4"),
                ("antwort-1", "2/6"),
                ("richtig", "0"),
            ],
        )
        .await;
    good.assert(StatusCode::SEE_OTHER);
    app.get(&format!("/kurse/tests/{quiz}/bearbeiten"), &teacher)
        .await
        .has("Wie viel ist 1/2 + 1/4?");
    let saved = app
        .post(
            &format!("/kurse/tests/{quiz}/bearbeiten"),
            &teacher,
            &[
                ("titel", "Test: Brüche"),
                ("abschluss", "pass"),
                ("bestehen", "0"),
                ("versuche", "2"),
            ],
        )
        .await;
    saved
        .assert(StatusCode::UNPROCESSABLE_ENTITY)
        .has("Bestehensgrenze");
    let new_quiz = app
        .get(
            &format!("/kurse/tests/{quiz}/fragen/neu?art=essay"),
            &teacher,
        )
        .await;
    new_quiz.assert(StatusCode::NOT_FOUND);
}
