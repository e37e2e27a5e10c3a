//! Objectives and error budgets: an objective is a percentage in lore (`99.9`), a window a
//! duration (`30d`), and the error budget the downtime (or the share of bad events) the
//! objective allows over the window, computed here and never typed by hand.

/// The window an SLO without one is measured over (Sloth's default too).
pub const DEFAULT_WINDOW: &str = "30d";

/// Why an objective was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ObjectiveError {
    /// Not a number (`abc`).
    NotANumber,
    /// A number outside (0, 100) once read as a percentage; the percentage, as written.
    OutOfRange(String),
}

impl ObjectiveError {
    /// The message, naming the value as written.
    pub fn message(&self, written: &str) -> String {
        match self {
            ObjectiveError::NotANumber => format!("objective `{written}` is not a number"),
            ObjectiveError::OutOfRange(pct) if pct == written => {
                format!("objective `{written}` is outside (0, 100)")
            }
            ObjectiveError::OutOfRange(pct) => {
                format!("objective `{written}` is {pct} % as a percentage, outside (0, 100)")
            }
        }
    }
}

/// The percentage an objective stands for: `ratio` says it is written as a ratio (OpenSLO's
/// `target: 0.999`), else as a percentage (`99.9`, `99.9%`).
pub fn objective(written: &str, ratio: bool) -> Result<f64, ObjectiveError> {
    let text = written.trim().trim_end_matches('%').trim();
    let value: f64 = text.parse().map_err(|_| ObjectiveError::NotANumber)?;
    if !value.is_finite() {
        return Err(ObjectiveError::NotANumber);
    }
    let pct = if ratio { value * 100.0 } else { value };
    if pct <= 0.0 || pct >= 100.0 {
        return Err(ObjectiveError::OutOfRange(format_percent(pct)));
    }
    Ok(pct)
}

