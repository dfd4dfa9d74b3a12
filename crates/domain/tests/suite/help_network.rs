//! The help network's forums and tickets on SQLite and PostgreSQL: teachers and staff of
//! different schools meet in the forums and see of each other only name and school;
//! students and externals stay out; support and operator-admins hide, lock and move (the
//! DPO does not), audited; tickets reach support from every school, while a person sees
//! only their own (a colleague's or another school's ticket is 404); bad input stores
//! nothing.

use crate::calendar_support;
use crate::operator_support;
use calendar_support::*;
use operator_support::secret_of;
use schulhof_domain::help::forum::Moderation;
use schulhof_domain::help::tickets::TicketStatus;
use schulhof_domain::operators::OperatorActor;
use schulhof_domain::operators::totp;
use schulhof_domain::{Db, DomainError, Platform};
use schulhof_store::backend_tests;

async fn operator(p: &Platform, login: &str, role: &str) -> OperatorActor {
    let c = p.system_create_operator(login, role).await.expect("create");
    let code = totp::code_at_step(
        &secret_of(&c.otpauth_uri),
        totp::step_at(p.now().timestamp()),
    );
    let s = p
        .operator_login(&c.login, &c.one_time_password, &code, "10.1.0.1")
        .await
        .expect("login");
    p.operator_session(&s.cookie).await.expect("session").actor
}

/// Two schools on one platform: "Testschule" (123456) and "Goethe-Gymnasium" (654321).
async fn two_schools(db: Db) -> (School, School, OperatorActor) {
    let a = school(db).await;
    let b = school_on(a.platform.clone(), "654321").await;
    let admin = operator(&a.platform, "root.betrieb", "operator-admin").await;
    a.platform
        .operator_rename_school(&admin, "654321", "Goethe-Gymnasium", "10.1.0.1")
        .await
        .expect("rename");
    (a, b, admin)
}

async fn forums_meet_across_schools_showing_name_and_school(db: Db) {
    let (a, b, _) = two_schools(db).await;
    let p = &a.platform;
    let lena = a.user("lehrer").await;
    let paul_b = b.user("personal").await;
    assert_eq!(p.help_forums(&lena).expect("forums").len(), 5);
    let id = p
        .help_open_topic(
            &lena,
            "dateien",
            "  Freigabe an Kollegium  ",
            "Wie geht das?",
        )
        .await
        .expect("open");
    p.help_reply(&paul_b, id, "Über das Menü „Freigeben“.")
        .await
        .expect("reply");
    let (forum, topics) = p.help_forum(&paul_b, "dateien").await.expect("forum");
    assert_eq!(forum.name, "Dateien und Safe");
    assert_eq!(topics.len(), 1);
    assert_eq!(topics[0].title, "Freigabe an Kollegium");
    assert_eq!(
        (
            topics[0].author_name.as_str(),
            topics[0].school_name.as_str(),
            topics[0].posts
        ),
        ("Lena Test", "Testschule", 2)
    );
    let (_, posts) = p.help_topic(&lena, id).await.expect("topic");
    let who: Vec<(&str, &str)> = posts
        .iter()
        .map(|p| (p.author_name.as_str(), p.school_name.as_str()))
        .collect();
    assert_eq!(
        who,
        [
            ("Lena Test", "Testschule"),
            ("Paul Test", "Goethe-Gymnasium")
        ]
    );
    // Students and externals neither read nor write; an unknown forum or topic is 404.
    for login in ["anna", "extern"] {
        let x = b.user(login).await;
        assert!(matches!(
            p.help_forum(&x, "dateien").await,
            Err(DomainError::Forbidden)
        ));
        assert!(matches!(
            p.help_topic(&x, id).await,
            Err(DomainError::Forbidden)
        ));
        assert!(p.help_reply(&x, id, "Hallo").await.is_err());
        assert!(p.help_open_topic(&x, "dateien", "T", "B").await.is_err());
    }
    assert!(matches!(
        p.help_forum(&lena, "gibt-es-nicht").await,
        Err(DomainError::NotFound)
    ));
    assert!(matches!(
        p.help_topic(&lena, uuid::Uuid::now_v7()).await,
        Err(DomainError::NotFound)
    ));
    // Bad input: clear errors, nothing stored.
    for (title, body, field) in [("", "Text", "title"), ("Titel", "   ", "body")] {
        match p.help_open_topic(&lena, "allgemein", title, body).await {
            Err(DomainError::Invalid { field: f, .. }) => assert_eq!(f, field),
            other => panic!("expected invalid {field}: {other:?}"),
        }
    }
    let long = "x".repeat(201);
    assert!(
        p.help_open_topic(&lena, "allgemein", &long, "Text")
            .await
            .is_err()
    );
    assert!(
        p.help_forum(&lena, "allgemein")
            .await
            .expect("forum")
            .1
            .is_empty()
    );
    assert!(p.help_reply(&lena, id, "").await.is_err());
    assert_eq!(p.help_topic(&lena, id).await.expect("topic").1.len(), 2);
}

