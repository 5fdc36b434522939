//! The date shapes bloggers write, from Jekyll, Hugo and Zola front matter and file names.

use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;
use jiff::{Timestamp, ZonedDateTime};

/// Shapes with an offset, tried in order after `T` is read as a space.
const WITH_OFFSET: &[&str] = &[
    "%Y-%m-%d %H:%M:%S%.f %z",
    "%Y-%m-%d %H:%M:%S%.f %:z",
    "%Y-%m-%d %H:%M:%S%.f%z",
    "%Y-%m-%d %H:%M:%S%.f%:z",
    "%Y-%m-%d %H:%M %z",
    "%Y-%m-%d %H:%M %:z",
    "%Y-%m-%d %H:%M%z",
    "%Y-%m-%d %H:%M%:z",
];
/// Shapes without one: they are placed in the site's time zone.
const CIVIL: &[&str] = &["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%d %H:%M", "%Y-%m-%d"];

/// Parses a front-matter date in any shape SPEC lists. A date without an offset is a wall-clock
/// time in `tz` (the site's `timezone`); the result is always expressed in `tz`, because
/// permalinks and pages show the site's local date.
pub fn parse(text: &str, tz: &TimeZone) -> Option<ZonedDateTime> {
    let text = text.trim();
    if text.len() < 10 || !text.is_ascii() {
        return None;
    }
    if let Ok(timestamp) = text.parse::<Timestamp>() {
        return Some(timestamp.to_zoned_datetime(tz.clone()));
    }
    let normalized = normalize(text);
    for format in WITH_OFFSET {
        if let Ok(zoned) = jiff::fmt::strtime::parse(format, &normalized).and_then(|t| t.to_timestamp()) {
            return Some(zoned.to_zoned_datetime(tz.clone()));
        }
    }
    for format in CIVIL {
        let Ok(parsed) = jiff::fmt::strtime::parse(format, &normalized) else { continue };
        let datetime = match parsed.to_datetime() {
            Ok(datetime) => datetime,
            Err(_) => match parsed.to_date() {
                Ok(date) => date.to_datetime(jiff::civil::Time::midnight()),
                Err(_) => continue,
            },
        };
        return datetime.to_zoned_datetime(tz.clone()).ok();
    }
    None
}

/// `T` to a space, `Z` to `+0000`, and a single-digit hour padded (`9:05` -> `09:05`), so one
/// list of formats serves every spelling.
fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 4);
    let (date, rest) = text.split_at(10);
    out.push_str(date);
    let rest = rest.trim_start_matches(['T', ' ', 't']);
    if rest.is_empty() {
        return out;
    }
    out.push(' ');
    let rest = match rest.find(':') {
        Some(1) => format!("0{rest}"),
        _ => rest.to_owned(),
    };
    let rest = match rest.strip_suffix(['Z', 'z']) {
        Some(time) => format!("{} +0000", time.trim_end()),
        None => rest,
    };
    out.push_str(&rest);
    out
}

/// A Jekyll file name `2018-02-13-slug.md` gives the date and the rest of the stem as the slug.
pub fn from_file_stem(stem: &str) -> Option<(Date, &str)> {
    let date_part = stem.get(..10)?;
    let rest = stem.get(10..)?;
    let slug = rest.strip_prefix('-').filter(|s| !s.is_empty())?;
    let date: Date = date_part.parse().ok()?;
    Some((date, slug))
}

/// Midnight of a file-name date in the site's zone.
pub fn start_of_day(date: Date, tz: &TimeZone) -> Option<ZonedDateTime> {
    date.to_datetime(jiff::civil::Time::midnight()).to_zoned_datetime(tz.clone()).ok()
}

/// `--as-of 2018-02-20` means the end of that day in the site's zone; a full timestamp is taken
/// as it is.
pub fn parse_as_of(text: &str, tz: &TimeZone) -> Option<Timestamp> {
    let text = text.trim();
    if let Ok(date) = text.parse::<Date>() {
        let end = DateTime::from(date.tomorrow().ok()?).to_zoned_datetime(tz.clone()).ok()?;
        return Some(end.timestamp() - jiff::SignedDuration::from_nanos(1));
    }
    parse(text, tz).map(|zoned| zoned.timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> String {
        parse(text, &TimeZone::UTC).map(|z| z.timestamp().to_string()).unwrap_or_else(|| "none".into())
    }

    #[test]
    fn every_spec_shape_parses() {
        assert_eq!(utc("2018-02-13"), "2018-02-13T00:00:00Z");
        assert_eq!(utc("2018-02-13T10:00:00-05:00"), "2018-02-13T15:00:00Z");
        assert_eq!(utc("2018-02-13 10:00:00 -0500"), "2018-02-13T15:00:00Z");
        assert_eq!(utc("2018-02-13 10:00"), "2018-02-13T10:00:00Z");
        assert_eq!(utc("2018-02-13 9:05:00 +0000"), "2018-02-13T09:05:00Z");
        assert_eq!(utc("2013-06-27 11:00:01 +0000"), "2013-06-27T11:00:01Z");
        assert_eq!(utc("2018-02-13T10:00:00Z"), "2018-02-13T10:00:00Z");
        assert_eq!(utc("2018-02-13T10:00:00"), "2018-02-13T10:00:00Z");
        assert_eq!(utc("2018-02-13 10:00:00.5 +01:00"), "2018-02-13T09:00:00.5Z");
    }

    #[test]
    fn dates_without_offset_are_in_the_site_zone() {
        let tz = TimeZone::get("America/New_York").unwrap();
        let zoned = parse("2018-02-13 10:00", &tz).unwrap();
        assert_eq!(zoned.timestamp().to_string(), "2018-02-13T15:00:00Z");
        let zoned = parse("2018-02-13", &tz).unwrap();
        assert_eq!(zoned.timestamp().to_string(), "2018-02-13T05:00:00Z");
        // An explicit offset wins, but the date is shown in the site's zone.
        let zoned = parse("2018-02-14T02:00:00+00:00", &tz).unwrap();
        assert_eq!(zoned.date().to_string(), "2018-02-13");
    }

    #[test]
    fn nonsense_is_rejected() {
        for bad in
            ["yesterday", "13/02/2018", "2018-02-30", "2018-13-01", "2018", "", "2018-02-13 25:00", "２０１８-02-13"]
        {
            assert_eq!(utc(bad), "none", "{bad}");
        }
    }

    #[test]
    fn jekyll_file_names() {
        let (date, slug) = from_file_stem("2018-02-13-hello-world").unwrap();
        assert_eq!(date.to_string(), "2018-02-13");
        assert_eq!(slug, "hello-world");
        assert!(from_file_stem("hello-world").is_none());
        assert!(from_file_stem("2018-02-13").is_none());
        assert!(from_file_stem("2018-02-31-x").is_none());
    }

    #[test]
    fn as_of_a_day_is_its_end() {
        let tz = TimeZone::get("Europe/Berlin").unwrap();
        let end = parse_as_of("2018-02-20", &tz).unwrap();
        assert_eq!(end.to_string(), "2018-02-20T22:59:59.999999999Z");
        assert!(parse_as_of("2018-02-20T10:00:00Z", &tz).is_some());
        assert!(parse_as_of("soon", &tz).is_none());
    }
}
