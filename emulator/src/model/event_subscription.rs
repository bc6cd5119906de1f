//! Event subscriptions: creating -> active; deleting -> gone.

use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

use super::{Tags, timing};
use crate::ids;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubscriptionStatus {
    Creating,
    Active,
    Deleting,
}

impl SubscriptionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SubscriptionStatus::Creating => "creating",
            SubscriptionStatus::Active => "active",
            SubscriptionStatus::Deleting => "deleting",
        }
    }
}

#[derive(Debug, Clone)]
pub struct EventSubscription {
    pub name: String,
    pub topic_arn: String,
    pub source_type: Option<String>,
    pub source_ids: Vec<String>,
    pub categories: Vec<String>,
    pub enabled: bool,
    pub status: SubscriptionStatus,
    pub since: f64,
    pub created: SystemTime,
    pub tags: Tags,
}

impl EventSubscription {
    pub fn arn(&self) -> String {
        ids::arn("es", &self.name)
    }

    pub fn advance(&mut self, now: f64) {
        if self.status == SubscriptionStatus::Creating
            && now >= self.since + timing::SUBSCRIPTION_CREATE
        {
            self.status = SubscriptionStatus::Active;
            self.since += timing::SUBSCRIPTION_CREATE;
        }
    }

    pub fn gone(&self, now: f64) -> bool {
        self.status == SubscriptionStatus::Deleting
            && now >= self.since + timing::SUBSCRIPTION_DELETE
    }

    pub fn to_json(&self) -> Value {
        let mut v = json!({
            "CustomerAwsId": ids::ACCOUNT,
            "CustSubscriptionId": self.name,
            "SnsTopicArn": self.topic_arn,
            "Status": self.status.as_str(),
            "SubscriptionCreationTime": creation_time_string(self.created),
            "SourceIdsList": self.source_ids,
            "EventCategoriesList": self.categories,
            "Enabled": self.enabled,
        });
        if let Some(t) = &self.source_type {
            v["SourceType"] = json!(t);
        }
        v
    }
}

/// DMS gives this one as a string: `2024-05-01 12:34:56.789`.
fn creation_time_string(t: SystemTime) -> String {
    let d = t.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = d.as_secs() as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, dd) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{dd:02} {:02}:{:02}:{:02}.{:03}",
        rem / 3600,
        (rem / 60) % 60,
        rem % 60,
        d.subsec_millis()
    )
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    #[test]
    fn civil_dates() {
        assert_eq!(super::civil_from_days(0), (1970, 1, 1));
        assert_eq!(super::civil_from_days(19_723), (2024, 1, 1));
        assert_eq!(super::civil_from_days(19_782), (2024, 2, 29));
    }
}
