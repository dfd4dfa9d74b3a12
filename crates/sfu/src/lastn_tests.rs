use std::collections::HashSet;

use uuid::Uuid;

use super::{Candidate, Rank, select};

fn ids(n: usize) -> Vec<Uuid> {
    (0..n).map(|_| Uuid::now_v7()).collect()
}

#[test]
fn pins_then_speakers_then_join_order() {
    let u = ids(5);
    let c = |i: usize, pinned, spoke, joined| Candidate {
        user: u[i],
        pinned,
        spoke,
        joined,
    };
    let all = [
        c(0, None, None, 1),
        c(1, None, Some(10), 2),
        c(2, None, Some(20), 3),
        c(3, Some(5), None, 4),
        c(4, None, None, 5),
    ];
    assert_eq!(select(3, &all), [u[3], u[2], u[1]]);
    assert_eq!(select(1, &all), [u[3]]);
    // Nobody spoke or pinned: the first to join (the teacher who started) come first.
    let quiet: Vec<_> = (0..5).map(|i| c(i, None, None, 10 - i as u64)).collect();
    assert_eq!(select(2, &quiet), [u[4], u[3]]);
    assert_eq!(select(9, &quiet).len(), 5, "fewer than N: everybody");
    assert!(select(0, &quiet).is_empty());
}

#[test]
fn thirty_cameras_cost_thirty_times_n_streams() {
    let mut r = Rank::new(9);
    let conf = Uuid::now_v7();
    let people = ids(30);
    for p in &people {
        r.publish(conf, *p);
    }
    let viewers: HashSet<_> = people.iter().map(|p| (conf, *p)).collect();
    r.refresh(&viewers);
    let streams: usize = people
        .iter()
        .map(|v| people.iter().filter(|p| r.sees(conf, *v, **p)).count())
        .sum();
    assert_eq!(streams, 30 * 9, "not 30 × 29 = 870");
    // Nobody receives their own camera.
    assert!(people.iter().all(|p| !r.sees(conf, *p, *p)));
}

#[test]
fn a_speaker_and_a_pin_come_into_view_with_a_keyframe() {
    let mut r = Rank::new(2);
    let conf = Uuid::now_v7();
    let p = ids(5);
    for x in &p {
        r.publish(conf, *x);
    }
    let viewers: HashSet<_> = [(conf, p[0])].into_iter().collect();
    r.refresh(&viewers);
    assert!(r.sees(conf, p[0], p[1]) && r.sees(conf, p[0], p[2]));
    assert!(!r.sees(conf, p[0], p[4]));
    r.spoke(conf, p[4]);
    assert!(r.is_dirty());
    assert_eq!(r.refresh(&viewers), [(conf, p[4])]);
    assert!(r.sees(conf, p[0], p[4]) && r.sees(conf, p[0], p[1]));
    assert!(!r.sees(conf, p[0], p[2]));
    // The same speaker again changes nothing and costs no refresh.
    r.spoke(conf, p[4]);
    assert!(!r.is_dirty());
    // A pin beats the speaker order.
    r.pin(conf, p[0], Some(p[3]));
    assert_eq!(r.refresh(&viewers), [(conf, p[3])]);
    assert!(r.sees(conf, p[0], p[3]) && r.sees(conf, p[0], p[4]));
    assert!(!r.sees(conf, p[0], p[1]));
    // Whoever leaves makes room; the conference's end forgets everything.
    r.leave(conf, p[3]);
    r.refresh(&viewers);
    assert!(r.sees(conf, p[0], p[1]) && !r.sees(conf, p[0], p[3]));
    r.end(conf);
    assert!(!r.sees(conf, p[0], p[1]));
}
