//! A small, strict RFC 3339 timestamp parser for ABAC time conditions.
//!
//! Accepts `YYYY-MM-DDTHH:MM:SS[.fraction](Z|+hh:mm|-hh:mm)` (RFC 3339 §5.6; `t` and `z`
//! may be lowercase) and returns unix seconds as `f64`, fraction included. Every field is
//! range-checked (month lengths and leap years included) and anything else is refused with
//! `None`, never a panic. A leap second (`:60`) is accepted and counts as the first second
//! of the next minute, as POSIX time has no leap seconds. Fraction digits beyond the ninth
//! are accepted and ignored.

/// Parses an RFC 3339 timestamp into unix seconds (UTC), or `None` if it is not one.
pub fn parse_rfc3339(s: &str) -> Option<f64> {
    let b = s.as_bytes();
    if b.len() < 20 || b.len() > 64 {
        return None;
    }
    let year = digits(b, 0, 4)?;
    let month = digits(b, 5, 2)?;
    let day = digits(b, 8, 2)?;
    let hour = digits(b, 11, 2)?;
    let minute = digits(b, 14, 2)?;
    let second = digits(b, 17, 2)?;
    if b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't') || b[13] != b':' || b[16] != b':' {
        return None;
    }
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let mut pos = 19;
    let mut fraction = 0.0;
    if b.get(pos) == Some(&b'.') {
        pos += 1;
        let start = pos;
        let mut scale = 0.1;
        while let Some(d) = b.get(pos).filter(|c| c.is_ascii_digit()) {
            if pos - start < 9 {
                fraction += f64::from(d - b'0') * scale;
                scale /= 10.0;
            }
            pos += 1;
        }
        if pos == start {
            return None;
        }
    }
    let offset_secs = match b.get(pos..)? {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), _, _, b':', _, _] => {
            let oh = digits(b, pos + 1, 2)?;
            let om = digits(b, pos + 4, 2)?;
            if oh > 23 || om > 59 {
                return None;
            }
            let magnitude = oh * 3600 + om * 60;
            if *sign == b'+' {
                magnitude
            } else {
                -magnitude
            }
        }
        _ => return None,
    };
    let days = days_from_civil(year, month, day);
    let local = days * 86_400 + hour * 3600 + minute * 60 + second;
    // Exact in f64: |local| < 2^53 for every year 0000..=9999.
    Some(crate::cast::i64_to_f64(local - offset_secs) + fraction)
}

/// Reads `len` ASCII digits at `at` as a number.
fn digits(b: &[u8], at: usize, len: usize) -> Option<i64> {
    let field = b.get(at..at.checked_add(len)?)?;
    field.iter().try_fold(0i64, |acc, &c| c.is_ascii_digit().then(|| acc * 10 + i64::from(c - b'0')))
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (year ≥ 0, month 1..=12).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    // Count years from March so that the leap day ends the year.
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let shifted_month = (month + 9) % 12;
    let day_of_year = (153 * shifted_month + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_known_instants() {
        let cases = [
            ("1970-01-01T00:00:00Z", 0.0),
            ("2026-11-28T10:00:00Z", 1_795_860_000.0),
            ("2000-02-29T00:00:00Z", 951_782_400.0),
            ("1969-12-31T23:59:59Z", -1.0),
            ("2026-11-28t10:00:00z", 1_795_860_000.0),
            ("2026-11-28T12:30:00+02:30", 1_795_860_000.0),
            ("2026-11-28T05:00:00-05:00", 1_795_860_000.0),
            ("2026-11-28T10:00:00+00:00", 1_795_860_000.0),
            ("2026-11-28T10:00:00.5Z", 1_795_860_000.5),
            ("2026-11-28T10:00:00.250000000Z", 1_795_860_000.25),
            ("2026-11-28T10:00:00.1234567891234Z", 1_795_860_000.123_457),
            ("2016-12-31T23:59:60Z", 1_483_228_800.0),
            ("0000-01-01T00:00:00Z", -62_167_219_200.0),
            ("9999-12-31T23:59:59Z", 253_402_300_799.0),
        ];
        for (input, want) in cases {
            let got = parse_rfc3339(input).unwrap_or(f64::NAN);
            assert!((got - want).abs() < 1e-6, "{input}: got {got}, want {want}");
        }
    }

    #[test]
    fn refuses_malformed_timestamps() {
        for input in [
            "",
            "2026-11-28",
            "2026-11-28T10:00:00",
            "2026-11-28 10:00:00Z",
            "2026-13-01T00:00:00Z",
            "2026-00-01T00:00:00Z",
            "2026-02-29T00:00:00Z",
            "1900-02-29T00:00:00Z",
            "2026-04-31T00:00:00Z",
            "2026-11-00T00:00:00Z",
            "2026-11-28T24:00:00Z",
            "2026-11-28T10:60:00Z",
            "2026-11-28T10:00:61Z",
            "2026-11-28T10:00:00.Z",
            "2026-11-28T10:00:00+24:00",
            "2026-11-28T10:00:00+02:60",
            "2026-11-28T10:00:00+0200",
            "2026-11-28T10:00:00+02:00x",
            "2026-11-28T10:00:00ZZ",
            "+2026-11-28T10:00:00Z",
            "2026/11/28T10:00:00Z",
            "２026-11-28T10:00:00Z",
            "2026-11-28T10:00:00Z\u{0}",
            "1798860000",
        ] {
            assert_eq!(parse_rfc3339(input), None, "{input:?}");
        }
        assert_eq!(parse_rfc3339(&format!("2026-11-28T10:00:00.{}Z", "1".repeat(60))), None);
    }

    #[test]
    fn civil_days_agree_with_a_day_by_day_count() {
        let mut days = 0i64;
        for year in 1970..2100 {
            for month in 1..=12 {
                for day in 1..=days_in_month(year, month) {
                    assert_eq!(days_from_civil(year, month, day), days, "{year}-{month}-{day}");
                    days += 1;
                }
            }
        }
    }
}
