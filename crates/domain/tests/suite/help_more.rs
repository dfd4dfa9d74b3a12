//! The help network's second round on SQLite and PostgreSQL: support's answer to a ticket
//! reaches its person through the notification centre, support sees how many tickets wait;
//! forums and topics page past 200; support edits and adds guides (searchable at once,
//! a du-version for pupils, audited, the DPO kept out); the support blog; the command
//! line's operator list and reset; deactivated schools leave the login page's list.

use crate::calendar_support;
use crate::operator_support;
use calendar_support::*;
use operator_support::secret_of;
use schulhof_domain::help::guides::GuideInput;
use schulhof_domain::operators::OperatorActor;
use schulhof_domain::operators::totp;
use schulhof_domain::{Db, DomainError, Platform};
use schulhof_store::backend_tests;

async fn login(
    p: &Platform,
    login: &str,
    password: &str,
    uri: &str,
) -> Result<OperatorActor, DomainError> {
    let code = totp::code_at_step(&secret_of(uri), totp::step_at(p.now().timestamp()));
    let s = p.operator_login(login, password, &code, "10.1.0.1").await?;
    Ok(p.operator_session(&s.cookie).await?.actor)
}

async fn operator(p: &Platform, name: &str, role: &str) -> OperatorActor {
    let c = p.system_create_operator(name, role).await.expect("create");
    login(p, &c.login, &c.one_time_password, &c.otpauth_uri)
        .await
        .expect("login")
}

async fn support_answers_reach_the_asker_as_notifications(db: Db) {
    let a = school(db).await;
    let p = &a.platform;
    let support = operator(p, "sven.support", "support").await;
    let dpo = operator(p, "dora.dsb", "dpo").await;
    let lena = a.user("lehrer").await;
    let colleague = a.user("lehrer2").await;
    assert_eq!(p.operator_open_ticket_count(&support).await.expect("n"), 0);
    assert!(matches!(
        p.operator_open_ticket_count(&dpo).await,
        Err(DomainError::Forbidden)
    ));
    let (id, number) = p
        .help_open_ticket(&lena, "Drucken geht nicht", "Seit heute", "Firefox")
        .await
        .expect("open");
    p.help_open_ticket(&colleague, "Frage", "Text", "Safari")
        .await
        .expect("open 2");
    assert_eq!(p.operator_open_ticket_count(&support).await.expect("n"), 2);

    p.operator_ticket_reply(&support, id, "Bitte neu laden.", false, "10.1.0.9")
        .await
        .expect("answer");
    assert_eq!(p.operator_open_ticket_count(&support).await.expect("n"), 1);
    let notes = p.my_notifications(&lena).await.expect("notes");
    let n = notes
        .iter()
        .find(|n| n.kind == "help_ticket_answered")
        .expect("notified");
    assert_eq!(n.params["number"], number.as_str());
    assert_eq!(n.params["status"], "answered");
    assert_eq!(n.link, format!("/hilfe/tickets/{id}"));
    assert!(!n.read);
    // Only the asker hears of it.
    assert!(
        p.my_notifications(&colleague)
            .await
            .expect("notes")
            .iter()
            .all(|n| n.kind != "help_ticket_answered")
    );
    // Closing is news too.
    p.operator_ticket_reply(&support, id, "", true, "10.1.0.9")
        .await
        .expect("close");
    let closed: Vec<_> = p
        .my_notifications(&lena)
        .await
        .expect("notes")
        .into_iter()
        .filter(|n| n.kind == "help_ticket_answered")
        .collect();
    assert_eq!(closed.len(), 2);
    assert!(closed.iter().any(|n| n.params["status"] == "closed"));
    // A person's own steps notify nobody; reopening counts for support again.
    p.help_ticket_reply(&lena, id, "Geht immer noch nicht.")
        .await
        .expect("reply");
    assert_eq!(p.operator_open_ticket_count(&support).await.expect("n"), 2);
}

