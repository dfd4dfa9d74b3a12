//! The school address book on SQLite and PostgreSQL: who each account type sees (a student
//! never another class's members), that no private data leaves it, that function accounts
//! and other schools see nothing, and the generated vCards with their stable ETags.

use crate::contacts_support;
use contacts_support::*;
use schulhof_domain::Db;
use schulhof_domain::contacts::ContactsError;
use schulhof_store::backend_tests;

async fn logins_seen_by(s: &School, login: &str) -> Vec<String> {
    let a = s.user(login).await;
    let page = s
        .platform
        .school_directory(&a, "", 100, 0)
        .await
        .expect("directory");
    assert_eq!(page.total as usize, page.people.len());
    let mut names: Vec<String> = page.people.into_iter().map(|p| p.first_name).collect();
    names.sort();
    names
}

async fn each_account_type_sees_its_people(db: Db) {
    let s = school(db).await;
    // Anna (5a, Mathe-Kurs): the teachers and staff, her own class; not Carla, whom she
    // meets only in the course, not the externs.
    assert_eq!(
        logins_seen_by(&s, "anna").await,
        ["Anna", "Ben", "Lars", "Lena", "Paul"]
    );
    // Carla (5b, course): never a member of 5a.
    assert_eq!(
        logins_seen_by(&s, "carla").await,
        ["Carla", "Lars", "Lena", "Paul"]
    );
    // The teacher: staff, and students and externs of her groups (5a and the course).
    assert_eq!(
        logins_seen_by(&s, "lehrer").await,
        ["Anna", "Ben", "Carla", "Eva", "Lars", "Lena", "Paul"]
    );
    // The 5b teacher: only Carla of the students.
    assert_eq!(
        logins_seen_by(&s, "lehrer2").await,
        ["Carla", "Lars", "Lena", "Paul"]
    );
    // Staff without groups.read_students: no students, the extern of a shared group.
    assert_eq!(
        logins_seen_by(&s, "personal").await,
        ["Eva", "Lars", "Lena", "Paul"]
    );
    // Externs: the teachers and staff only.
    assert_eq!(logins_seen_by(&s, "extern").await, ["Lars", "Lena", "Paul"]);
}

async fn cards_carry_no_private_data_and_only_shared_groups(db: Db) {
    let s = school(db).await;
    let p = &s.platform;
    let anna = s.user("anna").await;
    let page = p
        .school_directory(&anna, "lena", 10, 0)
        .await
        .expect("search");
    assert_eq!(page.people.len(), 1);
    let lena = &page.people[0];
    // Only the groups Anna shares with her, and the official address.
    assert_eq!(lena.groups, ["5a", "Mathe-Kurs"]);
    assert!(lena.mail.ends_with("@123456.nrw.schule"), "{}", lena.mail);
    let lars = p
        .school_directory(&anna, "lars", 10, 0)
        .await
        .expect("lars")
        .people;
    assert!(lars[0].groups.is_empty(), "5b is not Anna's group");
    // Nothing private in the generated cards, no other class anywhere.
    let cards = p.school_address_book_cards(&anna).await.expect("cards");
    assert_eq!(cards.cards.len(), 5);
    for c in &cards.cards {
        assert!(!c.vcard.contains("privat.example"), "{}", c.vcard);
        assert!(!c.vcard.contains("BDAY"));
        // The groups line only: a UID may contain "5b" as hex.
        let mut groups = c.vcard.lines().filter(|l| l.starts_with("CATEGORIES"));
        assert!(groups.all(|l| !l.contains("5b")), "{}", c.vcard);
        assert!(c.vcard.starts_with("BEGIN:VCARD\r\nVERSION:4.0\r\n"));
    }
    // Stable: the same cards and CTag when asked again.
    let again = p.school_address_book_cards(&anna).await.expect("again");
    assert_eq!(again.ctag, cards.ctag);
    assert_eq!(again.cards[0].etag, cards.cards[0].etag);
    // One person: visible, or not found.
    let carla_id = s.user("carla").await.user.id;
    assert!(matches!(
        p.school_directory_person(&anna, carla_id).await,
        Err(ContactsError::NotFound)
    ));
    let lena_card = p
        .school_directory_person(&anna, lena.id)
        .await
        .expect("lena");
    assert_eq!(lena_card.last_name, "Test");
    // A person leaving the class changes the CTag (the book is generated, not stored).
    let admin = s.admin().await;
    let class = p
        .address_book_share_target(&s.user("lehrer").await, "5a")
        .await
        .expect("5a");
    let schulhof_domain::contacts::ShareWith::Group(g) = class else {
        panic!("a group");
    };
    p.set_membership(&admin, g, "ben", false)
        .await
        .expect("removed");
    let after = p.school_address_book_cards(&anna).await.expect("after");
    assert_ne!(after.ctag, cards.ctag);
    assert_eq!(after.cards.len(), 4);
}

async fn function_accounts_and_other_schools_see_nothing(db: Db) {
    let s = school(db.clone()).await;
    let other = school_on(platform(db), "654321").await;
    let p = &s.platform;
    for f in [s.admin().await, s.user("sekretariat").await] {
        assert!(matches!(
            p.school_directory(&f, "", 10, 0).await,
            Err(ContactsError::Forbidden)
        ));
        assert!(p.school_address_book_cards(&f).await.is_err());
    }
    // Another school's teacher sees only the own school.
    let foreign = other.user("lehrer").await;
    let page = other
        .platform
        .school_directory(&foreign, "", 100, 0)
        .await
        .expect("own school");
    assert!(page.people.iter().all(|x| x.mail.contains("@654321.")));
    let here = s.user("lehrer").await.user.id;
    assert!(matches!(
        other.platform.school_directory_person(&foreign, here).await,
        Err(ContactsError::NotFound)
    ));
}

backend_tests!(
    each_account_type_sees_its_people,
    cards_carry_no_private_data_and_only_shared_groups,
    function_accounts_and_other_schools_see_nothing,
);
