//! The few numeric conversions that `From`/`TryFrom` cannot express.
//!
//! `as` is linted (`clippy::as_conversions`) because it wraps and truncates silently.
//! Everything else converts with `From`, or `TryFrom` with an explicit fallback at the
//! call site; these helpers are the deliberate casts, each named for what it does.

/// `usize` to `u64`, lossless: `usize` is at most 64 bits on every target Rust supports
/// (wasm32 and x86_64 here), but std offers no `From` for it.
#[allow(clippy::as_conversions)]
pub const fn usize_to_u64(value: usize) -> u64 {
    value as u64
}

/// `i64` to `f64`, for ratio arithmetic on times and counts and for JavaScript numbers.
/// Exact for magnitudes below 2^53 (every millisecond timestamp for 285,000 years);
/// beyond that it rounds to the nearest `f64`, which is what such arithmetic wants.
#[allow(clippy::as_conversions)]
pub const fn i64_to_f64(value: i64) -> f64 {
    value as f64
}

/// `f64` to `i64`, truncating toward zero and saturating at `i64::MIN`/`i64::MAX`; NaN
/// becomes 0 (Rust's float-to-int semantics). For values already rounded or range-checked
/// by the caller: JavaScript's clock, D1's numbers, rate-limit waits.
#[allow(clippy::as_conversions)]
pub const fn f64_to_i64_saturating(value: f64) -> i64 {
    value as i64
}

/// The low 8 bits of `value`: a deliberate truncation, for picking symbols from bit fields.
#[allow(clippy::as_conversions)]
pub const fn low_byte(value: u64) -> u8 {
    value as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions_keep_their_documented_semantics() {
        assert_eq!(usize_to_u64(usize::MAX), u64::try_from(usize::MAX).unwrap());
        assert_eq!(i64_to_f64(1 << 53), 9_007_199_254_740_992.0);
        assert_eq!(f64_to_i64_saturating(-2.9), -2);
        assert_eq!(f64_to_i64_saturating(1e300), i64::MAX);
        assert_eq!(f64_to_i64_saturating(f64::NAN), 0);
        assert_eq!(low_byte(0x1_2345), 0x45);
    }
}