async fn forums_and_topics_page_past_two_hundred(db: Db) {
    let a = school(db).await;
    let p = &a.platform;
    let lena = a.user("lehrer").await;
    let support = operator(p, "sven.support", "support").await;
    let mut first = None;
    for i in 0..201 {
        let id = p
            .help_open_topic(&lena, "allgemein", &format!("Thema {i}"), "Text")
            .await
            .expect("open");
        first.get_or_insert(id);
    }
    let (_, page0) = p.help_forum_page(&lena, "allgemein", 0).await.expect("p0");
    assert_eq!((page0.items.len(), page0.more), (200, true));
    let (_, page1) = p.help_forum_page(&lena, "allgemein", 1).await.expect("p1");
    assert_eq!((page1.items.len(), page1.more), (1, false));
    // Last activity first: the oldest topic is the one left for page 2.
    assert_eq!(page1.items[0].title, "Thema 0");
    let (_, mod1) = p
        .operator_forum_page(&support, "allgemein", 1)
        .await
        .expect("mod p1");
    assert_eq!(mod1.items.len(), 1);

    let topic = first.expect("topic");
    for i in 0..200 {
        p.help_reply(&lena, topic, &format!("Antwort {i}"))
            .await
            .expect("reply");
    }
    let (_, posts0) = p.help_topic_page(&lena, topic, 0).await.expect("t0");
    assert_eq!((posts0.items.len(), posts0.more), (200, true));
    assert_eq!(posts0.items[0].body, "Text");
    let (_, posts1) = p.help_topic_page(&lena, topic, 1).await.expect("t1");
    assert_eq!((posts1.items.len(), posts1.more), (1, false));
    assert_eq!(posts1.items[0].body, "Antwort 199");
    let (_, empty) = p.help_topic_page(&lena, topic, 7).await.expect("t7");
    assert!(empty.items.is_empty() && !empty.more);
}

