//! The emulator's clock: wall-clock time plus an offset a test can move, so
//! everything that DynamoDB does over time (status transitions, TTL expiry,
//! stream retention, iterator expiry, token lifetimes) can be rehearsed at once.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// Wall-clock time plus an offset a test can move forward.
#[derive(Default)]
pub struct Clock {
    offset_millis: AtomicI64,
}

impl Clock {
    pub fn now_millis(&self) -> i64 {
        wall_millis() + self.offset_millis.load(Ordering::Relaxed)
    }

    /// Seconds since the epoch with millisecond precision, as DynamoDB's timestamps.
    pub fn now_seconds(&self) -> f64 {
        self.now_millis() as f64 / 1000.0
    }

    pub fn advance_millis(&self, millis: i64) {
        self.offset_millis.fetch_add(millis, Ordering::Relaxed);
    }

    /// Moves the clock so that now is `millis` since the epoch (it keeps running from there).
    pub fn set_millis(&self, millis: i64) {
        self.offset_millis.store(millis - wall_millis(), Ordering::Relaxed);
    }

    pub fn advance(&self, by: std::time::Duration) {
        self.advance_millis(by.as_millis().min(i64::MAX as u128) as i64);
    }

    /// How far this clock is from real time.
    pub fn offset_millis(&self) -> i64 {
        self.offset_millis.load(Ordering::Relaxed)
    }

    /// Back to real time.
    pub fn reset(&self) {
        self.offset_millis.store(0, Ordering::Relaxed);
    }

    /// Now as an HTTP date (`Sat, 05 Dec 2026 04:00:57 GMT`), for the `Date`
    /// header: clients that correct their clock by it (the AWS SDKs) then sign
    /// with the emulator's time, as they do with DynamoDB's.
    pub fn http_date(&self) -> String {
        const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
        const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
        let millis = self.now_millis();
        let (days, ms_of_day) = (millis.div_euclid(86_400_000), millis.rem_euclid(86_400_000));
        let (y, m, d) = civil_from_days(days);
        let (h, min, s) = (ms_of_day / 3_600_000, ms_of_day / 60_000 % 60, ms_of_day / 1000 % 60);
        let weekday = DAYS[days.rem_euclid(7) as usize];
        let month = MONTHS[(m - 1).clamp(0, 11) as usize];
        format!("{weekday}, {d:02} {month} {y:04} {h:02}:{min:02}:{s:02} GMT")
    }

    /// A stream label (ISO-8601 local time with milliseconds) for a timestamp.
    pub fn stream_label(&self, seconds: f64) -> String {
        let millis = (seconds * 1000.0) as i64;
        let (days, ms_of_day) = (millis.div_euclid(86_400_000), millis.rem_euclid(86_400_000));
        let (y, m, d) = civil_from_days(days);
        let (h, min, s, ms) = (ms_of_day / 3_600_000, ms_of_day / 60_000 % 60, ms_of_day / 1000 % 60, ms_of_day % 1000);
        format!("{y:04}-{m:02}-{d:02}T{h:02}:{min:02}:{s:02}.{ms:03}")
    }
}

fn wall_millis() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

/// Days since 1970-01-01 to a (year, month, day) date (proleptic Gregorian).
pub(crate) fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + (m <= 2) as i64, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stream_labels_are_iso_dates() {
        assert_eq!(Clock::default().stream_label(1_795_317_293.312), "2026-11-22T03:14:53.312");
        assert_eq!(Clock::default().stream_label(0.0), "1970-01-01T00:00:00.000");
    }

    #[test]
    fn http_dates_name_the_weekday() {
        let clock = Clock::default();
        clock.set_millis(1_796_443_257_000);
        assert_eq!(clock.http_date(), "Sat, 05 Dec 2026 04:00:57 GMT");
        clock.set_millis(0);
        assert_eq!(clock.http_date(), "Thu, 01 Jan 1970 00:00:00 GMT");
    }
}
