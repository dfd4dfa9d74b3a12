//! Small text helpers shared by the readers: cleaning names, reading dates, finding a
//! school year. No regex crate: the patterns are tiny and a hand scan keeps the build lean.

use chrono::NaiveDate;

/// Trims and collapses every run of whitespace to one space ("Anna  Lena\n" → "Anna Lena").
pub(crate) fn clean(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The cleaned value, or `None` if nothing is left.
pub(crate) fn non_empty(s: &str) -> Option<String> {
    let c = clean(s);
    (!c.is_empty()).then_some(c)
}

/// "person X has no first name" / "… no last name" / "… no first and last name".
pub(crate) fn missing_name(who: &str, first: &str, last: &str) -> String {
    let what = match (first.is_empty(), last.is_empty()) {
        (true, false) => "first name",
        (false, true) => "last name",
        _ => "first and last name",
    };
    format!("{who} has no {what}")
}

/// `YYYY-MM-DD`; a time part (`2014-03-09T00:00:00`) is tolerated because some exporters add one.
pub(crate) fn parse_iso_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    let date = match s.split_once('T') {
        Some((d, _)) => d,
        None => s,
    };
    NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()
}

/// `YYYY-MM-DD` or the German `DD.MM.YYYY` that spreadsheets produce.
pub(crate) fn parse_table_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    parse_iso_date(s).or_else(|| {
        let mut parts = s.split('.');
        let (d, m, y) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() || y.len() != 4 {
            return None;
        }
        NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
    })
}

/// Six ASCII digits: the form of an NRW school number.
pub(crate) fn is_school_number(s: &str) -> bool {
    s.len() == 6 && s.bytes().all(|b| b.is_ascii_digit())
}

/// The first `dddd/dd` in `s`, as `2025/26`. A four-digit second year (`2025/2026`) is
/// shortened, because everything downstream uses the short form.
pub(crate) fn find_school_year(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let digits = |from: usize, n: usize| {
        b.get(from..from + n)
            .is_some_and(|d| d.iter().all(u8::is_ascii_digit))
    };
    (0..b.len()).find_map(|i| {
        if !(digits(i, 4) && b.get(i + 4) == Some(&b'/') && digits(i + 5, 2)) {
            return None;
        }
        let first = &s[i..i + 4];
        let second = if digits(i + 5, 4) && is_next_year(first, &s[i + 5..i + 9]) {
            &s[i + 7..i + 9]
        } else {
            &s[i + 5..i + 7]
        };
        Some(format!("{first}/{second}"))
    })
}

fn is_next_year(first: &str, second: &str) -> bool {
    matches!((first.parse::<u32>(), second.parse::<u32>()), (Ok(a), Ok(b)) if b == a + 1)
}

/// `2025` → `2025/26`.
pub(crate) fn school_year_from_start(year: i64) -> String {
    format!("{year}/{:02}", (year + 1).rem_euclid(100))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cleans_names() {
        assert_eq!(clean("  Anna \t Lena\n"), "Anna Lena");
        assert_eq!(non_empty("  "), None);
    }

    #[test]
    fn reads_dates() {
        let d = NaiveDate::from_ymd_opt(2014, 3, 9);
        assert_eq!(parse_iso_date("2014-03-09"), d);
        assert_eq!(parse_iso_date("2014-03-09T00:00:00"), d);
        assert_eq!(parse_table_date("09.03.2014"), d);
        assert_eq!(parse_table_date("9.3.2014"), d);
        assert_eq!(parse_table_date("9.3.14"), None);
        assert_eq!(parse_iso_date("2014-13-09"), None);
        assert_eq!(parse_table_date("31.02.2014"), None);
    }

    #[test]
    fn finds_school_years() {
        assert_eq!(
            find_school_year("Schule (2025/26)").as_deref(),
            Some("2025/26")
        );
        assert_eq!(find_school_year("SJ 2024/2025").as_deref(), Some("2024/25"));
        assert_eq!(find_school_year("2025-08-20"), None);
        assert_eq!(find_school_year("ü2025/2"), None);
        assert_eq!(school_year_from_start(2025), "2025/26");
        assert_eq!(school_year_from_start(2099), "2099/00");
    }
}
