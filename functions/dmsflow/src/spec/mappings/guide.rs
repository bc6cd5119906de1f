//! The DMS User Guide's table-mapping pages the checks follow; the comments of
//! the rule modules quote them by these names.

const BASE: &str = "https://docs.aws.amazon.com/dms/latest/userguide/";

/// The guide's pages, by the names the comments use.
pub const PAGES: [(&str, &str); 11] = [
    (
        "SelectionTransformation",
        "CHAP_Tasks.CustomizingTasks.TableMapping.SelectionTransformation.html",
    ),
    (
        "Selections",
        "CHAP_Tasks.CustomizingTasks.TableMapping.SelectionTransformation.Selections.html",
    ),
    (
        "Wildcards",
        "CHAP_Tasks.CustomizingTasks.TableMapping.SelectionTransformation.Wildcards.html",
    ),
    (
        "Transformations",
        "CHAP_Tasks.CustomizingTasks.TableMapping.SelectionTransformation.Transformations.html",
    ),
    (
        "Expressions",
        "CHAP_Tasks.CustomizingTasks.TableMapping.SelectionTransformation.Expressions.html",
    ),
    (
        "Tablesettings",
        "CHAP_Tasks.CustomizingTasks.TableMapping.SelectionTransformation.Tablesettings.html",
    ),
    (
        "Masking",
        "CHAP_Tasks.CustomizingTasks.TableMapping.SelectionTransformation.Masking.html",
    ),
    ("Filters", "CHAP_Tasks.CustomizingTasks.Filters.html"),
    (
        "Validating",
        "CHAP_Validating.html#CHAP_Validating.JSONEditor",
    ),
    ("Target.PostgreSQL", "CHAP_Target.PostgreSQL.html"),
    ("Target.S3", "CHAP_Target.S3.html#CHAP_Target.S3.Tagging"),
];

/// The address of the page named `name`.
pub fn page(name: &str) -> Option<String> {
    PAGES
        .iter()
        .find(|(page, _)| *page == name)
        .map(|(_, path)| format!("{BASE}{path}"))
}
