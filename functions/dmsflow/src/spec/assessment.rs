//! The premigration assessment section of the spec, and its checks.
//!
//! DMS's premigration assessment (StartReplicationTaskAssessmentRun) checks the
//! source and target for what would break the migration (unsupported data types,
//! missing primary keys, CDC prerequisites such as the binlog format) and writes a
//! report to S3. dmsflow runs one before the task's first start unless the spec
//! turns it off.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::parse::SpecProblem;

/// The premigration assessment DMS runs before the task's first start.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct AssessmentSpec {
    /// Run the assessment before the task's first start.
    pub enabled: bool,
    /// What an assessment that ends with warnings does: `continue` (the success
    /// notice lists them) or `fail` (the run fails with `AssessmentFailed`).
    pub on_warning: OnWarning,
    /// Only these individual assessments (DMS `IncludeOnly`), such as
    /// `mysql-check-binlog-format`; not together with `exclude`.
    pub include: Vec<String>,
    /// Every applicable individual assessment but these (DMS `Exclude`).
    pub exclude: Vec<String>,
    /// An S3 bucket of yours for the reports, in the stack's region; the stack's
    /// assessment bucket when absent. Give `role_arn` with it.
    pub bucket: Option<String>,
    /// The IAM role DMS assumes to write the reports into `bucket` (under the
    /// stack's `SecretAccessRolePath`, the only roles the stack may pass to DMS).
    pub role_arn: Option<String>,
}

impl Default for AssessmentSpec {
    fn default() -> Self {
        Self {
            enabled: true,
            on_warning: OnWarning::Continue,
            include: Vec::new(),
            exclude: Vec::new(),
            bucket: None,
            role_arn: None,
        }
    }
}

/// What an assessment with warnings does.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum OnWarning {
    #[default]
    Continue,
    Fail,
}

/// Every problem of the section.
pub fn check(assessment: &AssessmentSpec, out: &mut Vec<SpecProblem>) {
    if !assessment.include.is_empty() && !assessment.exclude.is_empty() {
        out.push(SpecProblem::new(
            "assessment.include",
            "is given together with assessment.exclude: DMS takes IncludeOnly or Exclude, not both (API reference, StartReplicationTaskAssessmentRun)",
            "keep one of the two lists",
        ));
    }
    for (field, names) in [
        ("include", &assessment.include),
        ("exclude", &assessment.exclude),
    ] {
        for (i, name) in names.iter().enumerate() {
            if !is_assessment_name(name) {
                out.push(SpecProblem::new(
                    format!("assessment.{field}[{i}]"),
                    format!("`{name}` is not the name of an individual assessment"),
                    "give DMS's name, lowercase words joined by hyphens, such as `mysql-check-binlog-format` (aws dms describe-applicable-individual-assessments lists a task's)",
                ));
            }
            if names[..i].contains(name) {
                out.push(SpecProblem::new(
                    format!("assessment.{field}[{i}]"),
                    format!("`{name}` is listed twice"),
                    "list each assessment once",
                ));
            }
        }
    }
    match (&assessment.bucket, &assessment.role_arn) {
        (Some(_), None) | (None, Some(_)) => out.push(SpecProblem::new(
            if assessment.bucket.is_some() {
                "assessment.role_arn"
            } else {
                "assessment.bucket"
            },
            "assessment.bucket and assessment.role_arn go together: DMS writes the report into the bucket with the role",
            "give both (your bucket and a role DMS can assume to write into it), or neither to use the stack's bucket and role",
        )),
        _ => {}
    }
    if let Some(bucket) = &assessment.bucket
        && !is_bucket_name(bucket)
    {
        out.push(SpecProblem::new(
            "assessment.bucket",
            format!("`{bucket}` is not an S3 bucket name"),
            "give the bucket's name (3 to 63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit), not its ARN or URL",
        ));
    }
    if let Some(role) = &assessment.role_arn
        && !(role.starts_with("arn:aws") && role.contains(":iam::") && role.contains(":role/"))
    {
        out.push(SpecProblem::new(
            "assessment.role_arn",
            "is not an IAM role ARN",
            "give an ARN such as `arn:aws:iam::123456789012:role/dmsflow-dms/assessment-reports`",
        ));
    }
}

/// DMS's individual assessment names: lowercase words and digits joined by hyphens
/// (`mysql-check-binlog-format`, `all-check-source-selection-rules`).
fn is_assessment_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 128
        && name.split('-').all(|word| {
            !word.is_empty()
                && word
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
}

/// S3's general purpose bucket naming rules (Amazon S3 user guide, "General
/// purpose bucket naming rules"): 3-63 characters, lowercase letters, digits, dots
/// and hyphens, beginning and ending with a letter or digit, no two adjacent dots.
fn is_bucket_name(name: &str) -> bool {
    let ends_ok = |c: Option<char>| c.is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    (3..=63).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-')
        && ends_ok(name.chars().next())
        && ends_ok(name.chars().last())
        && !name.contains("..")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(assessment: AssessmentSpec) -> Vec<SpecProblem> {
        let mut out = Vec::new();
        check(&assessment, &mut out);
        out
    }

    #[test]
    fn the_default_runs_every_applicable_assessment_into_the_stacks_bucket() {
        assert!(problems(AssessmentSpec::default()).is_empty());
        assert!(AssessmentSpec::default().enabled);
    }

    #[test]
    fn include_and_exclude_are_exclusive_and_hold_dms_names_once() {
        let found = problems(AssessmentSpec {
            include: vec!["mysql-check-binlog-format".into(), "Binlog".into()],
            exclude: vec!["a-b".into(), "a-b".into()],
            ..AssessmentSpec::default()
        });
        let paths: Vec<&str> = found.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "assessment.include",
                "assessment.include[1]",
                "assessment.exclude[1]"
            ],
            "{found:?}"
        );
    }

    #[test]
    fn a_bucket_needs_its_role_and_real_names() {
        let found = problems(AssessmentSpec {
            bucket: Some("s3://Reports".into()),
            ..AssessmentSpec::default()
        });
        let paths: Vec<&str> = found.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(paths, ["assessment.role_arn", "assessment.bucket"]);
        let found = problems(AssessmentSpec {
            bucket: Some("orders-dms-reports".into()),
            role_arn: Some("orders-role".into()),
            ..AssessmentSpec::default()
        });
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].path, "assessment.role_arn");
    }

    #[test]
    fn bucket_names_follow_s3s_rules() {
        for good in ["abc", "orders.reports-2026", "a1b"] {
            assert!(is_bucket_name(good), "{good}");
        }
        for bad in ["ab", "-abc", "abc-", "Abc", "a..b", "a_b", &"a".repeat(64)] {
            assert!(!is_bucket_name(bad), "{bad}");
        }
    }
}
