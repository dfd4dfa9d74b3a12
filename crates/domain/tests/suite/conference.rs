//! Video conferences of chat rooms on SQLite and PostgreSQL: who starts, joins and
//! moderates; the consent gates (students' microphone and camera only with the school's
//! record, set by an admin and audited); mute, remove, screen permission, end for all; and
//! nothing crosses schools.

use crate::calendar_support;
use calendar_support::*;
use schulhof_domain::chat::RoomId;
use schulhof_domain::conference::{AvConsent, ConferenceStep, MediaHost, SelfStep};
use schulhof_domain::identity::Actor;
use schulhof_domain::{Db, DomainError};
use schulhof_store::backend_tests;

fn host() -> MediaHost {
    MediaHost {
        node: "node-a".into(),
        media_addr: "127.0.0.1:40000".into(),
    }
}

async fn class_room(s: &School, a: &Actor) -> RoomId {
    s.platform
        .chat_rooms(a)
        .await
        .expect("rooms")
        .into_iter()
        .find(|r| r.name == "5a")
        .expect("room of 5a")
        .id
}

fn refused<T: std::fmt::Debug>(r: Result<T, DomainError>) -> bool {
    matches!(r, Err(DomainError::Forbidden) | Err(DomainError::Denied(_)))
}

async fn teachers_start_members_join(db: Db) {
    let s = school(db).await;
    let p = &s.platform;
    let (lehrer, anna, carla) = (
        s.user("lehrer").await,
        s.user("anna").await,
        s.user("carla").await,
    );
    let room = class_room(&s, &lehrer).await;
    // Nothing runs yet: joining finds nothing, a student may not start.
    assert!(matches!(
        p.conference_join(&anna, room).await,
        Err(DomainError::NotFound)
    ));
    assert!(refused(p.conference_start(&anna, room, &host()).await));
    let status = p.conference_status(&anna, room).await.expect("status");
    assert!(!status.may_start && status.live.is_none());

    let v = p
        .conference_start(&lehrer, room, &host())
        .await
        .expect("start");
    assert!(v.moderator);
    assert_eq!(v.node, "node-a");
    // A second start (another teacher's click a moment later) joins the same conference.
    let again = p
        .conference_start(&lehrer, room, &host())
        .await
        .expect("again");
    assert_eq!(again.id, v.id);

    let va = p.conference_join(&anna, room).await.expect("anna joins");
    assert!(!va.moderator);
    assert_eq!(va.participants.iter().filter(|x| x.present).count(), 2);
    // Carla is not in 5a: the room and its conference do not exist for her.
    assert!(matches!(
        p.conference_join(&carla, room).await,
        Err(DomainError::NotFound)
    ));
    // Raise hand, then leave.
    p.conference_self(&anna, room, SelfStep::Hand(true))
        .await
        .expect("hand");
    let seen = p.conference_status(&lehrer, room).await.expect("status");
    let live = seen.live.expect("live");
    let anna_row = live
        .participants
        .iter()
        .find(|x| x.user == anna.token.user())
        .expect("anna listed");
    assert!(anna_row.hand_raised && anna_row.present);
    p.conference_self(&anna, room, SelfStep::Leave)
        .await
        .expect("leave");
    let live = p
        .conference_status(&lehrer, room)
        .await
        .expect("status")
        .live
        .expect("live");
    assert!(
        !live
            .participants
            .iter()
            .any(|x| x.user == anna.token.user() && x.present)
    );
}

