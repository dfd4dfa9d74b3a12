//! Planning the groups of a file: matched by source id in the import's own source (tables
//! also by name), renamed when the file renames them, new ones under a free name, and the
//! own-source groups the file no longer has (expired).

use std::collections::{HashMap, HashSet};

use schulhof_import::{ImportData, Source};
use schulhof_store::imports::GroupRef;
use schulhof_types::GroupId;

use super::plan::{Plan, PlannedGroup, State};

/// Plans the groups: own-source match by id; table imports also reuse any current group of
/// the same name; new groups get a free name.
pub(super) fn plan_groups(
    data: &ImportData,
    state: &State,
    skip: &HashSet<&str>,
    plan: &mut Plan,
) -> HashMap<String, (GroupId, bool, bool)> {
    let src = data.source.as_str();
    let own: HashMap<&str, &GroupRef> = state
        .groups
        .iter()
        .filter(|g| g.source.as_deref() == Some(src))
        .filter_map(|g| g.source_id.as_deref().map(|id| (id, g)))
        .collect();
    let by_name: HashMap<String, &GroupRef> = state
        .groups
        .iter()
        .map(|g| (schulhof_store::groups::name_key(&g.name), g))
        .collect();
    let mut names = state.group_names.clone();
    let mut resolved = HashMap::new();
    for g in &data.groups {
        let kind = g.kind.as_str().to_owned();
        let existing = own.get(g.source_id.as_str()).copied().or_else(|| {
            (data.source == Source::Csv)
                .then(|| {
                    by_name
                        .get(&schulhof_store::groups::name_key(&g.name))
                        .copied()
                })
                .flatten()
        });
        if let Some(e) = existing {
            let own_source = e.source.as_deref() == Some(src);
            let wants_rename = own_source && e.name != g.name;
            let free = key(&g.name) == key(&e.name) || !names.contains(&key(&g.name));
            let renamed = wants_rename && free;
            if renamed {
                names.insert(key(&g.name));
            } else if wants_rename {
                plan.notices.push(format!(
                    "group {}: the file's name {} is taken by another group; the group keeps its name",
                    e.name, g.name
                ));
            }
            resolved.insert(g.source_id.clone(), (e.id, own_source, true));
            plan.existing_groups.push(PlannedGroup {
                id: e.id,
                source_id: g.source_id.clone(),
                name: if renamed {
                    g.name.clone()
                } else {
                    e.name.clone()
                },
                kind: e.kind.clone(),
                renamed_from: renamed.then(|| e.name.clone()),
                skipped: false,
                own_source,
            });
            continue;
        }
        let skipped = skip.contains(g.source_id.as_str());
        let name = free_name(&g.name, &mut names);
        let id = GroupId::new();
        resolved.insert(g.source_id.clone(), (id, true, !skipped));
        plan.new_groups.push(PlannedGroup {
            id,
            source_id: g.source_id.clone(),
            name,
            kind,
            renamed_from: None,
            skipped,
            own_source: true,
        });
    }
    // Tables name their groups and are imported one account type at a time: a group
    // missing from one table is not expired.
    let in_file: HashSet<&str> = data.groups.iter().map(|g| g.source_id.as_str()).collect();
    for (sid, g) in own {
        if data.source != Source::Csv && !in_file.contains(sid) {
            plan.expired_groups.push(PlannedGroup {
                id: g.id,
                source_id: sid.to_owned(),
                name: g.name.clone(),
                kind: g.kind.clone(),
                renamed_from: None,
                skipped: false,
                own_source: true,
            });
        }
    }
    plan.expired_groups.sort_by(|a, b| a.name.cmp(&b.name));
    resolved
}

fn key(name: &str) -> String {
    schulhof_store::groups::name_key(name)
}

/// `name`, or `name (2)`, `name (3)` … when a group of another source has it already.
fn free_name(name: &str, taken: &mut HashSet<String>) -> String {
    let mut candidate = name.to_owned();
    let mut n = 2;
    while taken.contains(&key(&candidate)) {
        candidate = format!("{name} ({n})");
        n += 1;
    }
    taken.insert(key(&candidate));
    candidate
}