async fn support_edits_and_adds_guides(db: Db) {
    let a = school(db).await;
    let p = &a.platform;
    let support = operator(p, "sven.support", "support").await;
    let admin = operator(p, "root.betrieb", "operator-admin").await;
    let dpo = operator(p, "dora.dsb", "dpo").await;
    let lena = a.user("lehrer").await;
    let anna = a.user("anna").await;
    assert!(matches!(
        p.operator_guides(&dpo).await,
        Err(DomainError::Forbidden)
    ));
    let shipped = p.help_page(&lena, "safe").await.expect("safe");
    assert!(shipped.shipped && !shipped.edited);
    assert!(
        p.help_search(&lena, "Quokkaregel")
            .await
            .expect("s")
            .is_empty()
    );

    let edit = GuideInput {
        slug: "safe".into(),
        title: "Der Daten-Safe".into(),
        context: "/safe /safe/*".into(),
        body: "# Der Daten-Safe\n\nDie Quokkaregel gilt. <script>alert(1)</script>\n".into(),
        body_du: "# Der Daten-Safe\n\nDu kennst die Quokkaregel.\n".into(),
    };
    p.operator_save_guide(&support, &edit, "10.1.0.9")
        .await
        .expect("save");
    let page = p.help_page(&lena, "safe").await.expect("safe");
    assert!(page.edited && page.shipped);
    assert_eq!(page.title, "Der Daten-Safe");
    // The domain stores Markdown as written; the pages render raw HTML as text.
    assert!(page.body.contains("<script>"));
    let hits = p.help_search(&lena, "quokkaregel").await.expect("search");
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].page.slug, "safe");
    // Pupils addressed with "du" read the du-version (and search it).
    let for_anna = p.help_page(&anna, "safe").await.expect("safe");
    assert!(for_anna.body.contains("Du kennst"), "{}", for_anna.body);
    assert_eq!(
        p.help_for_path(&lena, "/safe/eintrag")
            .await
            .expect("ctx")
            .map(|p| p.slug),
        Some("safe".into())
    );

    // A new page joins the index; bad input stores nothing.
    let new = GuideInput {
        slug: "videokonferenz".into(),
        title: "Videokonferenzen".into(),
        context: "/konferenz".into(),
        body: "# Videokonferenzen\n\nSo klappt es.".into(),
        body_du: String::new(),
    };
    for (bad, field) in [
        (
            GuideInput {
                slug: "Forum!".into(),
                ..new.clone()
            },
            "slug",
        ),
        (
            GuideInput {
                slug: "forum".into(),
                ..new.clone()
            },
            "slug",
        ),
        (
            GuideInput {
                title: " ".into(),
                ..new.clone()
            },
            "title",
        ),
        (
            GuideInput {
                context: "konferenz".into(),
                ..new.clone()
            },
            "context",
        ),
        (
            GuideInput {
                body: String::new(),
                ..new.clone()
            },
            "body",
        ),
    ] {
        match p.operator_save_guide(&admin, &bad, "10.1.0.9").await {
            Err(DomainError::Invalid { field: f, .. }) => assert_eq!(f, field),
            other => panic!("{field}: {other:?}"),
        }
    }
    let before = p.help_pages(&lena).await.expect("pages").len();
    p.operator_save_guide(&admin, &new, "10.1.0.9")
        .await
        .expect("add");
    let pages = p.help_pages(&lena).await.expect("pages");
    assert_eq!(pages.len(), before + 1);
    assert_eq!(pages.last().expect("last").slug, "videokonferenz");
    assert!(matches!(
        p.operator_save_guide(&dpo, &new, "10.1.0.9").await,
        Err(DomainError::Forbidden)
    ));

    // Resetting restores the shipped text, or removes an added page.
    p.operator_reset_guide(&support, "safe", "10.1.0.9")
        .await
        .expect("reset");
    assert_eq!(p.help_page(&lena, "safe").await.expect("safe"), shipped);
    p.operator_reset_guide(&support, "videokonferenz", "10.1.0.9")
        .await
        .expect("remove");
    assert!(matches!(
        p.help_page(&lena, "videokonferenz").await,
        Err(DomainError::NotFound)
    ));
    assert!(matches!(
        p.operator_reset_guide(&support, "safe", "10.1.0.9").await,
        Err(DomainError::NotFound)
    ));
    let log = p.operator_log(&admin).await.expect("log");
    let steps: Vec<_> = log
        .iter()
        .filter(|l| l.action.starts_with("guide."))
        .map(|l| l.action.as_str())
        .collect();
    assert_eq!(steps.len(), 4, "{steps:?}");
}

async fn support_writes_the_blog_everyone_reads(db: Db) {
    let a = school(db).await;
    let p = &a.platform;
    let support = operator(p, "sven.support", "support").await;
    let dpo = operator(p, "dora.dsb", "dpo").await;
    let lena = a.user("lehrer").await;
    let anna = a.user("anna").await;
    assert!(p.help_blog(&anna, 0).await.expect("blog").items.is_empty());
    assert!(matches!(
        p.operator_save_blog_post(&dpo, None, "T", "B", "10.1.0.9")
            .await,
        Err(DomainError::Forbidden)
    ));
    assert!(matches!(
        p.operator_save_blog_post(&support, None, " ", "B", "10.1.0.9")
            .await,
        Err(DomainError::Invalid { field: "title", .. })
    ));
    let id = p
        .operator_save_blog_post(
            &support,
            None,
            "Neu: Chat",
            "Ab heute gibt es Chats.",
            "10.1.0.9",
        )
        .await
        .expect("publish");
    for reader in [&lena, &anna] {
        let blog = p.help_blog(reader, 0).await.expect("blog");
        assert_eq!(blog.items.len(), 1);
        assert_eq!(blog.items[0].author, "sven.support");
        assert!(p.help_may_read_blog(reader));
    }
    p.operator_save_blog_post(&support, Some(id), "Neu: Chats", "Geändert.", "10.1.0.9")
        .await
        .expect("edit");
    let post = p.help_blog_post(&lena, id).await.expect("post");
    assert_eq!(
        (post.title.as_str(), post.body.as_str()),
        ("Neu: Chats", "Geändert.")
    );
    p.operator_delete_blog_post(&support, id, "10.1.0.9")
        .await
        .expect("delete");
    assert!(matches!(
        p.help_blog_post(&lena, id).await,
        Err(DomainError::NotFound)
    ));
    assert!(matches!(
        p.operator_save_blog_post(&support, Some(id), "X", "Y", "10.1.0.9")
            .await,
        Err(DomainError::NotFound)
    ));
}

