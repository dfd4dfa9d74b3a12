//! The pupils' consent flags `EinwilligungAudiokonferenz` / `EinwilligungVideokonferenz`.
//! SVWS stores them as 0/1 columns and its API writes booleans, so both read; anything
//! else is a problem of that pupil's row, reported with the row's path and the value.

use serde_json::Value;

/// `true`/`false`, `1`/`0`, the same as text; `null` or missing: the file says nothing.
pub(super) fn flag(v: Option<&Value>) -> Result<Option<bool>, String> {
    let Some(v) = v else {
        return Ok(None);
    };
    match v {
        Value::Null => Ok(None),
        Value::Bool(b) => Ok(Some(*b)),
        Value::Number(n) if n.as_i64() == Some(1) => Ok(Some(true)),
        Value::Number(n) if n.as_i64() == Some(0) => Ok(Some(false)),
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "1" | "true" => Ok(Some(true)),
            "0" | "false" => Ok(Some(false)),
            "" => Ok(None),
            _ => Err(v.to_string()),
        },
        _ => Err(v.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::flag;
    use serde_json::json;

    #[test]
    fn flags_read_as_svws_writes_them() {
        for (v, want) in [
            (json!(true), Some(true)),
            (json!(0), Some(false)),
            (json!(1), Some(true)),
            (json!("1"), Some(true)),
            (json!("false"), Some(false)),
            (json!(null), None),
        ] {
            assert_eq!(flag(Some(&v)), Ok(want), "{v}");
        }
        assert_eq!(flag(None), Ok(None));
        for bad in [json!(2), json!("ja"), json!([1]), json!(0.5)] {
            assert_eq!(flag(Some(&bad)), Err(bad.to_string()));
        }
    }
}
