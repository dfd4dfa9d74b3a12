use schulhof_types::{FunctionRole, UserId};
use uuid::Uuid;

use super::*;
use crate::check;

const L: Principal = Principal::Person(AccountType::Lehrer);
const P: Principal = Principal::Person(AccountType::Personal);
const E: Principal = Principal::Person(AccountType::Extern);
const S: Principal = Principal::Person(AccountType::Schueler);
const F: Principal = Principal::Function(FunctionRole::Admin);

fn inst() -> InstanceId {
    InstanceId(Uuid::nil())
}

fn token(p: Principal) -> AccessToken {
    AccessToken::resolve(inst(), UserId(Uuid::now_v7()), p, vec![], vec![])
}

fn peer(p: Principal, shares_group: bool) -> Peer {
    Peer {
        instance: inst(),
        principal: p,
        shares_group,
    }
}

fn room(kind: RoomKind, moderator: bool, locked: bool, announce: bool) -> RoomFacts {
    RoomFacts {
        instance: inst(),
        kind,
        member: true,
        moderator,
        locked,
        announce,
        peer: None,
    }
}

/// Every account type × every target, with and without a common group: the defaults of
/// issue 16.
#[test]
fn who_may_write_to_whom_by_default() {
    // (from, to, shares a group, allowed)
    let expect: &[(Principal, Principal, bool, bool)] = &[
        (L, L, false, true),
        (L, P, false, true),
        (L, E, false, true),
        (L, S, false, true),
        (P, S, false, true),
        (P, E, false, true),
        (E, L, false, true),
        (E, P, false, true),
        (E, S, true, false),
        (E, E, true, false),
        (S, L, true, true),
        (S, L, false, false),
        (S, S, true, false),
        (S, P, true, false),
        (S, E, true, false),
        (F, L, true, false),
        (L, F, true, false),
    ];
    for (from, to, shares, allowed) in expect {
        let t = token(*from);
        let got = check(&t, StartDirect(peer(*to, *shares))).is_ok();
        assert_eq!(got, *allowed, "{from:?} → {to:?} (common group {shares})");
    }
}

#[test]
fn students_write_privately_to_students_only_when_granted() {
    let mut granted = ChatRights::defaults(S);
    assert!(!may_message(S, granted, &peer(S, true)));
    granted.students_private = true;
    assert!(may_message(S, granted, &peer(S, false)));
}

#[test]
fn students_answer_teachers_who_wrote_first_but_not_other_students() {
    let rights = ChatRights::defaults(S);
    assert!(may_write_direct(S, rights, &peer(L, false)));
    assert!(may_write_direct(S, rights, &peer(P, false)));
    assert!(!may_write_direct(S, rights, &peer(S, true)));
    assert!(!may_write_direct(
        F,
        ChatRights::defaults(F),
        &peer(L, true)
    ));
}

#[test]
fn locked_and_announcement_rooms_only_for_moderators() {
    let student = token(S);
    let teacher = token(L);
    for (locked, announce) in [(true, false), (false, true)] {
        assert_eq!(
            check(
                &student,
                WriteRoom(room(RoomKind::Group, false, locked, announce))
            )
            .err(),
            Some(Denied::Forbidden)
        );
        assert!(
            check(
                &teacher,
                WriteRoom(room(RoomKind::Group, true, locked, announce))
            )
            .is_ok()
        );
    }
    assert!(
        check(
            &student,
            WriteRoom(room(RoomKind::Group, false, false, false))
        )
        .is_ok()
    );
}

#[test]
fn strangers_and_other_schools_do_not_see_rooms() {
    let t = token(L);
    let mut r = room(RoomKind::Group, false, false, false);
    r.member = false;
    assert_eq!(check(&t, SeeRoom(r)).err(), Some(Denied::NotFound));
    assert_eq!(check(&t, WriteRoom(r)).err(), Some(Denied::NotFound));
    let mut r = room(RoomKind::Group, true, false, false);
    r.instance = InstanceId(Uuid::now_v7());
    assert_eq!(check(&t, ModerateRoom(r)).err(), Some(Denied::NotFound));
    assert_eq!(
        check(
            &token(F),
            SeeRoom(room(RoomKind::Group, false, false, false))
        )
        .err(),
        Some(Denied::NotFound)
    );
}

