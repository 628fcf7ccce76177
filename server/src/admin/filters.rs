//! The admin templates' filters (tera's built-in ones are not compiled in): times as
//! Vietnamese readers write them, in Vietnam's time zone; short commit ids; URL encoding.

use std::collections::HashMap;

use tera::{Result, Value};

/// Vietnam's offset from UTC (no daylight saving).
const VIETNAM: i32 = 7 * 3600;

/// `{{ epoch_seconds | vn_time }}` → `14:05 07/12/2026` (Vietnam time).
pub fn vn_time(v: &Value, _: &HashMap<String, Value>) -> Result<Value> {
    let secs = v
        .as_i64()
        .ok_or_else(|| tera::Error::msg("vn_time needs seconds"))?;
    Ok(Value::String(vn_time_text(secs)))
}

/// The text of [`vn_time`].
pub fn vn_time_text(secs: i64) -> String {
    let offset = chrono::FixedOffset::east_opt(VIETNAM);
    match (chrono::DateTime::from_timestamp(secs, 0), offset) {
        (Some(t), Some(offset)) => t
            .with_timezone(&offset)
            .format("%H:%M %d/%m/%Y")
            .to_string(),
        _ => String::new(),
    }
}

/// `{{ epoch_seconds | iso_time }}` → `2026-12-07T07:05:00Z`, for `<time datetime>`.
pub fn iso_time(v: &Value, _: &HashMap<String, Value>) -> Result<Value> {
    let secs = v
        .as_i64()
        .ok_or_else(|| tera::Error::msg("iso_time needs seconds"))?;
    let text = chrono::DateTime::from_timestamp(secs, 0)
        .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default();
    Ok(Value::String(text))
}

/// `{{ commit | short }}`: the first 10 characters.
pub fn short(v: &Value, _: &HashMap<String, Value>) -> Result<Value> {
    let s = v.as_str().unwrap_or_default();
    Ok(Value::String(s.chars().take(10).collect()))
}

/// `{{ text | urlencode_strict }}`: every byte but letters and digits percent-encoded.
pub fn urlencode_strict(v: &Value, _: &HashMap<String, Value>) -> Result<Value> {
    let s = v.as_str().unwrap_or_default();
    Ok(Value::String(
        percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string(),
    ))
}

/// Registers the filters on `tera`.
pub fn register(tera: &mut tera::Tera) {
    tera.register_filter("vn_time", vn_time);
    tera.register_filter("iso_time", iso_time);
    tera.register_filter("short", short);
    tera.register_filter("urlencode_strict", urlencode_strict);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_written_in_vietnam_time() {
        // 2026-12-07 07:05 UTC is 14:05 in Hà Nội.
        assert_eq!(vn_time_text(1_796_627_100), "14:05 07/12/2026");
    }
}
