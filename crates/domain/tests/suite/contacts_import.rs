//! vCard import and export on SQLite and PostgreSQL: 3.0 and 4.0 files, a preview that
//! names problems by line, all-or-nothing, a second import replacing by UID, the size bound,
//! and the web form's path into the same ingest.

use crate::contacts_support;
use contacts_support::*;
use schulhof_domain::Db;
use schulhof_domain::contacts::{ContactForm, ContactsError, MAX_IMPORT};
use schulhof_store::backend_tests;

const FILE: &str = "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Mustermann;Erika;;;\r\nFN:Erika Mustermann\r\nEMAIL;TYPE=INTERNET:erika@example.org\r\nUID:imp-1\r\nEND:VCARD\r\n\
BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Max Meier\r\nTEL:+49 211 555\r\nEND:VCARD\r\n";

async fn a_good_file_is_previewed_then_stored_whole(db: Db) {
    let s = school(db).await;
    let p = &s.platform;
    let t = s.user("lehrer").await;
    let book = p.personal_address_book(&t).await.expect("book").id;
    let preview = p
        .contact_import_preview(&t, book, FILE.as_bytes())
        .await
        .expect("preview");
    assert!(preview.importable(), "{:?}", preview.errors);
    assert_eq!(preview.cards.len(), 2);
    assert_eq!(preview.cards[1].line, 8);
    assert!(!preview.cards[0].replaces);
    // The preview stored nothing.
    assert!(p.contact_all(&t, book).await.expect("all").is_empty());
    let report = p
        .contact_import(&t, book, FILE.as_bytes())
        .await
        .expect("import");
    assert_eq!((report.created, report.updated), (2, 0));
    let all = p.contact_all(&t, book).await.expect("all");
    let names: Vec<&str> = all.iter().map(|c| c.info.display_name.as_str()).collect();
    assert_eq!(names, ["Max Meier", "Erika Mustermann"], "by family name");
    // Erika's text is kept byte for byte.
    let erika = all.iter().find(|c| c.info.uid == "imp-1").expect("erika");
    assert!(FILE.starts_with(&erika.raw));
    // Importing the export again replaces by UID and adds nothing.
    let vcf = p.address_book_export(&t, book).await.expect("export");
    let again = p
        .contact_import_preview(&t, book, vcf.as_bytes())
        .await
        .expect("preview");
    assert!(again.cards.iter().all(|c| c.replaces));
    let report = p
        .contact_import(&t, book, vcf.as_bytes())
        .await
        .expect("import");
    assert_eq!((report.created, report.updated), (0, 2));
    assert_eq!(p.contact_all(&t, book).await.expect("all").len(), 2);
}

async fn a_bad_file_names_its_lines_and_stores_nothing(db: Db) {
    let s = school(db).await;
    let p = &s.platform;
    let t = s.user("lehrer").await;
    let book = p.personal_address_book(&t).await.expect("book").id;
    let before = p.address_book(&t, book).await.expect("book").modseq;
    let bad = format!(
        "{FILE}Kaputte Zeile\r\nBEGIN:VCARD\r\nVERSION:4.0\r\nEMAIL:ohne@name.de\r\nEND:VCARD\r\nBEGIN:VCARD\r\nVERSION:4.0\r\nFN:Doppelt\r\nUID:imp-1\r\nEND:VCARD\r\n"
    );
    let preview = p
        .contact_import_preview(&t, book, bad.as_bytes())
        .await
        .expect("preview");
    assert!(!preview.importable());
    let lines: Vec<usize> = preview.errors.iter().map(|e| e.line).collect();
    assert_eq!(lines, [13, 14, 18], "{:?}", preview.errors);
    let report = p
        .contact_import(&t, book, bad.as_bytes())
        .await
        .expect("report");
    assert_eq!((report.created, report.updated), (0, 0));
    assert_eq!(report.errors.len(), 3);
    // Nothing stored, not even the good cards; the sync token did not move.
    assert!(p.contact_all(&t, book).await.expect("all").is_empty());
    assert_eq!(p.address_book(&t, book).await.expect("book").modseq, before);
    // An empty file, and one over the bound.
    let empty = p.contact_import(&t, book, b"").await.expect("report");
    assert_eq!(empty.errors.len(), 1);
    let huge = vec![b'A'; MAX_IMPORT + 1];
    assert!(matches!(
        p.contact_import(&t, book, &huge).await,
        Err(ContactsError::TooLarge { .. })
    ));
    // Only who may write a book imports into it.
    let anna = s.user("anna").await;
    assert!(matches!(
        p.contact_import(&anna, book, FILE.as_bytes()).await,
        Err(ContactsError::NotFound)
    ));
}

async fn the_web_form_goes_through_the_same_ingest(db: Db) {
    let s = school(db).await;
    let p = &s.platform;
    let t = s.user("lehrer").await;
    let book = p.personal_address_book(&t).await.expect("book").id;
    let form = ContactForm {
        given_name: "Lena".into(),
        family_name: "Lehmann".into(),
        emails: vec!["lena@example.org".into()],
        ..Default::default()
    };
    let info = p
        .contact_save_form(&t, book, None, None, &form)
        .await
        .expect("saved");
    assert_eq!(info.display_name, "Lena Lehmann");
    assert_eq!(info.emails, ["lena@example.org"]);
    let changed = ContactForm {
        organisation: "Stadtbibliothek".into(),
        ..form.clone()
    };
    let edited = p
        .contact_save_form(&t, book, Some(info.id), Some(&info.etag), &changed)
        .await
        .expect("edited");
    assert_eq!(edited.uid, info.uid);
    // A second edit from the old form finds the contact changed in between.
    assert!(matches!(
        p.contact_save_form(&t, book, Some(info.id), Some(&info.etag), &form)
            .await,
        Err(ContactsError::PreconditionFailed)
    ));
    let nameless = ContactForm::default();
    assert!(
        p.contact_save_form(&t, book, None, None, &nameless)
            .await
            .is_err()
    );
    let bad_mail = ContactForm {
        emails: vec!["kein-at".into()],
        ..form
    };
    assert!(
        p.contact_save_form(&t, book, None, None, &bad_mail)
            .await
            .is_err()
    );
    assert_eq!(p.contact_all(&t, book).await.expect("all").len(), 1);
}

backend_tests!(
    a_good_file_is_previewed_then_stored_whole,
    a_bad_file_names_its_lines_and_stores_nothing,
    the_web_form_goes_through_the_same_ingest,
);
