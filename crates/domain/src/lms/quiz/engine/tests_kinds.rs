//! Grading of every kind, with its edge cases.

use super::*;

fn q(body: Body) -> Question {
    Question {
        prompt: "Frage".into(),
        points: 2,
        body,
    }
}

fn choices(correct: &[bool]) -> Vec<Choice> {
    correct
        .iter()
        .enumerate()
        .map(|(i, c)| Choice {
            text: format!("Antwort {i}"),
            correct: *c,
        })
        .collect()
}

#[test]
fn single_choice_all_or_nothing() {
    let s = q(Body::SingleChoice {
        choices: choices(&[false, true, false]),
    });
    assert_eq!(grade(&s, Some(&Answer::Choice(Some(1)))), 200);
    assert_eq!(grade(&s, Some(&Answer::Choice(Some(0)))), 0);
    assert_eq!(grade(&s, Some(&Answer::Choice(None))), 0);
    assert_eq!(grade(&s, Some(&Answer::Choice(Some(99)))), 0);
    assert_eq!(grade(&s, None), 0);
    // The wrong shape of answer earns nothing.
    assert_eq!(grade(&s, Some(&Answer::Choices(vec![1]))), 0);
}

#[test]
fn multiple_choice_partial_credit_rules() {
    let m = q(Body::MultipleChoice {
        choices: choices(&[true, true, false, false]),
        scoring: MultiScoring::Partial,
    });
    let g = |v: Vec<usize>| grade(&m, Some(&Answer::Choices(v)));
    assert_eq!(g(vec![0, 1]), 200);
    assert_eq!(g(vec![0]), 100);
    assert_eq!(
        g(vec![0, 2]),
        0,
        "a wrong tick takes a right one's share off"
    );
    assert_eq!(g(vec![0, 1, 2]), 100);
    assert_eq!(g(vec![0, 1, 2, 3]), 0, "ticking everything earns nothing");
    assert_eq!(g(vec![2, 3]), 0, "never below zero");
    assert_eq!(g(vec![0, 0, 0, 1]), 200, "repeated ticks count once");
    assert_eq!(g(vec![7, 0, 1]), 200, "unknown options are ignored");
    assert_eq!(g(vec![]), 0);
    let three = Question {
        points: 1,
        ..q(Body::MultipleChoice {
            choices: choices(&[true, true, true, false]),
            scoring: MultiScoring::Partial,
        })
    };
    // A third of a point rounds down: the sum never exceeds the maximum.
    assert_eq!(grade(&three, Some(&Answer::Choices(vec![0]))), 33);
    assert_eq!(grade(&three, Some(&Answer::Choices(vec![0, 1, 2]))), 100);
    let strict = q(Body::MultipleChoice {
        choices: choices(&[true, true, false]),
        scoring: MultiScoring::AllOrNothing,
    });
    assert_eq!(grade(&strict, Some(&Answer::Choices(vec![1, 0]))), 200);
    assert_eq!(grade(&strict, Some(&Answer::Choices(vec![0]))), 0);
    assert_eq!(grade(&strict, Some(&Answer::Choices(vec![0, 1, 2]))), 0);
}

#[test]
fn true_false() {
    let t = q(Body::TrueFalse { correct: false });
    assert_eq!(grade(&t, Some(&Answer::Bool(Some(false)))), 200);
    assert_eq!(grade(&t, Some(&Answer::Bool(Some(true)))), 0);
    assert_eq!(grade(&t, Some(&Answer::Bool(None))), 0);
}

#[test]
fn short_answer_case_and_spaces() {
    let s = q(Body::ShortAnswer {
        accepted: vec!["Photosynthese".into(), "Foto synthese".into()],
        case_sensitive: false,
    });
    let g = |t: &str| grade(&s, Some(&Answer::Text(t.into())));
    assert_eq!(g("photosynthese"), 200);
    assert_eq!(g("  PHOTOSYNTHESE \n"), 200);
    assert_eq!(g("foto    synthese"), 200);
    assert_eq!(g("Photo"), 0);
    assert_eq!(g(""), 0);
    assert_eq!(g("   "), 0);
    let cs = q(Body::ShortAnswer {
        accepted: vec!["NaCl".into()],
        case_sensitive: true,
    });
    assert_eq!(grade(&cs, Some(&Answer::Text(" NaCl ".into()))), 200);
    assert_eq!(grade(&cs, Some(&Answer::Text("nacl".into()))), 0);
}

