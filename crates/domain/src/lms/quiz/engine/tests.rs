//! Validation, the order of attempts, stored JSON, and grading of arbitrary answers.

use proptest::prelude::*;

use super::*;

fn draft(kind: &str) -> QuestionDraft {
    QuestionDraft {
        kind: kind.into(),
        prompt: "Was stimmt?".into(),
        points: "3".into(),
        ..QuestionDraft::default()
    }
}

fn err(d: &QuestionDraft) -> DraftError {
    d.check(4).expect_err("invalid")
}

#[test]
fn validation_names_question_and_field() {
    let mut d = draft("single_choice");
    d.choices = vec![("A".into(), true), ("B".into(), true)];
    let e = err(&d);
    assert_eq!((e.question, e.field), (4, "choices"));
    assert!(e.to_string().starts_with("Frage 4: Genau eine"), "{e}");
    d.choices = vec![("A".into(), true), ("  ".into(), false)];
    assert_eq!(err(&d).field, "choices", "an empty row does not count");
    d.choices = vec![("A".into(), true), ("B".into(), false), ("".into(), true)];
    assert!(d.check(1).is_ok());
    d.points = "0".into();
    assert_eq!(err(&d).field, "points");
    d.points = "zwei".into();
    assert_eq!(err(&d).field, "points");
    d.points = "101".into();
    assert_eq!(err(&d).field, "points");
    d.points = "1".into();
    d.prompt = "  ".into();
    assert_eq!(err(&d).field, "prompt");
    assert_eq!(err(&draft("essay")).field, "kind");
    assert_eq!(err(&draft("true_false")).field, "correct");
    assert_eq!(err(&draft("multiple_choice")).field, "choices");
    assert_eq!(err(&draft("short_answer")).field, "accepted");
    let mut n = draft("numeric");
    assert_eq!(err(&n).field, "value");
    n.value = "3,5".into();
    n.tolerance = "-1".into();
    assert_eq!(err(&n).field, "tolerance");
    n.tolerance = "".into();
    assert!(n.check(1).is_ok(), "no tolerance means exact");
    let mut m = draft("matching");
    m.pairs = vec![("a".into(), "b".into()), ("c".into(), "B".into())];
    assert_eq!(err(&m).field, "pairs", "right sides must differ");
    m.pairs = vec![("a".into(), "b".into()), ("c".into(), "".into())];
    assert_eq!(err(&m).field, "pairs");
    let mut g = draft("gap_text");
    g.gap_text = "Ohne Lücke".into();
    assert_eq!(err(&g).field, "gap_text");
    g.gap_text = "Mit [[Lücke".into();
    assert_eq!(err(&g).field, "gap_text");
}

fn every_kind() -> Vec<QuestionDraft> {
    let mut s = draft("single_choice");
    s.choices = vec![("A".into(), false), ("B".into(), true)];
    let mut m = draft("multiple_choice");
    m.choices = vec![("A".into(), true), ("B".into(), true), ("C".into(), false)];
    m.all_or_nothing = true;
    let mut t = draft("true_false");
    t.correct = Some(true);
    let mut a = draft("short_answer");
    a.accepted = "Rhein\nRhine".into();
    a.case_sensitive = true;
    let mut n = draft("numeric");
    n.value = "3,5".into();
    n.tolerance = "0,25".into();
    let mut p = draft("matching");
    p.pairs = vec![("1".into(), "eins".into()), ("2".into(), "zwei".into())];
    let mut g = draft("gap_text");
    g.gap_text = "Die [[Sonne|Sun]] scheint [[hell]].".into();
    vec![s, m, t, a, n, p, g]
}

#[test]
fn drafts_round_trip_through_the_stored_json() {
    for (i, d) in every_kind().into_iter().enumerate() {
        let q = d.check(i + 1).expect("valid");
        assert!(check(&q, i + 1).is_ok());
        let json = serde_json::to_string(&q).expect("json");
        let back: Question = serde_json::from_str(&json).expect("parse");
        assert_eq!(back, q);
        assert_eq!(QuestionDraft::of(&q).check(i + 1).expect("again"), q);
    }
}

#[test]
fn order_is_deterministic_per_seed() {
    let qs: Vec<Question> = every_kind()
        .iter()
        .map(|d| d.check(1).expect("valid"))
        .collect();
    let keyed: Vec<(u64, &Question)> = qs.iter().enumerate().map(|(i, q)| (i as u64, q)).collect();
    let a = order_for(42, &keyed, true, true);
    assert_eq!(a, order_for(42, &keyed, true, true));
    let mut sorted = a.questions.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, (0..qs.len()).collect::<Vec<_>>());
    let differs = (0..20u64).any(|s| order_for(s, &keyed, true, true) != a);
    assert!(differs, "other seeds give other orders");
    let plain = order_for(42, &keyed, false, false);
    assert_eq!(plain.questions, (0..qs.len()).collect::<Vec<_>>());
    assert_eq!(plain.items[0], vec![0, 1], "choices keep their order");
    let mut right = plain.items[5].clone();
    right.sort_unstable();
    assert_eq!(right, vec![0, 1], "matching right items are a permutation");
}

fn any_answer() -> impl Strategy<Value = Answer> {
    prop_oneof![
        proptest::option::of(0usize..30).prop_map(Answer::Choice),
        proptest::collection::vec(0usize..30, 0..30).prop_map(Answer::Choices),
        proptest::option::of(any::<bool>()).prop_map(Answer::Bool),
        ".{0,40}".prop_map(Answer::Text),
        "[0-9,.+-]{0,12}".prop_map(Answer::Text),
        proptest::collection::vec(proptest::option::of(0usize..30), 0..30)
            .prop_map(Answer::Matches),
        proptest::collection::vec(".{0,10}", 0..30).prop_map(Answer::Gaps),
    ]
}

proptest! {
    #[test]
    fn grading_never_panics_and_stays_in_range(
        kind in 0usize..7,
        points in 1u32..=100,
        answer in any_answer(),
    ) {
        let mut q = every_kind()[kind].check(1).expect("valid");
        q.points = points;
        let got = grade(&q, Some(&answer));
        prop_assert!(got <= max_of(&q));
    }

    #[test]
    fn number_parsing_never_panics(s in ".{0,80}") {
        if let Some(v) = parse_number(&s) {
            prop_assert!(v.is_finite());
        }
    }
}