async fn support_moderates_the_dpo_does_not(db: Db) {
    let (a, b, admin) = two_schools(db).await;
    let p = &a.platform;
    let support = operator(p, "sven.support", "support").await;
    let dpo = operator(p, "dora.dsb", "dpo").await;
    let lena = a.user("lehrer").await;
    let lars_b = b.user("lehrer2").await;
    let id = p
        .help_open_topic(&lena, "allgemein", "Frage", "Erster Beitrag")
        .await
        .expect("open");
    p.help_reply(&lars_b, id, "Werbung!").await.expect("reply");
    let spam = p.operator_topic(&support, id).await.expect("topic").1[1].id;
    assert!(matches!(
        p.operator_topic(&dpo, id).await,
        Err(DomainError::Forbidden)
    ));
    assert!(
        p.operator_hide_post(&dpo, spam, true, "10.1.0.9")
            .await
            .is_err()
    );

    // A hidden post is gone for readers, still there for moderators.
    assert_eq!(
        p.operator_hide_post(&support, spam, true, "10.1.0.9")
            .await
            .expect("hide"),
        id
    );
    assert_eq!(p.help_topic(&lena, id).await.expect("topic").1.len(), 1);
    let (t, all) = p.operator_topic(&support, id).await.expect("topic");
    assert_eq!((all.len(), all[1].hidden, t.posts), (2, true, 1));

    // Locked: nobody answers; moved: listed in the other forum; hidden: 404 for readers.
    let lock = Moderation {
        locked: Some(true),
        ..Default::default()
    };
    p.operator_moderate_topic(&support, id, lock, "10.1.0.9")
        .await
        .expect("lock");
    assert!(matches!(
        p.help_reply(&lars_b, id, "Noch was").await,
        Err(DomainError::Forbidden)
    ));
    let to = Moderation {
        forum: Some("verwaltung".into()),
        ..Default::default()
    };
    p.operator_moderate_topic(&support, id, to, "10.1.0.9")
        .await
        .expect("move");
    assert!(
        p.help_forum(&lena, "allgemein")
            .await
            .expect("forum")
            .1
            .is_empty()
    );
    assert_eq!(
        p.help_forum(&lena, "verwaltung")
            .await
            .expect("forum")
            .1
            .len(),
        1
    );
    let bad = Moderation {
        forum: Some("nirgends".into()),
        ..Default::default()
    };
    assert!(matches!(
        p.operator_moderate_topic(&support, id, bad, "10.1.0.9")
            .await,
        Err(DomainError::Invalid { .. })
    ));
    let hide = Moderation {
        hidden: Some(true),
        ..Default::default()
    };
    p.operator_moderate_topic(&support, id, hide, "10.1.0.9")
        .await
        .expect("hide");
    assert!(matches!(
        p.help_topic(&lena, id).await,
        Err(DomainError::NotFound)
    ));
    assert!(
        p.help_forum(&lena, "verwaltung")
            .await
            .expect("forum")
            .1
            .is_empty()
    );
    assert_eq!(
        p.operator_forum(&support, "verwaltung")
            .await
            .expect("forum")
            .1
            .len(),
        1
    );

    let log = p.operator_log(&admin).await.expect("log");
    let steps = log
        .iter()
        .filter(|l| l.action.starts_with("forum."))
        .count();
    assert_eq!(
        steps, 4,
        "hide post, lock, move, hide topic are audited (refused move not)"
    );
}

