use jiff::civil::{Date, date};

use super::{State, compute, describe, today};
use crate::config::FailOn;
use crate::content::ReviewInterval::{self, Days, Months, Never};

const WINDOW: ReviewInterval = Days(14);

fn state(last: Option<Date>, interval: ReviewInterval, today: Date) -> (State, Option<Date>, Option<i64>) {
    let f = compute(last, interval, WINDOW, None, today);
    (f.state, f.due, f.days_overdue)
}

/// name, last_verified, interval, today → state, due date, days overdue.
type Case = (&'static str, Option<Date>, ReviewInterval, Date, State, Option<Date>, Option<i64>);

#[test]
fn states_at_the_boundaries() {
    let d = date;
    #[rustfmt::skip]
    let cases: &[Case] = &[
        ("verified today",              Some(d(2026, 3, 1)), Days(90), d(2026, 3, 1),  State::Fresh,      Some(d(2026, 5, 30)), Some(-90)),
        ("one day before the window",   Some(d(2026, 1, 1)), Days(30), d(2026, 1, 16), State::Fresh,      Some(d(2026, 1, 31)), Some(-15)),
        ("first day of the window",     Some(d(2026, 1, 1)), Days(30), d(2026, 1, 17), State::DueSoon,    Some(d(2026, 1, 31)), Some(-14)),
        ("due tomorrow",                Some(d(2026, 1, 1)), Days(30), d(2026, 1, 30), State::DueSoon,    Some(d(2026, 1, 31)), Some(-1)),
        ("due today",                   Some(d(2026, 1, 1)), Days(30), d(2026, 1, 31), State::DueSoon,    Some(d(2026, 1, 31)), Some(0)),
        ("one day past due",            Some(d(2026, 1, 1)), Days(30), d(2026, 2, 1),  State::Stale,      Some(d(2026, 1, 31)), Some(1)),
        ("leap day counts",             Some(d(2024, 2, 1)), Days(30), d(2024, 3, 2),  State::DueSoon,    Some(d(2024, 3, 2)), Some(0)),
        ("months clamp in a leap year", Some(d(2024, 1, 31)), Months(1), d(2024, 2, 29), State::DueSoon,  Some(d(2024, 2, 29)), Some(0)),
        ("months clamp otherwise",      Some(d(2025, 1, 31)), Months(1), d(2025, 3, 1), State::Stale,     Some(d(2025, 2, 28)), Some(1)),
        ("a year from a leap day",      Some(d(2024, 2, 29)), Months(12), d(2025, 3, 1), State::Stale,    Some(d(2025, 2, 28)), Some(1)),
        ("six months",                  Some(d(2025, 9, 1)), Months(6), d(2026, 2, 15), State::DueSoon,   Some(d(2026, 3, 1)), Some(-14)),
        ("no date",                     None,                Days(90), d(2026, 3, 1),  State::Unverified, None,                 None),
        ("never",                       Some(d(2020, 1, 1)), Never,    d(2026, 3, 1),  State::Exempt,     None,                 None),
        ("never, no date",              None,                Never,    d(2026, 3, 1),  State::Exempt,     None,                 None),
    ];
    for (name, last, interval, today, want, due, overdue) in cases {
        let got = state(*last, *interval, *today);
        // 2024-02-01 + 30 days is 2024-03-02 because February 2024 has 29 days.
        assert_eq!(got, (*want, *due, *overdue), "{name}");
    }
}

#[test]
fn outdated_is_stale_whatever_the_date() {
    let f = compute(Some(date(2026, 2, 28)), Days(90), WINDOW, Some("uses the old VPN"), date(2026, 3, 1));
    assert_eq!(f.state, State::Stale);
    assert_eq!(f.outdated.as_deref(), Some("uses the old VPN"));
    let f = compute(None, Never, WINDOW, Some(""), date(2026, 3, 1));
    assert_eq!(f.state, State::Stale);
}

#[test]
fn fail_on_levels() {
    #[rustfmt::skip]
    let cases: &[(FailOn, bool, [bool; 5])] = &[
        //                         stale  due    unver  fresh  exempt
        (FailOn::Never,      false, [false, false, false, false, false]),
        (FailOn::Stale,      false, [true,  false, false, false, false]),
        (FailOn::Stale,      true,  [true,  false, true,  false, false]),
        (FailOn::Unverified, false, [true,  false, true,  false, false]),
        (FailOn::DueSoon,    false, [true,  true,  false, false, false]),
        (FailOn::DueSoon,    true,  [true,  true,  true,  false, false]),
    ];
    for (fail_on, unverified_is_stale, want) in cases {
        let got = State::ALL.map(|s| s.fails(*fail_on, *unverified_is_stale));
        assert_eq!(&got, want, "{fail_on:?} unverified-is-stale={unverified_is_stale}");
    }
}

#[test]
fn intervals_read_naturally() {
    let cases = [
        (Days(1), "1 day"),
        (Days(14), "2 weeks"),
        (Days(90), "90 days"),
        (Days(91), "91 days"),
        (Months(1), "1 month"),
        (Months(6), "6 months"),
        (Months(12), "1 year"),
        (Months(24), "2 years"),
        (Never, "never"),
    ];
    for (interval, want) in cases {
        assert_eq!(describe(interval), want);
    }
}

#[test]
fn today_flag_wins_and_bad_dates_are_usage_errors() {
    assert_eq!(today(Some("2024-02-29")).unwrap(), date(2024, 2, 29));
    let err = today(Some("2025-02-29")).unwrap_err().to_string();
    assert_eq!(
        err,
        "`--today` is not a date: `2025-02-29`\n  = hint: write it as YYYY-MM-DD, e.g. `2026-03-31`"
    );
}
