use schulhof_types::{FunctionRole, InstanceId, UserId};
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

fn room(kind: RoomKind, member: bool, moderator: bool) -> RoomFacts {
    RoomFacts {
        instance: inst(),
        kind,
        member,
        moderator,
        locked: false,
        announce: false,
        peer: None,
    }
}

fn conf(room: RoomFacts, starter: bool, removed: bool) -> ConferenceFacts {
    ConferenceFacts {
        room,
        starter,
        removed,
    }
}

#[test]
fn teachers_start_and_members_join() {
    let class = room(RoomKind::Group, true, true);
    assert!(check(&token(L), StartConference(class)).is_ok());
    // A student member of the class room may join but not start.
    let as_student = room(RoomKind::Group, true, false);
    assert_eq!(
        check(&token(S), StartConference(as_student)).err(),
        Some(Denied::Forbidden)
    );
    assert!(check(&token(S), JoinConference(conf(as_student, false, false))).is_ok());
    // In a direct room teachers and staff start, students and externals do not.
    let direct = room(RoomKind::Direct, true, false);
    assert!(check(&token(L), StartConference(direct)).is_ok());
    assert!(check(&token(P), StartConference(direct)).is_ok());
    assert!(check(&token(S), StartConference(direct)).is_err());
    assert!(check(&token(E), StartConference(direct)).is_err());
}

#[test]
fn strangers_and_other_schools_do_not_learn_of_it() {
    let not_member = room(RoomKind::Group, false, false);
    assert_eq!(
        check(&token(L), JoinConference(conf(not_member, false, false))).err(),
        Some(Denied::NotFound)
    );
    let mut elsewhere = room(RoomKind::Group, true, true);
    elsewhere.instance = InstanceId(Uuid::now_v7());
    assert_eq!(
        check(&token(L), StartConference(elsewhere)).err(),
        Some(Denied::NotFound)
    );
    // Function accounts do not chat, so they see no room and no conference.
    let r = room(RoomKind::Group, true, false);
    assert_eq!(
        check(&token(F), JoinConference(conf(r, false, false))).err(),
        Some(Denied::NotFound)
    );
}

#[test]
fn removed_participants_stay_out_and_only_moderators_moderate() {
    let r = room(RoomKind::Group, true, false);
    assert_eq!(
        check(&token(S), JoinConference(conf(r, false, true))).err(),
        Some(Denied::Forbidden)
    );
    assert!(check(&token(S), ModerateConference(conf(r, false, false))).is_err());
    let teacher = room(RoomKind::Group, true, true);
    assert!(check(&token(L), ModerateConference(conf(teacher, false, false))).is_ok());
    // The starter of a direct-room call moderates it.
    let direct = room(RoomKind::Direct, true, false);
    assert!(check(&token(L), ModerateConference(conf(direct, true, false))).is_ok());
    assert!(check(&token(L), ModerateConference(conf(direct, false, false))).is_err());
}

fn facts(p: Principal, audio: bool, video: bool) -> MediaFacts {
    MediaFacts {
        principal: p,
        consent_audio: audio,
        consent_video: video,
        moderator: false,
        muted: false,
        may_share: false,
    }
}

#[test]
fn students_need_consent_for_microphone_and_camera() {
    let none = media_grant(&facts(S, false, false));
    assert_eq!(none, MediaGrant::default());
    assert!(consent_marker(&facts(S, false, false)));
    let audio_only = media_grant(&facts(S, true, false));
    assert!(audio_only.audio && !audio_only.video);
    assert!(consent_marker(&facts(S, true, false)));
    let both = media_grant(&facts(S, true, true));
    assert!(both.audio && both.video && !both.screen);
    assert!(!consent_marker(&facts(S, true, true)));
    // Consent records concern students only.
    for p in [L, P, E] {
        let g = media_grant(&facts(p, false, false));
        assert!(g.audio && g.video, "{p:?}");
        assert!(!consent_marker(&facts(p, false, false)));
    }
    assert_eq!(media_grant(&facts(F, true, true)), MediaGrant::default());
}

#[test]
fn mute_and_screen_permission() {
    let mut f = facts(L, false, false);
    f.muted = true;
    let g = media_grant(&f);
    assert!(!g.audio && g.video && !g.screen);
    f.moderator = true;
    assert!(media_grant(&f).screen);
    let mut s = facts(S, true, true);
    s.may_share = true;
    assert!(media_grant(&s).screen);
}

#[test]
fn moderators_manage_guests_and_links_expire() {
    let class = room(RoomKind::Group, true, true);
    assert!(check(&token(L), ManageGuests(conf(class, false, false))).is_ok());
    let as_student = room(RoomKind::Group, true, false);
    assert_eq!(
        check(&token(S), ManageGuests(conf(as_student, false, false))).err(),
        Some(Denied::Forbidden)
    );
    // Not a member: the room does not exist for them.
    let stranger = room(RoomKind::Group, false, false);
    assert_eq!(
        check(&token(L), ManageGuests(conf(stranger, false, false))).err(),
        Some(Denied::NotFound)
    );
    // No guests in a direct room, even for whoever started its conference.
    let direct = room(RoomKind::Direct, true, false);
    assert!(check(&token(L), ManageGuests(conf(direct, true, false))).is_err());
    let open = GuestLinkFacts {
        expired: false,
        revoked: false,
        waiting: 0,
    };
    assert!(guest_may_wait(open).is_ok());
    let expired = GuestLinkFacts {
        expired: true,
        ..open
    };
    assert_eq!(guest_may_wait(expired), Err(Denied::NotFound));
    let revoked = GuestLinkFacts {
        revoked: true,
        ..open
    };
    assert_eq!(guest_may_wait(revoked), Err(Denied::NotFound));
    let full = GuestLinkFacts {
        waiting: MAX_WAITING,
        ..open
    };
    assert_eq!(guest_may_wait(full), Err(Denied::Forbidden));
}

#[test]
fn admitted_guests_join_only_a_live_conference_through_an_open_link() {
    let open = GuestLinkFacts {
        expired: false,
        revoked: false,
        waiting: MAX_WAITING,
    };
    let ok = GuestFacts {
        link: open,
        admitted: true,
        live: true,
    };
    // A full waiting room does not keep out who was already admitted.
    assert!(guest_may_join(ok).is_ok());
    let waiting = GuestFacts {
        admitted: false,
        ..ok
    };
    assert_eq!(guest_may_join(waiting), Err(Denied::Forbidden));
    for link in [
        GuestLinkFacts {
            revoked: true,
            ..open
        },
        GuestLinkFacts {
            expired: true,
            ..open
        },
    ] {
        // A closed link hides even an admitted guest's place.
        assert_eq!(
            guest_may_join(GuestFacts { link, ..ok }),
            Err(Denied::NotFound)
        );
        assert_eq!(
            guest_may_join(GuestFacts {
                link,
                admitted: false,
                ..ok
            }),
            Err(Denied::NotFound)
        );
    }
    let ended = GuestFacts { live: false, ..ok };
    assert_eq!(guest_may_join(ended), Err(Denied::NotFound));
    // Microphone unless muted, camera; never a screen.
    let g = guest_grant(false);
    assert!(g.audio && g.video && !g.screen);
    let g = guest_grant(true);
    assert!(!g.audio && g.video && !g.screen);
}
