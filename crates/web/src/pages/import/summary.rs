//! An import's counts: shown on the preview and the result, and carried through the apply
//! form so the domain can tell whether the data changed since the preview.

use schulhof_domain::import::Summary;

use crate::i18n::Tr;

/// A count of the summary with its label.
pub struct Count {
    pub label: &'static str,
    pub value: u64,
}

/// The summary's counts by name, in the order the pages show them. Destructured, so a new
/// count does not compile until it is listed here.
pub fn summary_pairs(s: &Summary) -> [(&'static str, u64); 14] {
    let Summary {
        created,
        updated,
        unchanged,
        marked_for_deletion,
        unmarked,
        awaiting_deletion,
        skipped_left,
        conflicts,
        groups_created,
        groups_existing,
        groups_expired,
        groups_skipped,
        memberships_added,
        memberships_removed,
    } = *s;
    [
        ("created", created),
        ("updated", updated),
        ("unchanged", unchanged),
        ("marked_for_deletion", marked_for_deletion),
        ("unmarked", unmarked),
        ("awaiting_deletion", awaiting_deletion),
        ("skipped_left", skipped_left),
        ("conflicts", conflicts),
        ("groups_created", groups_created),
        ("groups_existing", groups_existing),
        ("groups_expired", groups_expired),
        ("groups_skipped", groups_skipped),
        ("memberships_added", memberships_added),
        ("memberships_removed", memberships_removed),
    ]
}

/// The summary the apply form carried back, if every count is there.
pub fn summary_from(get: impl Fn(&str) -> Option<u64>) -> Option<Summary> {
    Some(Summary {
        created: get("created")?,
        updated: get("updated")?,
        unchanged: get("unchanged")?,
        marked_for_deletion: get("marked_for_deletion")?,
        unmarked: get("unmarked")?,
        awaiting_deletion: get("awaiting_deletion")?,
        skipped_left: get("skipped_left")?,
        conflicts: get("conflicts")?,
        groups_created: get("groups_created")?,
        groups_existing: get("groups_existing")?,
        groups_expired: get("groups_expired")?,
        groups_skipped: get("groups_skipped")?,
        memberships_added: get("memberships_added")?,
        memberships_removed: get("memberships_removed")?,
    })
}

pub fn counts(tr: Tr, s: &Summary) -> Vec<Count> {
    summary_pairs(s)
        .into_iter()
        .map(|(name, value)| Count {
            label: tr.lookup(&format!("import.count.{name}")).unwrap_or("?"),
            value,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use schulhof_front::Lang;

    #[test]
    fn every_count_has_a_label_and_survives_the_form() {
        let s = Summary {
            created: 1,
            updated: 2,
            memberships_removed: 14,
            ..Summary::default()
        };
        for lang in [Lang::De, Lang::En] {
            assert!(counts(Tr::new(lang), &s).iter().all(|c| c.label != "?"));
        }
        let pairs = summary_pairs(&s);
        let back = summary_from(|n| pairs.iter().find(|(k, _)| *k == n).map(|(_, v)| *v));
        assert_eq!(back, Some(s));
        assert_eq!(summary_from(|_| None), None);
    }
}
