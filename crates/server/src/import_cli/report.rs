//! What `schulhof import` prints: a readable preview or one JSON object.

use schulhof_domain::import::ImportOutcome;
use serde_json::json;

pub(super) fn report(o: &ImportOutcome, as_json: bool, dry_run: bool) {
    let p = &o.plan;
    if as_json {
        let mut v = serde_json::to_value(o.summary).unwrap_or_else(|_| json!({}));
        if let Some(m) = v.as_object_mut() {
            m.insert("applied".into(), json!(o.applied));
            m.insert("dry_run".into(), json!(dry_run));
            m.insert("conflicts_list".into(), conflicts_json(o));
            m.insert("notices".into(), json!(p.notices));
            m.insert("create".into(), json!(p.create));
            m.insert("update".into(), json!(p.update));
            m.insert(
                "mark".into(),
                json!(
                    p.mark
                        .iter()
                        .map(|(_, l, n)| json!({"login": l, "name": n}))
                        .collect::<Vec<_>>()
                ),
            );
            m.insert("new_groups".into(), json!(p.new_groups));
            m.insert("expired_groups".into(), json!(p.expired_groups));
        }
        println!("{v}");
        return;
    }
    let s = o.summary;
    println!(
        "{}: {} created, {} updated, {} unchanged, {} marked for deletion ({} awaiting confirmation), {} back from a mark, {} left persons skipped",
        if o.applied {
            "Applied"
        } else {
            "Preview (nothing changed)"
        },
        s.created,
        s.updated,
        s.unchanged,
        s.marked_for_deletion,
        s.awaiting_deletion,
        s.unmarked,
        s.skipped_left
    );
    println!(
        "Groups: {} new, {} existing, {} expired, {} skipped. Memberships: +{} -{}.",
        s.groups_created,
        s.groups_existing,
        s.groups_expired,
        s.groups_skipped,
        s.memberships_added,
        s.memberships_removed
    );
    for c in &p.conflicts {
        println!("conflict: {}: {} → {}", c.position, c.message, c.kind.fix());
    }
    for n in &p.notices {
        println!("notice: {n}");
    }
    for g in &p.new_groups {
        println!(
            "new group: {} ({}){}",
            g.name,
            g.kind,
            if g.skipped { " — skipped" } else { "" }
        );
    }
    for g in &p.expired_groups {
        println!(
            "expired group (kept until the school-year change): {}",
            g.name
        );
    }
    for c in &p.create {
        println!(
            "create: {} {} {} ({}) login {} mail {}",
            c.source_id, c.first_name, c.last_name, c.account_type, c.login, c.mail
        );
    }
    for u in &p.update {
        let what: Vec<String> = u
            .changes
            .iter()
            .map(|c| format!("{} {:?} → {:?}", c.field, c.old, c.new))
            .collect();
        println!("update: {} {}: {}", u.source_id, u.login, what.join(", "));
    }
    for (_, login, name) in &p.mark {
        println!("mark for deletion: {login} ({name})");
    }
}

fn conflicts_json(o: &ImportOutcome) -> serde_json::Value {
    json!(
        o.plan
            .conflicts
            .iter()
            .map(|c| json!({
                "position": c.position.to_string(),
                "source_id": c.source_id,
                "kind": c.kind,
                "message": c.message,
                "fix": c.kind.fix(),
            }))
            .collect::<Vec<_>>()
    )
}