#[test]
fn only_moderators_moderate_and_direct_rooms_have_none() {
    assert!(
        check(
            &token(L),
            ModerateRoom(room(RoomKind::Group, true, false, false))
        )
        .is_ok()
    );
    assert!(
        check(
            &token(S),
            ModerateRoom(room(RoomKind::Group, false, false, false))
        )
        .is_err()
    );
    assert!(
        check(
            &token(L),
            ModerateRoom(room(RoomKind::Direct, true, false, false))
        )
        .is_err()
    );
    let mut direct = room(RoomKind::Direct, false, false, false);
    direct.peer = Some(peer(S, true));
    assert_eq!(
        check(&token(S), WriteRoom(direct)).err(),
        Some(Denied::Forbidden)
    );
    assert!(check(&token(L), WriteRoom(direct)).is_ok());
}

#[test]
fn ad_hoc_rooms_by_teachers_and_staff_with_people_they_may_write_to() {
    assert!(check(&token(L), CreateRoom(vec![peer(S, false), peer(P, false)])).is_ok());
    assert!(check(&token(S), CreateRoom(vec![peer(L, true)])).is_err());
    assert!(check(&token(E), CreateRoom(vec![])).is_err());
    let other = Peer {
        instance: InstanceId(Uuid::now_v7()),
        principal: S,
        shares_group: false,
    };
    assert_eq!(
        check(&token(L), CreateRoom(vec![other])).err(),
        Some(Denied::NotFound)
    );
}

/// Muting refuses a member's posts, never a moderator's; only moderators mute, only
/// members who do not moderate; quiet hours hold pupils only.
#[test]
fn mutes_reports_and_quiet_hours() {
    let member = room(RoomKind::Group, false, false, false);
    let teacher = room(RoomKind::Group, true, false, false);
    for p in [L, P, E, S] {
        let t = token(p);
        assert!(
            check(
                &t,
                PostMessage {
                    room: member,
                    muted: false
                }
            )
            .is_ok()
        );
        assert_eq!(
            check(
                &t,
                PostMessage {
                    room: member,
                    muted: true
                }
            )
            .err(),
            Some(Denied::Forbidden)
        );
        assert!(check(&t, ReportMessage(member)).is_ok());
        assert_eq!(held_in_quiet_hours(&t, &member), p == S);
    }
    assert!(
        check(
            &token(L),
            PostMessage {
                room: teacher,
                muted: true
            }
        )
        .is_ok()
    );
    assert!(!held_in_quiet_hours(&token(S), &teacher));
    let mute = |room, target_member, target_moderates| MuteMember {
        room,
        target_member,
        target_moderates,
    };
    assert!(check(&token(L), mute(teacher, true, false)).is_ok());
    assert_eq!(
        check(&token(L), mute(teacher, true, true)).err(),
        Some(Denied::Forbidden)
    );
    assert_eq!(
        check(&token(L), mute(teacher, false, false)).err(),
        Some(Denied::NotFound)
    );
    assert_eq!(
        check(&token(S), mute(member, true, false)).err(),
        Some(Denied::Forbidden)
    );
    let mut elsewhere = teacher;
    elsewhere.instance = InstanceId(Uuid::now_v7());
    assert_eq!(
        check(&token(L), mute(elsewhere, true, false)).err(),
        Some(Denied::NotFound)
    );
    assert_eq!(
        check(&token(S), ReportMessage(elsewhere)).err(),
        Some(Denied::NotFound)
    );
    let direct = room(RoomKind::Direct, false, false, false);
    assert_eq!(
        check(&token(L), mute(direct, true, false)).err(),
        Some(Denied::Forbidden)
    );
}