#[test]
fn numeric_tolerance_and_decimal_comma() {
    let n = q(Body::Numeric {
        value: 3.5,
        tolerance: 0.1,
    });
    let g = |t: &str| grade(&n, Some(&Answer::Text(t.into())));
    assert_eq!(g("3,5"), 200);
    assert_eq!(g("3.5"), 200);
    assert_eq!(g(" 3,6 "), 200, "inside the tolerance (edge included)");
    assert_eq!(g("3,4"), 200);
    assert_eq!(g("3,61"), 0);
    assert_eq!(g("3,5 cm"), 0);
    assert_eq!(g("drei"), 0);
    assert_eq!(g("NaN"), 0);
    assert_eq!(g("inf"), 0);
    assert_eq!(g("1,2,3"), 0);
    let exact = q(Body::Numeric {
        value: 0.3,
        tolerance: 0.0,
    });
    assert_eq!(grade(&exact, Some(&Answer::Text("0,3".into()))), 200);
    assert_eq!(parse_number("1.000,5"), Some(1000.5));
    assert_eq!(parse_number("−2,5"), Some(-2.5));
    assert_eq!(parse_number("1 000"), Some(1000.0));
    assert_eq!(parse_number("1.000.000"), Some(1_000_000.0));
    assert_eq!(parse_number(""), None);
}

#[test]
fn matching_counts_right_pairs() {
    let m = q(Body::Matching {
        pairs: vec![
            Pair {
                left: "Hund".into(),
                right: "dog".into(),
            },
            Pair {
                left: "Katze".into(),
                right: "cat".into(),
            },
            Pair {
                left: "Maus".into(),
                right: "mouse".into(),
            },
            Pair {
                left: "Pferd".into(),
                right: "horse".into(),
            },
        ],
    });
    let g = |v: Vec<Option<usize>>| grade(&m, Some(&Answer::Matches(v)));
    assert_eq!(g(vec![Some(0), Some(1), Some(2), Some(3)]), 200);
    assert_eq!(g(vec![Some(0), Some(1), Some(3), Some(2)]), 100);
    assert_eq!(g(vec![Some(0)]), 50, "missing rows are wrong");
    assert_eq!(g(vec![Some(0), Some(0), Some(0), Some(0)]), 50);
    assert_eq!(g(vec![None; 4]), 0);
    assert_eq!(g(vec![Some(0), Some(1), Some(2), Some(3), Some(4)]), 200);
}

#[test]
fn gap_text_counts_right_gaps() {
    let parts =
        parse_gaps("Berlin liegt an der [[Spree]], Köln am [[Rhein|Rhine]].").expect("gaps");
    assert_eq!(parts.len(), 5);
    let g = q(Body::GapText {
        parts: parts.clone(),
        case_sensitive: false,
    });
    assert_eq!(g.body.gap_count(), 2);
    let a = |v: &[&str]| {
        grade(
            &g,
            Some(&Answer::Gaps(v.iter().map(|s| (*s).into()).collect())),
        )
    };
    assert_eq!(a(&["spree", " rhine "]), 200);
    assert_eq!(a(&["Spree", "Main"]), 100);
    assert_eq!(a(&["Spree"]), 100);
    assert_eq!(a(&[]), 0);
    assert_eq!(
        format_gaps(&parts),
        "Berlin liegt an der [[Spree]], Köln am [[Rhein|Rhine]]."
    );
    assert!(parse_gaps("offen [[Spree").is_err());
    assert!(parse_gaps("zu ]] und [[x]]").is_err());
    assert!(parse_gaps("leer [[ | ]]").is_err());
    assert!(parse_gaps("x [[a]] ]]").is_err());
}
