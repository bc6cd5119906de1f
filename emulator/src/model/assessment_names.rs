//! The individual assessments a premigration assessment run holds for a task: a
//! representative subset of DMS's names, chosen by the source and target engines
//! and the migration type.
//!
//! The names are DMS's own, from the DMS user guide: "Individual assessments for
//! all endpoint types" (CHAP_Tasks.AssessmentReport.Assessments.All), "…for
//! MySQL" (CHAP_Tasks.AssessmentReport.MySQL) and "…for PostgreSQL"
//! (CHAP_Tasks.AssessmentReport.PG) (/work/notes/assessment-research.md §5).
//! Which names DMS applies to a given engine pair and migration type is only
//! partly documented (the "CDC only" notes and the endpoint conditions below);
//! the full matrix is not, so the subset, its order and the applicability of
//! the PostgreSQL CDC checks are the emulator's choice.

/// Engines that are not relational databases (the rest of
/// `model::endpoint::ENGINES` are). The user guide's conditions speak of
/// "relational" sources and targets without a list; this one is the emulator's.
const NON_RELATIONAL: &[&str] = &[
    "s3",
    "dynamodb",
    "mongodb",
    "docdb",
    "kinesis",
    "kafka",
    "elasticsearch",
    "opensearch",
    "neptune",
    "redis",
    "timestream",
];

fn relational(engine: &str) -> bool {
    !engine.is_empty() && !NON_RELATIONAL.contains(&engine)
}

/// One individual assessment and whether it applies only to tasks with CDC.
struct Check {
    name: &'static str,
    cdc_only: bool,
}

const fn check(name: &'static str, cdc_only: bool) -> Check {
    Check { name, cdc_only }
}

/// MySQL sources (DMS user guide, "Individual assessments for MySQL", which
/// covers Aurora MySQL too; "CDC only" as that page marks it).
/// `mysql-check-table-storage-engine` is "not for Aurora" there, so it is
/// left out for `aurora` (see [`applicable`]).
const MYSQL: &[Check] = &[
    check("mysql-check-select-privileges", false),
    check("mysql-check-supported-version", false),
    check("mysql-check-table-storage-engine", false),
    check("mysql-check-replication-privileges", true),
    check("mysql-check-server-id", true),
    check("mysql-check-binlog-format", true),
    check("mysql-check-binlog-image", true),
];

/// PostgreSQL sources (DMS user guide, "Individual assessments for PostgreSQL",
/// which covers Aurora PostgreSQL too). The page marks none of these CDC-only
/// except by name (`…-cdc`); that the WAL, replication-slot and pglogical checks
/// apply only with CDC is inferred (they check logical replication, which only
/// CDC uses). The replica-role check has one name per engine.
const POSTGRES: &[Check] = &[
    check("postgres-check-dbversion", false),
    check("postgres-check-select-object-privileges", false),
    check("postgres-check-table-with-array", false),
    check("postgres-check-wallevel", true),
    check("postgres-check-replication-slots-count", true),
    check("postgres-check-pglogical", true),
];

/// The individual assessments a run holds for a task, in the order the run runs
/// them: the general ones first, then the source engine's.
///
/// General (DMS user guide, "Individual assessments for all endpoint types"):
/// `unsupported-data-types-in-source` for every source;
/// `full-lob-not-nullable-at-target` when source and target are relational;
/// `table-with-lob-but-without-primary-key-or-unique-constraint` for a
/// relational source; `table-with-no-primary-key-or-unique-constraint` for a
/// relational source when the migration type includes CDC;
/// `target-table-has-unique-key-or-primary-key-for-cdc` for a relational target
/// with CDC; `unsupported-source-pk-type-for-elasticsearch-target` for an
/// Elasticsearch or OpenSearch target. Engine-specific: `mysql` and `aurora`
/// sources get [`MYSQL`], `postgres` and `aurora-postgresql` sources get
/// [`POSTGRES`]. Whether DMS gives MariaDB sources the MySQL checks is not
/// documented; here it does not.
pub fn applicable(source_engine: &str, target_engine: &str, migration_type: &str) -> Vec<String> {
    let cdc = migration_type != "full-load";
    let mut out: Vec<&str> = vec!["unsupported-data-types-in-source"];
    let (src, tgt) = (relational(source_engine), relational(target_engine));
    if src && tgt {
        out.push("full-lob-not-nullable-at-target");
    }
    if src {
        out.push("table-with-lob-but-without-primary-key-or-unique-constraint");
        if cdc {
            out.push("table-with-no-primary-key-or-unique-constraint");
        }
    }
    if tgt && cdc {
        out.push("target-table-has-unique-key-or-primary-key-for-cdc");
    }
    if matches!(target_engine, "elasticsearch" | "opensearch") {
        out.push("unsupported-source-pk-type-for-elasticsearch-target");
    }
    let specific: &[Check] = match source_engine {
        "mysql" | "aurora" => MYSQL,
        "postgres" | "aurora-postgresql" => POSTGRES,
        _ => &[],
    };
    for c in specific {
        let aurora_skips =
            source_engine == "aurora" && c.name == "mysql-check-table-storage-engine";
        if (cdc || !c.cdc_only) && !aurora_skips {
            out.push(c.name);
        }
    }
    if cdc {
        match source_engine {
            "postgres" => out.push("postgres-check-source-replica-role-cdc"),
            "aurora-postgresql" => out.push("postgres-aurora-check-source-replica-role-cdc"),
            _ => {}
        }
    }
    out.into_iter().map(str::to_string).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cdc_checks_only_with_cdc() {
        let full = applicable("mysql", "aurora", "full-load");
        let cdc = applicable("mysql", "aurora", "full-load-and-cdc");
        assert!(full.contains(&"mysql-check-select-privileges".to_string()));
        assert!(!full.contains(&"mysql-check-binlog-format".to_string()));
        assert!(!full.contains(&"table-with-no-primary-key-or-unique-constraint".to_string()));
        assert!(cdc.contains(&"mysql-check-binlog-format".to_string()));
        assert!(cdc.contains(&"target-table-has-unique-key-or-primary-key-for-cdc".to_string()));
        assert_eq!(full[0], "unsupported-data-types-in-source");
    }

    #[test]
    fn engines_pick_their_checks() {
        let aurora = applicable("aurora", "mysql", "cdc");
        assert!(!aurora.contains(&"mysql-check-table-storage-engine".to_string()));
        let pg = applicable("postgres", "postgres", "cdc");
        assert!(pg.contains(&"postgres-check-source-replica-role-cdc".to_string()));
        assert!(pg.iter().all(|n| !n.starts_with("mysql-")));
        let apg = applicable("aurora-postgresql", "postgres", "full-load");
        assert!(apg.contains(&"postgres-check-dbversion".to_string()));
        assert!(!apg.contains(&"postgres-check-wallevel".to_string()));
        let mongo = applicable("mongodb", "opensearch", "full-load");
        assert_eq!(
            mongo,
            [
                "unsupported-data-types-in-source",
                "unsupported-source-pk-type-for-elasticsearch-target"
            ]
        );
    }
}