/// A percentage as people write it: `99.9`, `99.95`, `95` (no float noise).
pub fn format_percent(pct: f64) -> String {
    let text = format!("{pct:.6}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    text.to_owned()
}

/// The length of a window (`30d`, `4w`, `1h`, `90m`, `3600s`, `28 days`) in seconds.
pub fn window_seconds(window: &str) -> Option<u64> {
    let text = window.trim();
    let split = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let n: u64 = number.parse().ok().filter(|n| *n > 0)?;
    let unit = match unit.trim().to_ascii_lowercase().as_str() {
        "s" | "sec" | "secs" | "second" | "seconds" => 1,
        "m" | "min" | "mins" | "minute" | "minutes" => 60,
        "h" | "hour" | "hours" => 3600,
        "d" | "day" | "days" => 86_400,
        "w" | "week" | "weeks" => 7 * 86_400,
        _ => return None,
    };
    n.checked_mul(unit)
}

/// A window as shown: `30d` → "30 days", `1h` → "1 hour".
pub fn describe_window(window: &str) -> String {
    let Some(secs) = window_seconds(window) else { return window.to_owned() };
    let plural = |n: u64, unit: &str| if n == 1 { format!("1 {unit}") } else { format!("{n} {unit}s") };
    match secs {
        s if s % 86_400 == 0 => plural(s / 86_400, "day"),
        s if s % 3600 == 0 => plural(s / 3600, "hour"),
        s if s % 60 == 0 => plural(s / 60, "minute"),
        s => plural(s, "second"),
    }
}

/// The downtime `objective` (a percentage) allows over `window`: "43 min 12 s" for 99.9 % over
/// 30 days. `None` when the window cannot be read.
pub fn downtime(objective: f64, window: &str) -> Option<String> {
    let secs = window_seconds(window)?;
    // Computed in millionths of a percent, so 99.9 does not become 99.899999….
    let allowed = ((100.0 - objective) * 1_000_000.0).round();
    #[allow(clippy::cast_precision_loss, clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let budget = (secs as f64 * allowed / 100_000_000.0).round() as u64;
    Some(format_duration(budget))
}

/// The share of events `objective` lets fail: "0.1 %".
pub fn bad_events(objective: f64) -> String {
    format!("{} %", format_percent(((100.0 - objective) * 1_000_000.0).round() / 1_000_000.0))
}

/// Seconds as the two largest units: "43 min 12 s", "4 h 23 min", "1 d 2 h", "36 s".
pub fn format_duration(secs: u64) -> String {
    const UNITS: [(u64, &str); 4] = [(86_400, "d"), (3600, "h"), (60, "min"), (1, "s")];
    if secs == 0 {
        return "0 s".to_owned();
    }
    let Some(first) = UNITS.iter().position(|(size, _)| secs >= *size) else { return "0 s".to_owned() };
    let (size, name) = UNITS[first];
    let mut out = format!("{} {name}", secs / size);
    if let Some((next, next_name)) = UNITS.get(first + 1) {
        let rest = (secs % size) / next;
        if rest > 0 {
            out.push_str(&format!(" {rest} {next_name}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_budgets_over_the_usual_windows() {
        let cases = [
            (99.9, "30d", "43 min 12 s"),
            (99.9, "28d", "40 min 19 s"),
            (99.9, "7d", "10 min 5 s"),
            (99.9, "1h", "4 s"),
            (99.0, "30d", "7 h 12 min"),
            (99.5, "30d", "3 h 36 min"),
            (95.0, "30d", "1 d 12 h"),
            (99.99, "30d", "4 min 19 s"),
            (99.95, "4w", "20 min 10 s"),
            (90.0, "1h", "6 min"),
            (99.0, "1h", "36 s"),
        ];
        for (objective, window, want) in cases {
            assert_eq!(downtime(objective, window).as_deref(), Some(want), "{objective} over {window}");
        }
        assert_eq!(downtime(99.9, "monthly"), None);
    }

    #[test]
    fn durations_show_two_units() {
        assert_eq!(format_duration(2592), "43 min 12 s");
        assert_eq!(format_duration(15_780), "4 h 23 min");
        assert_eq!(format_duration(93_600), "1 d 2 h");
        assert_eq!(format_duration(86_400), "1 d");
        assert_eq!(format_duration(59), "59 s");
        assert_eq!(format_duration(0), "0 s");
    }

    #[test]
    fn objectives_are_percentages_and_ratios_convert() {
        assert_eq!(objective("99.9", false), Ok(99.9));
        assert_eq!(objective("99.9%", false), Ok(99.9));
        assert_eq!(objective("0.999", true), Ok(99.9));
        assert_eq!(objective("0", false), Err(ObjectiveError::OutOfRange("0".to_owned())));
        assert_eq!(objective("100", false), Err(ObjectiveError::OutOfRange("100".to_owned())));
        assert_eq!(objective("150", false), Err(ObjectiveError::OutOfRange("150".to_owned())));
        assert_eq!(objective("99.9", true), Err(ObjectiveError::OutOfRange("9990".to_owned())));
        assert_eq!(objective("abc", false), Err(ObjectiveError::NotANumber));
        assert_eq!(objective("NaN", false), Err(ObjectiveError::NotANumber));
        assert_eq!(objective("inf", false), Err(ObjectiveError::NotANumber));
        assert_eq!(
            ObjectiveError::OutOfRange("9990".to_owned()).message("99.9"),
            "objective `99.9` is 9990 % as a percentage, outside (0, 100)"
        );
        assert_eq!(
            ObjectiveError::OutOfRange("150".to_owned()).message("150"),
            "objective `150` is outside (0, 100)"
        );
    }

    #[test]
    fn windows_and_bad_events() {
        assert_eq!(window_seconds("30d"), Some(2_592_000));
        assert_eq!(window_seconds("28 days"), Some(2_419_200));
        assert_eq!(window_seconds("0d"), None);
        assert_eq!(window_seconds("99999999999999999999d"), None);
        assert_eq!(describe_window("30d"), "30 days");
        assert_eq!(describe_window("1h"), "1 hour");
        assert_eq!(describe_window("2w"), "14 days");
        assert_eq!(bad_events(99.9), "0.1 %");
        assert_eq!(bad_events(99.95), "0.05 %");
    }
}