async fn operators_are_listed_and_reset_on_the_command_line(db: Db) {
    let a = school(db).await;
    let p = &a.platform;
    let root = p
        .system_create_operator("root.betrieb", "operator-admin")
        .await
        .expect("create");
    let code = totp::code_at_step(
        &secret_of(&root.otpauth_uri),
        totp::step_at(p.now().timestamp()),
    );
    let old = p
        .operator_login("root.betrieb", &root.one_time_password, &code, "10.1.0.1")
        .await
        .expect("login");
    let created = p
        .system_create_operator("sven.support", "support")
        .await
        .expect("create");
    let list = p.system_list_operators().await.expect("list");
    assert_eq!(
        list.iter()
            .map(|o| (o.login.as_str(), o.role.as_str(), o.must_change_password))
            .collect::<Vec<_>>(),
        [
            ("root.betrieb", "operator-admin", true),
            ("sven.support", "support", true)
        ]
    );
    let reset = p
        .system_reset_operator("root.betrieb")
        .await
        .expect("reset");
    // The old session has ended, the old password is gone; the new password and key work.
    assert!(p.operator_session(&old.cookie).await.is_err());
    assert!(
        login(
            p,
            "root.betrieb",
            &root.one_time_password,
            &reset.otpauth_uri
        )
        .await
        .is_err()
    );
    assert!(reset.otpauth_uri.starts_with("otpauth://totp/"));
    assert!(
        login(
            p,
            "sven.support",
            &created.one_time_password,
            &created.otpauth_uri
        )
        .await
        .is_ok()
    );
    let again = login(
        p,
        "root.betrieb",
        &reset.one_time_password,
        &reset.otpauth_uri,
    )
    .await
    .expect("login after reset");
    let log = p.operator_log(&again).await.expect("log");
    assert!(log.iter().any(|l| l.action == "operator.reset"));
    assert!(matches!(
        p.system_reset_operator("niemand").await,
        Err(DomainError::NotFound)
    ));
}

async fn deactivated_schools_leave_the_login_list(db: Db) {
    let a = school(db).await;
    let b = school_on(a.platform.clone(), "654321").await;
    let p = &a.platform;
    let admin = operator(p, "root.betrieb", "operator-admin").await;
    let numbers = |v: Vec<schulhof_domain::school::PublicSchool>| -> Vec<String> {
        v.into_iter().map(|s| s.number).collect()
    };
    assert_eq!(
        numbers(p.public_schools().await.expect("list")),
        ["123456", "654321"]
    );
    p.operator_set_school_active(&admin, b.number, false, "10.1.0.1")
        .await
        .expect("deactivate");
    assert_eq!(numbers(p.public_schools().await.expect("list")), ["123456"]);
    p.operator_set_school_active(&admin, b.number, true, "10.1.0.1")
        .await
        .expect("reactivate");
    assert_eq!(p.public_schools().await.expect("list").len(), 2);
}

backend_tests!(
    support_answers_reach_the_asker_as_notifications,
    forums_and_topics_page_past_two_hundred,
    support_edits_and_adds_guides,
    support_writes_the_blog_everyone_reads,
    operators_are_listed_and_reset_on_the_command_line,
    deactivated_schools_leave_the_login_list,
);
