//! What the deployed stack lets a spec name, checked before anything is created.
//!
//! The template grants the create and assess functions `iam:PassRole` only on
//! roles under `SecretAccessRolePath` (and the stack's own assessment role), and lets alarms and the notify function reach only the
//! stack's alert topic and topics named `RunTopicPrefix*` in the stack's account and
//! region. A spec outside those bounds would fail later with `AccessDenied`, after
//! the subnet group and instance exist; here it fails at once, naming the field and
//! the fix. The bounds come from the validate function's environment; a bound that is
//! not set (an offline check) is not checked.

use super::MigrationSpec;
use super::parse::SpecProblem;

/// The stack's bounds, as the template sets them in the validate function's
/// environment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StackBounds {
    /// The stack's alert topic (`DMSFLOW_ALERT_TOPIC_ARN`): the default topic of a
    /// spec that names none.
    pub alert_topic: Option<String>,
    /// `RunTopicPrefix` (`DMSFLOW_RUN_TOPIC_PREFIX`).
    pub run_topic_prefix: Option<String>,
    /// `SecretAccessRolePath` (`DMSFLOW_SECRET_ACCESS_ROLE_PATH`), such as `/dmsflow-dms/`.
    pub secret_access_role_path: Option<String>,
}

impl StackBounds {
    /// The bounds from environment variables, as `var` reads them (empty = not set).
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Self {
        let read = |name: &str| var(name).filter(|v| !v.trim().is_empty());
        Self {
            alert_topic: read("DMSFLOW_ALERT_TOPIC_ARN"),
            run_topic_prefix: read("DMSFLOW_RUN_TOPIC_PREFIX"),
            secret_access_role_path: read("DMSFLOW_SECRET_ACCESS_ROLE_PATH"),
        }
    }

    /// Only the stack's alert topic: what tests and offline checks that do not
    /// model the other bounds need.
    pub fn alert_topic_only(topic: Option<&str>) -> Self {
        Self {
            alert_topic: topic.map(str::to_string),
            ..Self::default()
        }
    }
}

/// Every way `spec` leaves the stack's bounds.
pub fn check(spec: &MigrationSpec, bounds: &StackBounds) -> Vec<SpecProblem> {
    let mut problems = Vec::new();
    if let Some(path) = &bounds.secret_access_role_path {
        let roles = [
            (
                "source.secret_access_role_arn",
                Some(&spec.source.secret_access_role_arn),
            ),
            (
                "target.secret_access_role_arn",
                Some(&spec.target.secret_access_role_arn),
            ),
            ("assessment.role_arn", spec.assessment.role_arn.as_ref()),
        ];
        for (field, arn) in roles {
            let Some(arn) = arn else { continue };
            if !role_path(arn).is_some_and(|p| p.starts_with(path.as_str())) {
                problems.push(SpecProblem::new(
                    field,
                    format!(
                        "`{arn}` is not under the IAM path `{path}`, the only roles this stack may pass to DMS (its SecretAccessRolePath)"
                    ),
                    format!(
                        "create the role with `aws iam create-role --path {path} ...` and name it here, or deploy the stack with SecretAccessRolePath set to the role's path"
                    ),
                ));
            }
        }
    }
    if let (Some(topic), Some(prefix), Some(alert)) = (
        &spec.notifications.sns_topic_arn,
        &bounds.run_topic_prefix,
        &bounds.alert_topic,
    ) && topic != alert
        && !is_run_topic(topic, prefix, alert)
    {
        problems.push(SpecProblem::new(
            "notifications.sns_topic_arn",
            format!(
                "`{topic}` is neither the stack's alert topic nor a topic named `{prefix}*` in the stack's account and region, so no alert or alarm of this stack could reach it"
            ),
            format!(
                "name a topic `{prefix}...` in the stack's account and region, leave the field out to use the stack's alert topic ({alert}), or deploy with RunTopicPrefix set to match"
            ),
        ));
    }
    problems
}

/// The path of a role ARN: `/` for `role/name`, `/a/b/` for `role/a/b/name`.
fn role_path(arn: &str) -> Option<String> {
    let resource = arn.splitn(6, ':').nth(5)?;
    let rest = resource.strip_prefix("role/")?;
    let path = match rest.rfind('/') {
        Some(end) => format!("/{}", &rest[..=end]),
        None => "/".to_string(),
    };
    Some(path)
}

/// A topic `prefix*` in the alert topic's partition, region and account: where the
/// template lets the stack publish besides the alert topic.
fn is_run_topic(topic: &str, prefix: &str, alert: &str) -> bool {
    let parts = |arn: &str| arn.splitn(6, ':').map(str::to_string).collect::<Vec<_>>();
    let (topic, alert) = (parts(topic), parts(alert));
    topic.len() == 6 && alert.len() == 6 && topic[..5] == alert[..5] && topic[5].starts_with(prefix)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_role_arn_has_the_path_iam_gives_it() {
        assert_eq!(
            role_path("arn:aws:iam::123456789012:role/x").as_deref(),
            Some("/")
        );
        assert_eq!(
            role_path("arn:aws:iam::123456789012:role/dmsflow-dms/team/x").as_deref(),
            Some("/dmsflow-dms/team/")
        );
        assert_eq!(role_path("arn:aws:iam::123456789012:user/x"), None);
    }

    #[test]
    fn a_run_topic_is_in_the_alert_topics_account_and_region() {
        let alert = "arn:aws:sns:eu-west-1:123456789012:stack-AlertTopic-1";
        assert!(is_run_topic(
            "arn:aws:sns:eu-west-1:123456789012:dmsflow-orders",
            "dmsflow-",
            alert
        ));
        assert!(!is_run_topic(
            "arn:aws:sns:eu-west-1:123456789012:orders",
            "dmsflow-",
            alert
        ));
        assert!(!is_run_topic(
            "arn:aws:sns:us-east-1:123456789012:dmsflow-orders",
            "dmsflow-",
            alert
        ));
        assert!(!is_run_topic(
            "arn:aws:sns:eu-west-1:210987654321:dmsflow-orders",
            "dmsflow-",
            alert
        ));
    }

    #[test]
    fn the_bounds_come_from_the_template_s_variables_and_empty_means_unset() {
        let bounds = StackBounds::from_vars(|name| match name {
            "DMSFLOW_ALERT_TOPIC_ARN" => Some("arn:aws:sns:eu-west-1:123456789012:a".into()),
            "DMSFLOW_RUN_TOPIC_PREFIX" => Some(" ".into()),
            "DMSFLOW_SECRET_ACCESS_ROLE_PATH" => Some("/dmsflow-dms/".into()),
            _ => None,
        });
        assert_eq!(bounds.run_topic_prefix, None);
        assert_eq!(
            bounds.secret_access_role_path.as_deref(),
            Some("/dmsflow-dms/")
        );
        assert!(bounds.alert_topic.is_some());
    }
}
