//! Review intervals (`30d`, `6 months`, `never`): parsed from `book.toml` (`[freshness]`) and
//! from front matter (`review_every`), with one parser and one set of messages for both.
//!
//! It lives in `config`, the first stage, so that `config` and `content` both use it without
//! importing each other; `content` re-exports it.

/// How often a page must be re-verified.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewInterval {
    /// Never goes stale.
    Never,
    /// Every N days.
    Days(i64),
    /// Every N calendar months.
    Months(i64),
}

/// The longest review interval lore accepts, in years. Longer ones are typos (and would leave
/// the calendar: jiff dates end in 9999); `never` says "no review" on purpose.
pub const MAX_INTERVAL_YEARS: i64 = 100;

/// Why a review interval was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntervalError {
    /// Not `30d`, `12w`, `6 months`, `1y` or `never`.
    Invalid,
    /// Longer than [`MAX_INTERVAL_YEARS`].
    TooLong,
}

impl IntervalError {
    /// The message for `key = value`, and its hint.
    pub fn describe(self, key: &str, value: &str) -> (String, String) {
        match self {
            Self::Invalid => (
                format!("`{key}` is not an interval: `{value}`"),
                "write e.g. `30d`, `12w`, `6 months`, `1y` or `never`".to_owned(),
            ),
            Self::TooLong => (
                format!("`{key}` is too long: `{value}` (at most {MAX_INTERVAL_YEARS} years)"),
                "write `never` for a page that needs no review".to_owned(),
            ),
        }
    }
}

impl ReviewInterval {
    /// Parses `30d`, `12w`, `6 months`, `1y`, `90 days`, `never`; at most
    /// [`MAX_INTERVAL_YEARS`].
    pub fn parse(s: &str) -> Result<Self, IntervalError> {
        let s = s.trim().to_ascii_lowercase();
        if s == "never" {
            return Ok(Self::Never);
        }
        let digits = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
        if digits == 0 || s[..digits].bytes().all(|b| b == b'0') {
            return Err(IntervalError::Invalid);
        }
        // More digits than any i64 holds is still a number, only a too long one.
        let n: i64 = s[..digits].parse().unwrap_or(i64::MAX);
        let (max_days, max_months) = (MAX_INTERVAL_YEARS * 366, MAX_INTERVAL_YEARS * 12);
        let (interval, within) = match s[digits..].trim() {
            "d" | "day" | "days" => (Self::Days(n), n <= max_days),
            "w" | "week" | "weeks" => (Self::Days(n.saturating_mul(7)), n <= max_days / 7),
            "m" | "mo" | "month" | "months" => (Self::Months(n), n <= max_months),
            "y" | "year" | "years" => (Self::Months(n.saturating_mul(12)), n <= MAX_INTERVAL_YEARS),
            _ => return Err(IntervalError::Invalid),
        };
        if within { Ok(interval) } else { Err(IntervalError::TooLong) }
    }
}

#[cfg(test)]
mod tests {
    use super::IntervalError::{Invalid, TooLong};
    use super::ReviewInterval::{self, Days, Months, Never};

    #[test]
    fn intervals() {
        let cases = [
            ("30d", Ok(Days(30))),
            ("12w", Ok(Days(84))),
            ("6 months", Ok(Months(6))),
            ("1y", Ok(Months(12))),
            ("90 days", Ok(Days(90))),
            ("never", Ok(Never)),
            ("0d", Err(Invalid)),
            ("90 dayz", Err(Invalid)),
            ("d", Err(Invalid)),
            ("-3d", Err(Invalid)),
            ("", Err(Invalid)),
            // Issue 10: at most 100 years, and no overflow on the way.
            ("100y", Ok(Months(1200))),
            ("1200 months", Ok(Months(1200))),
            ("36600d", Ok(Days(36600))),
            ("5228w", Ok(Days(36596))),
            ("101y", Err(TooLong)),
            ("1201m", Err(TooLong)),
            ("36601d", Err(TooLong)),
            ("5229w", Err(TooLong)),
            ("10000000d", Err(TooLong)),
            ("30000y", Err(TooLong)),
            ("2000000000000000000w", Err(TooLong)),
            ("99999999999999999999999 days", Err(TooLong)),
        ];
        for (input, expected) in cases {
            assert_eq!(ReviewInterval::parse(input), expected, "{input}");
        }
    }
}