async fn tickets_reach_support_and_stay_with_their_person(db: Db) {
    let (a, b, _) = two_schools(db).await;
    let p = &a.platform;
    let support = operator(p, "sven.support", "support").await;
    let dpo = operator(p, "dora.dsb", "dpo").await;
    let lena = a.user("lehrer").await;
    let colleague = a.user("lehrer2").await;
    let other_school = b.user("lehrer").await;
    let student = a.user("anna").await;
    assert!(matches!(
        p.help_open_ticket(&student, "Hilfe", "Geht nicht", "Firefox")
            .await,
        Err(DomainError::Forbidden)
    ));
    // Bad input stores nothing.
    assert!(matches!(
        p.help_open_ticket(&lena, " ", "Text", "Firefox").await,
        Err(DomainError::Invalid {
            field: "subject",
            ..
        })
    ));
    assert!(p.help_tickets(&lena).await.expect("list").is_empty());

    let (id, number) = p
        .help_open_ticket(
            &lena,
            "Upload bricht ab",
            "Bei 50 MB",
            "Firefox 140 / Linux",
        )
        .await
        .expect("open");
    assert!(number.starts_with("T-") && number.len() == 10, "{number}");
    for x in [&colleague, &other_school] {
        assert!(matches!(
            p.help_ticket(x, id).await,
            Err(DomainError::NotFound)
        ));
        assert!(matches!(
            p.help_ticket_reply(x, id, "Ich auch").await,
            Err(DomainError::NotFound)
        ));
        assert!(matches!(
            p.help_ticket_close(x, id).await,
            Err(DomainError::NotFound)
        ));
        assert!(p.help_tickets(x).await.expect("list").is_empty());
    }
    assert!(matches!(
        p.operator_tickets(&dpo, None).await,
        Err(DomainError::Forbidden)
    ));
    let queue = p
        .operator_tickets(&support, Some(TicketStatus::Open))
        .await
        .expect("queue");
    assert_eq!(queue.len(), 1);
    assert_eq!(
        (
            queue[0].school_name.as_str(),
            queue[0].school_number.as_str(),
            queue[0].client.as_str()
        ),
        ("Testschule", "123456", "Firefox 140 / Linux")
    );

    p.operator_ticket_reply(
        &support,
        id,
        "Bitte Chunked-Upload nutzen.",
        false,
        "10.1.0.9",
    )
    .await
    .expect("answer");
    let (t, msgs) = p.help_ticket(&lena, id).await.expect("ticket");
    assert_eq!(t.status, TicketStatus::Answered);
    assert_eq!(
        msgs.iter().map(|m| m.from_support).collect::<Vec<_>>(),
        [false, true]
    );
    p.help_ticket_reply(&lena, id, "Danke, klappt nicht.")
        .await
        .expect("reply");
    assert_eq!(
        p.help_ticket(&lena, id).await.expect("ticket").0.status,
        TicketStatus::Open
    );
    assert!(
        p.operator_tickets(&support, Some(TicketStatus::Answered))
            .await
            .expect("q")
            .is_empty()
    );
    p.operator_ticket_reply(&support, id, "", true, "10.1.0.9")
        .await
        .expect("close");
    assert_eq!(
        p.help_tickets(&lena).await.expect("list")[0].status,
        TicketStatus::Closed
    );
    assert_eq!(
        p.operator_ticket(&support, id)
            .await
            .expect("ticket")
            .1
            .len(),
        3
    );
    assert!(
        p.operator_ticket_reply(&support, id, " ", false, "10.1.0.9")
            .await
            .is_err()
    );
    p.help_ticket_close(&lena, id).await.expect("close again");
}

backend_tests!(
    forums_meet_across_schools_showing_name_and_school,
    support_moderates_the_dpo_does_not,
    tickets_reach_support_and_stay_with_their_person,
);