async fn consent_gates_students_media(db: Db) {
    let s = school(db).await;
    let p = &s.platform;
    let (admin, lehrer, anna, ben) = (
        s.admin().await,
        s.user("lehrer").await,
        s.user("anna").await,
        s.user("ben").await,
    );
    let room = class_room(&s, &lehrer).await;
    p.conference_start(&lehrer, room, &host())
        .await
        .expect("start");
    // Only an admin records consent; bad logins are 404.
    let both = AvConsent {
        audio: true,
        video: true,
    };
    assert!(refused(p.set_av_consent(&lehrer, "anna", both).await));
    assert!(refused(p.set_av_consent(&anna, "anna", both).await));
    assert!(matches!(
        p.set_av_consent(&admin, "nobody", both).await,
        Err(DomainError::NotFound)
    ));
    p.set_av_consent(&admin, "anna", both)
        .await
        .expect("consent");
    assert_eq!(p.av_consent(&admin, "anna").await.expect("read"), both);
    assert_eq!(
        p.av_consent(&admin, "ben").await.expect("read"),
        AvConsent::default()
    );
    let log = p.admin_log(&admin, 100, 0).await.expect("audit log");
    assert!(
        log.iter().any(|e| e.action == "user.av_consent"),
        "consent change audited"
    );

    p.conference_join(&anna, room).await.expect("anna");
    let v = p.conference_join(&ben, room).await.expect("ben");
    let of = |login: &Actor| {
        v.participants
            .iter()
            .find(|x| x.user == login.token.user())
            .cloned()
            .expect("listed")
    };
    let (a, b, l) = (of(&anna), of(&ben), of(&lehrer));
    assert!(a.grant.audio && a.grant.video && !a.grant.screen);
    assert!(!b.grant.audio && !b.grant.video);
    assert!(l.grant.audio && l.grant.video && l.grant.screen && l.moderator);
    // Students do not see the marker; the teacher sees it for Ben only, with no reason.
    assert!(!b.marker);
    let t = p
        .conference_status(&lehrer, room)
        .await
        .expect("status")
        .live
        .expect("live");
    let marked: Vec<_> = t.participants.iter().filter(|x| x.marker).collect();
    assert_eq!(marked.len(), 1);
    assert_eq!(marked[0].user, ben.token.user());
    // Audio only.
    let audio = AvConsent {
        audio: true,
        video: false,
    };
    p.set_av_consent(&admin, "ben", audio).await.expect("audio");
    let v = p.conference_status(&ben, room).await.expect("status");
    let me = v.live.expect("live");
    let g = me.mine().expect("ben").grant;
    assert!(g.audio && !g.video);
}

async fn moderators_mute_remove_share_and_end(db: Db) {
    let s = school(db).await;
    let p = &s.platform;
    let (admin, lehrer, anna, ben) = (
        s.admin().await,
        s.user("lehrer").await,
        s.user("anna").await,
        s.user("ben").await,
    );
    let both = AvConsent {
        audio: true,
        video: true,
    };
    p.set_av_consent(&admin, "anna", both).await.expect("c");
    let room = class_room(&s, &lehrer).await;
    p.conference_start(&lehrer, room, &host()).await.expect("s");
    p.conference_join(&anna, room).await.expect("anna");
    p.conference_join(&ben, room).await.expect("ben");
    let anna_id = anna.token.user();
    // Students do not moderate.
    assert!(refused(
        p.conference_moderate(&ben, room, anna_id, ConferenceStep::Mute)
            .await
    ));
    assert!(refused(p.conference_end(&ben, room).await));

    let grant = |login: &'static str| {
        let s = &s;
        async move {
            let a = s.user(login).await;
            let v = s.platform.conference_status(&a, room).await.expect("st");
            v.live.and_then(|l| l.mine().map(|m| m.grant))
        }
    };
    p.conference_moderate(&lehrer, room, anna_id, ConferenceStep::Mute)
        .await
        .expect("mute");
    assert!(!grant("anna").await.expect("in").audio);
    p.conference_self(&anna, room, SelfStep::Unmute)
        .await
        .expect("unmute");
    assert!(grant("anna").await.expect("in").audio);
    p.conference_moderate(&lehrer, room, anna_id, ConferenceStep::AllowShare(true))
        .await
        .expect("share");
    assert!(grant("anna").await.expect("in").screen);
    // Removed: out, and may not come back.
    p.conference_moderate(&lehrer, room, anna_id, ConferenceStep::Remove)
        .await
        .expect("remove");
    assert!(refused(p.conference_join(&anna, room).await));
    assert!(grant("anna").await.is_none());
    // An unknown participant is 404.
    assert!(matches!(
        p.conference_moderate(&lehrer, room, admin.token.user(), ConferenceStep::Mute)
            .await,
        Err(DomainError::NotFound)
    ));
    p.conference_end(&lehrer, room).await.expect("end");
    let st = p.conference_status(&ben, room).await.expect("status");
    assert!(st.live.is_none());
    // A new one can start after the end.
    let again = p
        .conference_start(&lehrer, room, &host())
        .await
        .expect("new");
    assert!(
        again
            .participants
            .iter()
            .all(|x| x.user == lehrer.token.user())
    );
}

