//! Every right of the matrix is either read by the policy or listed, with its reason, in
//! `matrix::NOT_IN_POLICY`. A right that is granted but read nowhere would silently do
//! nothing (as safe.common.* and groups.read_students once did).

use std::path::Path;

use schulhof_authz::matrix::NOT_IN_POLICY;
use schulhof_types::RightId;

/// The policy's sources (every `.rs` below `src`) without the matrix itself and without
/// unit tests.
fn policy_source(dir: &Path, all: &mut String) {
    for entry in std::fs::read_dir(dir).expect("authz sources") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            policy_source(&path, all);
        } else if path.extension().is_some_and(|e| e == "rs")
            && path.file_name().is_none_or(|n| n != "matrix.rs")
        {
            let text = std::fs::read_to_string(&path).expect("source");
            all.push_str(text.split("#[cfg(test)]").next().unwrap_or(""));
        }
    }
}

#[test]
fn every_right_is_enforced_by_the_policy_or_listed_with_a_reason() {
    let mut src = String::new();
    policy_source(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut src);
    let mut problems = Vec::new();
    for right in RightId::ALL {
        // `RightId::X`, a right named in `own_account_action!` (`=> X;`), or its id.
        let read = src.contains(&format!("RightId::{right:?}"))
            || src.contains(&format!("=> {right:?};"))
            || src.contains(&format!("\"{}\"", right.as_str()));
        let listed = NOT_IN_POLICY.iter().find(|(r, _)| r == right);
        match (read, listed) {
            (true, Some(_)) => problems.push(format!(
                "{right} is read by the policy but still listed as not enforced"
            )),
            (false, None) => problems.push(format!(
                "{right} is read nowhere in the policy: enforce it or list it with a reason"
            )),
            (false, Some((_, why))) if why.trim().is_empty() => {
                problems.push(format!("{right} is listed without a reason"))
            }
            _ => {}
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
