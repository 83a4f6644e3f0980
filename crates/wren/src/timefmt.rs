//! Times as BIRD prints them (UTC, to the millisecond), for the control
//! socket and the log.

use std::time::{SystemTime, UNIX_EPOCH};

/// (year, month, day, hour, minute, second, millisecond) in UTC.
fn civil(t: SystemTime) -> (i64, u32, u32, u32, u32, u32, u32) {
    let d = t.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = i64::try_from(d.as_secs()).unwrap_or(0);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Days to civil date (proleptic Gregorian), after H. Hinnant.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let n = |x: i64| u32::try_from(x).unwrap_or(0);
    (
        year,
        n(month),
        n(day),
        n(rem / 3600),
        n(rem / 60 % 60),
        n(rem % 60),
        d.subsec_millis(),
    )
}

/// `2026-11-23 06:06:18.945`, as `show status` prints times.
pub fn date_time(t: SystemTime) -> String {
    let (y, mo, d, h, mi, s, ms) = civil(t);
    format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}.{ms:03}")
}

/// `06:06:33.284` for today, the date otherwise, as BIRD's `since` column.
/// BIRD's time column: today's time (BIRD 1.x to the second, 2.x to the
/// millisecond), or the date.
pub fn time_of_day(t: SystemTime, seconds: bool) -> String {
    let (y, mo, d, h, mi, s, ms) = civil(t);
    let (ny, nmo, nd, ..) = civil(SystemTime::now());
    if (y, mo, d) == (ny, nmo, nd) && seconds {
        format!("{h:02}:{mi:02}:{s:02}")
    } else if (y, mo, d) == (ny, nmo, nd) {
        format!("{h:02}:{mi:02}:{s:02}.{ms:03}")
    } else {
        format!("{y:04}-{mo:02}-{d:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn civil_dates() {
        let t = UNIX_EPOCH + Duration::from_millis(1_795_413_978_945);
        assert_eq!(date_time(t), "2026-11-23 06:06:18.945");
        assert_eq!(date_time(UNIX_EPOCH), "1970-01-01 00:00:00.000");
        let leap = UNIX_EPOCH + Duration::from_secs(951_782_400); // 2000-02-29
        assert_eq!(date_time(leap), "2000-02-29 00:00:00.000");
    }
}
