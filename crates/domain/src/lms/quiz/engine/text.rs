//! Comparing typed answers: spaces evened out, case folded on request, numbers with a
//! decimal comma.

/// `s` trimmed, with every run of white space as one space, lower-cased unless
/// `case_sensitive`.
fn normalized(s: &str, case_sensitive: bool) -> String {
    let joined = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if case_sensitive {
        joined
    } else {
        joined.to_lowercase()
    }
}

/// Whether a typed answer equals an accepted one (never for an empty answer).
pub fn same_text(typed: &str, accepted: &str, case_sensitive: bool) -> bool {
    let t = normalized(typed, case_sensitive);
    !t.is_empty() && t == normalized(accepted, case_sensitive)
}

/// A number as people at German schools type it: "3,5", "3.5", "-0,25", "1.000,5",
/// "1 000", "+2". `None` for anything else (also infinities and NaN).
pub fn parse_number(s: &str) -> Option<f64> {
    let compact: String = s
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{202f}' && *c != '\'')
        .map(|c| if c == '\u{2212}' { '-' } else { c })
        .collect();
    if compact.is_empty() || compact.len() > 64 {
        return None;
    }
    let commas = compact.matches(',').count();
    let dots = compact.matches('.').count();
    let plain = match (commas, dots) {
        (0, _) if dots <= 1 => compact,
        // "1.000" with several dots: thousands separators.
        (0, _) => compact.replace('.', ""),
        (1, _) => compact.replace('.', "").replace(',', "."),
        _ => return None,
    };
    let ok = plain
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'e' | 'E'));
    if !ok {
        return None;
    }
    plain.parse::<f64>().ok().filter(|v| v.is_finite())
}