async fn nothing_crosses_schools(db: Db) {
    let s = school(db).await;
    let other = school_on(s.platform.clone(), "654321").await;
    let p = &s.platform;
    let lehrer = s.user("lehrer").await;
    let room = class_room(&s, &lehrer).await;
    p.conference_start(&lehrer, room, &host()).await.expect("s");
    let their_teacher = other.user("lehrer").await;
    assert!(matches!(
        p.conference_join(&their_teacher, room).await,
        Err(DomainError::NotFound)
    ));
    assert!(matches!(
        p.conference_status(&their_teacher, room).await,
        Err(DomainError::NotFound)
    ));
    // Their admin sets consent for their anna, never ours.
    let their_admin = other.admin().await;
    let both = AvConsent {
        audio: true,
        video: true,
    };
    p.set_av_consent(&their_admin, "anna", both)
        .await
        .expect("theirs");
    let ours = s.admin().await;
    assert_eq!(
        p.av_consent(&ours, "anna").await.expect("ours"),
        AvConsent::default()
    );
}

/// The caller's own entry as another participant sees it.
async fn entry_of(
    s: &School,
    viewer: &Actor,
    room: RoomId,
    who: &Actor,
) -> schulhof_domain::conference::ParticipantView {
    s.platform
        .conference_status(viewer, room)
        .await
        .expect("status")
        .live
        .expect("live")
        .participants
        .into_iter()
        .find(|x| x.user == who.token.user())
        .expect("listed")
}

/// A member whose page reconnects joins on the new socket before the old socket's leave
/// is done (the old one closes in the background): that late leave must not put the
/// rejoined member out nor take their media, and they are listed once. Leaving with the
/// current join does.
async fn a_late_leave_does_not_drop_a_rejoined_member(db: Db) {
    let s = school(db).await;
    let p = &s.platform;
    let (lehrer, anna) = (s.user("lehrer").await, s.user("anna").await);
    let room = class_room(&s, &lehrer).await;
    let first = p
        .conference_start(&lehrer, room, &host())
        .await
        .expect("start");
    p.conference_join(&anna, room).await.expect("anna");
    let again = p.conference_join(&lehrer, room).await.expect("rejoin");
    assert_ne!(
        first.presence, again.presence,
        "each join is its own presence"
    );
    let mine = |v: &schulhof_domain::conference::ConferenceView| {
        v.participants
            .iter()
            .filter(|x| x.user == lehrer.token.user())
            .count()
    };
    assert_eq!(mine(&again), 1, "listed once");
    // The old socket's leave arrives after the rejoin: nothing changes.
    let (conf, left) = p
        .conference_leave(&lehrer, room, first.presence)
        .await
        .expect("late leave");
    assert_eq!(conf, first.id);
    assert!(!left, "a superseded presence leaves nothing");
    let seen = entry_of(&s, &anna, room, &lehrer).await;
    assert!(seen.present, "still present");
    assert!(seen.grant.audio && seen.grant.video, "with media: {seen:?}");
    // The current join's leave does; a second one is a no-op.
    let (_, left) = p
        .conference_leave(&lehrer, room, again.presence)
        .await
        .expect("leave");
    assert!(left);
    assert!(!entry_of(&s, &anna, room, &lehrer).await.present);
    let (_, left) = p
        .conference_leave(&lehrer, room, again.presence)
        .await
        .expect("again");
    assert!(!left);
    // Leave first, then join (the other order of the same two signals): present.
    let third = p.conference_join(&lehrer, room).await.expect("join");
    let (_, left) = p
        .conference_leave(&lehrer, room, first.presence)
        .await
        .expect("stale");
    assert!(!left);
    assert!(entry_of(&s, &anna, room, &lehrer).await.present);
    assert_eq!(mine(&third), 1);
    // Another member's presence is not someone else's to end.
    let (_, left) = p
        .conference_leave(&anna, room, third.presence)
        .await
        .expect("not hers");
    assert!(!left);
    assert!(entry_of(&s, &anna, room, &lehrer).await.present);
    // A moderator's "remove" ends whichever join is current.
    let teacher_of_anna = entry_of(&s, &lehrer, room, &anna).await;
    assert!(teacher_of_anna.present);
    p.conference_moderate(&lehrer, room, anna.token.user(), ConferenceStep::Remove)
        .await
        .expect("remove");
    let status = p.conference_status(&lehrer, room).await.expect("status");
    assert!(
        !status
            .live
            .expect("live")
            .participants
            .iter()
            .any(|x| x.user == anna.token.user() && x.present)
    );
}

backend_tests!(
    teachers_start_members_join,
    consent_gates_students_media,
    moderators_mute_remove_share_and_end,
    nothing_crosses_schools,
    a_late_leave_does_not_drop_a_rejoined_member,
);
