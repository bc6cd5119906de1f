//! The fault matrix: every fault the end-to-end tests put dmsflow through, what
//! the user sees and what is left in the account. Each row names the test that
//! backs it, and that test takes its expectations (the execution's error and
//! failed state, how many of the run's resources are left) from the row, so the
//! README's table (rendered from these rows by `tests/fault_matrix.rs`) cannot
//! say what the tests do not check.

#![allow(dead_code)]

/// How a row's run ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ends {
    /// The execution succeeds despite the fault.
    Succeeds,
    /// The execution fails with this error type after exactly one alert naming
    /// this state.
    Fails {
        state: &'static str,
        error: &'static str,
    },
    /// The execution is stopped from outside (aborted); the safety net alerts once.
    Aborted,
}

/// Why resources of the run are still in the account afterwards.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Left {
    /// Nothing of the run is left.
    Nothing,
    /// `cleanup.on_failure: keep`: kept for inspection, replication stopped.
    KeptForInspection(usize),
    /// `completion.then: leave-running`: replication goes on, as asked.
    Running(usize),
    /// Cleanup itself failed; the alert says so.
    NotDeleted(usize),
}

impl Left {
    /// How many of the run's resources (by its ownership tag) the test finds.
    pub fn count(self) -> usize {
        match self {
            Left::Nothing => 0,
            Left::KeptForInspection(n) | Left::Running(n) | Left::NotDeleted(n) => n,
        }
    }
}

/// One fault and what it does to a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Row {
    /// A stable name, used by the backing test (`row("...")`).
    pub id: &'static str,
    /// The fault, in a few words.
    pub fault: &'static str,
    pub ends: Ends,
    /// What else the user sees, besides the execution's end.
    pub sees: &'static str,
    pub left: Left,
    /// What is left, in words.
    pub left_detail: &'static str,
    /// The test binary (`tests/<file>`) and function that back the row.
    pub file: &'static str,
    pub test: &'static str,
    /// The test searches every surface for a canary secret.
    pub checks_secrets: bool,
}

impl Row {
    pub fn error(&self) -> &'static str {
        match self.ends {
            Ends::Fails { error, .. } => error,
            Ends::Succeeds | Ends::Aborted => {
                panic!("row {} does not fail: it has no error", self.id)
            }
        }
    }

    pub fn state(&self) -> &'static str {
        match self.ends {
            Ends::Fails { state, .. } => state,
            Ends::Succeeds | Ends::Aborted => {
                panic!("row {} does not fail: it has no failed state", self.id)
            }
        }
    }

    pub fn resources_left(&self) -> usize {
        self.left.count()
    }
}

/// The resources of a serverless run (subnet group, two endpoints, the
/// replication config, the two alarms on dmsflow's metrics, the dashboard).
const SERVERLESS_SET: usize = 7;

/// The resources of a whole CDC run (subnet group, instance, two endpoints,
/// task, event subscription, two connections, four alarms, the dashboard) and
/// of a full-load run (two alarms).
const CDC_SET: usize = 13;
const FULL_LOAD_SET: usize = 11;

const fn fails(state: &'static str, error: &'static str) -> Ends {
    Ends::Fails { state, error }
}

pub const ROWS: &[Row] = &[
    Row {
        id: "throttle-burst",
        fault: "DMS throttles the first 8 calls (`ThrottlingException`)",
        ends: Ends::Succeeds,
        sees: "the success notice only; the throttled step is retried",
        left: Left::Nothing,
        left_detail: "nothing (the run deletes everything on success)",
        file: "e2e_drills.rs",
        test: "a_throttling_burst_is_retried_and_the_run_succeeds",
        checks_secrets: false,
    },
    Row {
        id: "throttle-storm",
        fault: "Throttling storm: 50% of 150 DMS calls in a row throttled",
        ends: Ends::Succeeds,
        sees: "the success notice only; the SDK's 5 attempts and the state machine's Retry (at most 5 per step) ride it out",
        left: Left::Nothing,
        left_detail: "nothing (the run deletes everything on success)",
        file: "e2e_faults.rs",
        test: "a_throttling_storm_is_ridden_out_with_bounded_retries",
        checks_secrets: false,
    },
    Row {
        id: "slow-instance",
        fault: "The replication instance takes much longer to become available",
        ends: Ends::Succeeds,
        sees: "the success notice only; more create checks",
        left: Left::Nothing,
        left_detail: "nothing (the run deletes everything on success)",
        file: "e2e_drills.rs",
        test: "a_slow_instance_is_waited_for_and_the_run_succeeds",
        checks_secrets: false,
    },
    Row {
        id: "resource-busy",
        fault: "DMS answers `InvalidResourceStateFault` while a resource is busy (testing a connection, starting the task, deleting an endpoint)",
        ends: Ends::Succeeds,
        sees: "the success notice only; the busy step is retried",
        left: Left::Nothing,
        left_detail: "nothing (the run deletes everything on success)",
        file: "e2e_faults.rs",
        test: "a_busy_resource_is_waited_out",
        checks_secrets: false,
    },
    Row {
        id: "lost-responses",
        fault: "Every step's result is lost once after it ran (`Lambda.ServiceException`): the step runs twice",
        ends: Ends::Succeeds,
        sees: "the success notice only; no resource created twice, one assessment, the task started once",
        left: Left::Nothing,
        left_detail: "nothing (the run deletes everything on success)",
        file: "e2e_faults.rs",
        test: "a_step_whose_result_was_lost_runs_again_without_doing_anything_twice",
        checks_secrets: false,
    },
    Row {
        id: "restarted-execution",
        fault: "The execution is stopped right after it started the task, then started again with the same input",
        ends: Ends::Succeeds,
        sees: "the success notice; the second execution adopts the run's resources and its running task",
        left: Left::Running(CDC_SET),
        left_detail: "one set of the run's resources, replication running (`leave-running`)",
        file: "e2e_faults.rs",
        test: "a_restarted_execution_adopts_the_run_and_starts_nothing_twice",
        checks_secrets: false,
    },
    Row {
        id: "rerun-after-failure",
        fault: "A run fails (source unreachable); after the fix the same input is run again",
        ends: Ends::Succeeds,
        sees: "one alert for the failure, then the success notice; the rerun creates nothing",
        left: Left::Running(CDC_SET),
        left_detail: "one set of the run's resources, replication running (`leave-running`)",
        file: "e2e_recovery.rs",
        test: "a_rerun_of_the_same_input_after_a_failure_duplicates_nothing",
        checks_secrets: false,
    },
    Row {
        id: "start-after-run",
        fault: "A rerun finds a task that has run but shows no sign of it; DMS refuses `start-replication` (\"valid only for tasks running for the first time\")",
        ends: Ends::Succeeds,
        sees: "the start step resumes the task (`resume-processing`); the target is never reloaded",
        left: Left::Running(CDC_SET),
        left_detail: "one set of the run's resources, replication running (`leave-running`)",
        file: "e2e_recovery.rs",
        test: "a_rerun_on_a_task_dms_says_has_run_resumes_it_and_reloads_nothing",
        checks_secrets: false,
    },
    Row {
        id: "concurrent-executions",
        fault: "Two executions of the same run id started at once",
        ends: fails("ClaimRun", "RunInProgress"),
        sees: "the other execution drives the run to success; this one stops before any DMS call, with one alert naming the driver",
        left: Left::Running(CDC_SET),
        left_detail: "one set of the run's resources, created and started once, replication running (`leave-running`)",
        file: "e2e_concurrency.rs",
        test: "two_executions_of_one_run_at_once_one_drives_and_the_other_stops_with_run_in_progress",
        checks_secrets: false,
    },
    Row {
        id: "claim-fails",
        fault: "The run election cannot list the executions, for good (`AccessDeniedException` from Step Functions)",
        ends: fails("ClaimRun", "AccessDenied"),
        sees: "one alert to the stack's alert topic with the service's message and what to do; no DMS call",
        left: Left::Nothing,
        left_detail: "nothing (no DMS call was made)",
        file: "e2e_faults.rs",
        test: "a_permanent_claim_failure_alerts_once_and_touches_nothing",
        checks_secrets: false,
    },
    Row {
        id: "create-fails",
        fault: "Creating the instance fails for good (`InsufficientResourceCapacityFault`)",
        ends: fails("CreateResources", "QuotaExceeded"),
        sees: "one alert with DMS's message and what to do",
        left: Left::Nothing,
        left_detail: "nothing (`on_failure: delete`)",
        file: "e2e_faults.rs",
        test: "a_permanent_create_failure_alerts_once_and_cleans_up",
        checks_secrets: false,
    },
    Row {
        id: "test-connection-fails",
        fault: "Testing a connection fails for good (`KMSKeyNotAccessibleFault`)",
        ends: fails("TestConnections", "AccessDenied"),
        sees: "one alert with DMS's message and what to do",
        left: Left::KeptForInspection(CDC_SET - 2),
        left_detail: "the run's resources, no connection tested (`on_failure: keep`)",
        file: "e2e_faults.rs",
        test: "a_permanent_connection_test_failure_alerts_once_and_keeps_the_run",
        checks_secrets: false,
    },
    Row {
        id: "fail-connection",
        fault: "The source endpoint cannot be reached (connection test `failed`)",
        ends: fails("TestConnections", "ConnectionTestFailed"),
        sees: "one alert quoting DMS's `LastFailureMessage`",
        left: Left::Nothing,
        left_detail: "nothing (`on_failure: delete`)",
        file: "e2e_drills.rs",
        test: "a_failed_connection_test_alerts_once_and_deletes_the_run_when_the_policy_says_delete",
        checks_secrets: false,
    },
    Row {
        id: "enable-validation-fails",
        fault: "Modifying the task to enable validation fails for good (`InvalidParameterValueException`; a rerun turns validation on for a task created without it)",
        ends: fails("EnableValidation", "InvalidRequest"),
        sees: "one alert with DMS's message",
        left: Left::Nothing,
        left_detail: "nothing (`on_failure: delete`)",
        file: "e2e_faults.rs",
        test: "a_permanent_enable_validation_failure_alerts_once_and_cleans_up",
        checks_secrets: false,
    },
    Row {
        id: "start-fails",
        fault: "Starting the task fails for good (`AccessDeniedFault`)",
        ends: fails("StartReplication", "AccessDenied"),
        sees: "one alert with DMS's message and what to do",
        left: Left::KeptForInspection(CDC_SET),
        left_detail: "the run's resources, task never started (`on_failure: keep`)",
        file: "e2e_faults.rs",
        test: "a_permanent_start_failure_alerts_once_and_keeps_the_run",
        checks_secrets: false,
    },
    Row {
        id: "check-progress-fails",
        fault: "Reading the table statistics fails for good (`AccessDeniedFault`)",
        ends: fails("CheckProgress", "AccessDenied"),
        sees: "one alert with DMS's message and what to do",
        left: Left::Nothing,
        left_detail: "nothing (`on_failure: delete`; the task is stopped first)",
        file: "e2e_faults.rs",
        test: "a_permanent_check_progress_failure_alerts_once_and_cleans_up",
        checks_secrets: false,
    },
    Row {
        id: "assessment-failed",
        fault: "The premigration assessment fails (a check such as the binlog format fails)",
        ends: fails("AssessMigration", "AssessmentFailed"),
        sees: "one alert naming each failed check, DMS's message and the report's S3 location; the task is never started",
        left: Left::KeptForInspection(CDC_SET),
        left_detail: "the run's resources, task `ready`, never started (`on_failure: keep`)",
        file: "e2e_assessment.rs",
        test: "a_failed_assessment_alerts_once_with_its_checks_and_report_and_never_starts_the_task",
        checks_secrets: false,
    },
    Row {
        id: "assessment-warning",
        fault: "The premigration assessment ends with warnings",
        ends: Ends::Succeeds,
        sees: "the success notice lists the warnings and the report's location",
        left: Left::Running(CDC_SET),
        left_detail: "one set of the run's resources, replication running (`leave-running`)",
        file: "e2e_assessment.rs",
        test: "an_assessment_with_warnings_goes_on_and_the_notice_lists_them",
        checks_secrets: false,
    },
    Row {
        id: "assessment-warning-fails",
        fault: "The premigration assessment ends with warnings and the spec says `assessment.on_warning: fail`",
        ends: fails("AssessMigration", "AssessmentFailed"),
        sees: "one alert naming the warnings and the report's location; the task is never started",
        left: Left::KeptForInspection(CDC_SET),
        left_detail: "the run's resources, task `ready`, never started (`on_failure: keep`)",
        file: "e2e_assessment.rs",
        test: "warnings_fail_the_run_when_the_spec_says_on_warning_fail",
        checks_secrets: false,
    },
    Row {
        id: "fail-task",
        fault: "The replication task fails at 40% of its full load",
        ends: fails("CheckProgress", "TaskFailed"),
        sees: "one alert quoting DMS's `LastFailureMessage`",
        left: Left::KeptForInspection(CDC_SET),
        left_detail: "the run's resources, task `failed` (`on_failure: keep`)",
        file: "e2e_drills.rs",
        test: "a_failed_task_alerts_once_and_keeps_the_run_for_inspection",
        checks_secrets: false,
    },
    Row {
        id: "table-error",
        fault: "A table ends in `Table error`, and again after dmsflow reloads it",
        ends: fails("CheckProgress", "TablesErrored"),
        sees: "one alert naming the table and the reload tried",
        left: Left::KeptForInspection(CDC_SET),
        left_detail: "the run's resources, task `stopped` (`on_failure: keep`)",
        file: "e2e_drills.rs",
        test: "a_table_error_alerts_once_naming_the_table_and_stops_replication",
        checks_secrets: false,
    },
    Row {
        id: "table-error-once",
        fault: "A table ends in `Table error` on its first load only",
        ends: Ends::Succeeds,
        sees: "dmsflow reloads the table (ReloadTables) while the task runs; the success notice says so",
        left: Left::Running(CDC_SET),
        left_detail: "one set of the run's resources, replication running (`leave-running`)",
        file: "e2e_drills.rs",
        test: "a_table_that_errors_once_is_reloaded_and_the_run_succeeds",
        checks_secrets: false,
    },
    Row {
        id: "validation-mismatch-once",
        fault: "The first validation of a table finds mismatched records; a re-validation finds none",
        ends: Ends::Succeeds,
        sees: "dmsflow re-validates the table (ReloadTables validate-only); the success notice says so",
        left: Left::Running(CDC_SET),
        left_detail: "one set of the run's resources, replication running (`leave-running`)",
        file: "e2e_drills.rs",
        test: "a_mismatch_cleared_by_re_validation_lets_the_run_succeed",
        checks_secrets: false,
    },
    Row {
        id: "validation-mismatch-persists",
        fault: "Validation of a running task finds mismatched records, and again after dmsflow re-validates the table",
        ends: fails("CheckProgress", "ValidationFailed"),
        sees: "one alert with the failed record count and the re-validation tried",
        left: Left::KeptForInspection(CDC_SET),
        left_detail: "the run's resources, task stopped (`on_failure: keep`)",
        file: "e2e_drills.rs",
        test: "a_mismatch_that_survives_re_validation_fails_the_run_saying_what_was_tried",
        checks_secrets: false,
    },
    Row {
        id: "validation-mismatch",
        fault: "Validation finds mismatched records after a full-load task has finished",
        ends: fails("CheckProgress", "ValidationFailed"),
        sees: "one alert with the failed record count, saying DMS re-validates only while a task runs",
        left: Left::Nothing,
        left_detail: "nothing (`on_failure: delete`)",
        file: "e2e_drills.rs",
        test: "a_validation_mismatch_alerts_once_with_the_failed_record_count",
        checks_secrets: false,
    },
    Row {
        id: "cleanup-fails",
        fault: "Deleting the instance fails for good (`AccessDeniedFault`) after a successful migration",
        ends: fails("Cleanup", "AccessDenied"),
        sees: "the success notice, then one alert with DMS's message",
        left: Left::NotDeleted(6),
        left_detail: "the instance (named in the alert), its subnet group, the event subscription, the 2 alarms and the dashboard; task and endpoints deleted",
        file: "e2e_faults.rs",
        test: "a_permanent_cleanup_failure_alerts_once_and_names_what_is_left",
        checks_secrets: false,
    },
    Row {
        id: "alert-topic-gone",
        fault: "The run's SNS topic does not exist (deleted, or a wrong ARN) when a step fails for good (`InsufficientResourceCapacityFault`)",
        ends: fails("CreateResources", "QuotaExceeded"),
        sees: "the one alert goes to the stack's alert topic instead, saying why; the execution's cause says where it went",
        left: Left::Nothing,
        left_detail: "nothing (`on_failure: delete`)",
        file: "e2e_alerts.rs",
        test: "an_alert_the_runs_topic_cannot_take_goes_to_the_stack_topic",
        checks_secrets: false,
    },
    Row {
        id: "notice-topic-gone",
        fault: "The run's SNS topic is gone when the migration completes",
        ends: fails("NotifySuccess", "NotificationFailed"),
        sees: "the completion policy is still applied; one alert to the stack's alert topic says the run is complete but its notice was not delivered",
        left: Left::Nothing,
        left_detail: "nothing (`stop-and-clean-up`, `on_success: delete`)",
        file: "e2e_alerts.rs",
        test: "a_success_notice_the_runs_topic_cannot_take_is_reported_to_the_stack_topic",
        checks_secrets: false,
    },
    Row {
        id: "invalid-spec",
        fault: "The spec is invalid (unknown migration type, port 0)",
        ends: fails("ValidateSpec", "InvalidSpec"),
        sees: "one alert naming every bad field; no DMS call",
        left: Left::Nothing,
        left_detail: "nothing",
        file: "e2e_runs.rs",
        test: "an_invalid_spec_fails_before_any_dms_resource_exists",
        checks_secrets: false,
    },
    Row {
        id: "plaintext-password",
        fault: "The spec holds a plaintext password",
        ends: fails("ValidateSpec", "InvalidSpec"),
        sees: "one alert naming the fields, never the value; no DMS call",
        left: Left::Nothing,
        left_detail: "nothing",
        file: "e2e_secrets.rs",
        test: "a_spec_with_a_plaintext_password_is_refused_before_any_dms_call",
        checks_secrets: true,
    },
    Row {
        id: "canary-secret",
        fault: "A canary secret referenced by the spec, in a run and in a failed run",
        ends: Ends::Succeeds,
        sees: "the secret's ARN only: its value in no history, output, alert, DMS call, metric or log",
        left: Left::Nothing,
        left_detail: "nothing (`on_success` and `on_failure: delete`)",
        file: "e2e_secrets.rs",
        test: "a_secrets_value_appears_nowhere_after_a_run_and_a_failed_run",
        checks_secrets: true,
    },
    Row {
        id: "foreign-resources",
        fault: "Another owner's resources hold the run's names",
        ends: fails("CreateResources", "ResourceConflict"),
        sees: "one alert naming the conflicting resource; a cleanup request skips them",
        left: Left::Nothing,
        left_detail: "nothing of the run; the other owner's resources untouched",
        file: "e2e_ownership.rs",
        test: "resources_under_a_runs_names_that_are_not_its_own_are_never_touched",
        checks_secrets: false,
    },
    Row {
        id: "foreign-running-task",
        fault: "A cleanup request meets another owner's running task under the run's task name",
        ends: Ends::Succeeds,
        sees: "the cleanup report lists the task as skipped",
        left: Left::Nothing,
        left_detail: "nothing of the run; the other owner's task still running",
        file: "e2e_ownership.rs",
        test: "a_cleanup_request_never_stops_someone_elses_running_task_under_the_runs_task_name",
        checks_secrets: false,
    },
    Row {
        id: "task-stuck-modifying",
        fault: "The task stays in `modifying` after a rerun turned validation on (`slow-modify-seconds` drill), past `polling.task_change_timeout_minutes`",
        ends: fails("AssessMigration", "StepTimedOut"),
        sees: "one alert naming the task, its status and the setting to raise; no safety-net alert",
        left: Left::KeptForInspection(CDC_SET),
        left_detail: "the run's resources, the task still `modifying` (`on_failure: keep`)",
        file: "e2e_safety_net.rs",
        test: "a_task_stuck_in_modifying_ends_with_step_timed_out_and_one_alert",
        checks_secrets: false,
    },
    Row {
        id: "execution-aborted",
        fault: "The execution is stopped from the console (StopExecution) while it watches the task",
        ends: Ends::Aborted,
        sees: "one alert from the safety net to the stack's alert topic, naming the execution, the run, the state it was in and how to tear the run down",
        left: Left::Running(CDC_SET),
        left_detail: "one set of the run's resources, replication running: nothing runs after an abort",
        file: "e2e_safety_net.rs",
        test: "an_execution_stopped_from_outside_gets_one_alert_from_the_safety_net",
        checks_secrets: false,
    },
    Row {
        id: "failed-run-no-second-alert",
        fault: "The task fails; the execution ends in FailRun after its own alert",
        ends: fails("CheckProgress", "TaskFailed"),
        sees: "its one alert; the safety net sees the FAILED status change and stays silent",
        left: Left::KeptForInspection(CDC_SET),
        left_detail: "the run's resources, task `failed` (`on_failure: keep`)",
        file: "e2e_safety_net.rs",
        test: "an_execution_that_alerted_itself_gets_no_second_alert",
        checks_secrets: false,
    },
    Row {
        id: "long-cdc-generations",
        fault: "CDC latency stays above the cutover threshold for longer than one execution's checks (2 per execution here)",
        ends: Ends::Succeeds,
        sees: "the run continues in `<first>-gen-2`, `-gen-3`, ...; the success notice only, once the latency drops",
        left: Left::Running(CDC_SET),
        left_detail: "one set of the run's resources, the task started once, replication running (`leave-running`)",
        file: "e2e_long_runs.rs",
        test: "a_long_cdc_run_continues_through_three_generations_to_its_end",
        checks_secrets: false,
    },
    Row {
        id: "task-fails-in-generation-3",
        fault: "The task fails during CDC in the third execution of a long run",
        ends: fails("CheckProgress", "TaskFailed"),
        sees: "one alert naming the run, its generation (3) and the first execution, with DMS's message",
        left: Left::KeptForInspection(CDC_SET),
        left_detail: "the run's resources, task `failed` (`on_failure: keep`)",
        file: "e2e_long_runs.rs",
        test: "a_task_failure_in_generation_three_alerts_once_naming_the_generation_and_the_first_execution",
        checks_secrets: false,
    },
    Row {
        id: "hand-over-result-lost",
        fault: "The hand-over's result is lost after it started the next execution (`Lambda.ServiceException`): it runs again",
        ends: Ends::Succeeds,
        sees: "one successor (the retry finds the execution it started); the success notice",
        left: Left::Running(CDC_SET),
        left_detail: "one set of the run's resources, replication running (`leave-running`)",
        file: "e2e_long_runs.rs",
        test: "a_hand_over_whose_result_was_lost_starts_one_successor_only",
        checks_secrets: false,
    },
    Row {
        id: "rerun-after-continuation",
        fault: "A long run that had continued fails; the same input is started again under a new execution name",
        ends: Ends::Succeeds,
        sees: "the rerun's chain has names of its own (`<rerun>-gen-2`), so it is watched to its end; one alert for the failure, then the success notice",
        left: Left::Running(CDC_SET),
        left_detail: "one set of the run's resources, replication running (`leave-running`)",
        file: "e2e_long_runs.rs",
        test: "a_rerun_after_an_earlier_attempt_continued_is_watched_to_its_end",
        checks_secrets: false,
    },
    Row {
        id: "cutover-clean",
        fault: "A cutover request for a run left running in CDC, after the source's writes stopped (`stop_source_writes` control)",
        ends: Ends::Succeeds,
        sees: "the cutover report: how long the drain took and its last figures, when and why the task stopped, every table's rows, changes applied and validation; then the run's resources deleted (`then: delete`)",
        left: Left::Nothing,
        left_detail: "nothing (the task stopped once, by the cutover)",
        file: "e2e_cutover.rs",
        test: "a_clean_cutover_drains_stops_verifies_reports_and_deletes_the_run",
        checks_secrets: false,
    },
    Row {
        id: "cutover-not-drained",
        fault: "A cutover request while the source is still written to (latency held at 40 s, changes still applied), past `drain_timeout_minutes`",
        ends: fails("DrainReplication", "CutoverNotReady"),
        sees: "one alert with the latest latency and change figures; nothing stopped",
        left: Left::Running(CDC_SET),
        left_detail: "the run's resources, replication still running",
        file: "e2e_cutover.rs",
        test: "a_latency_that_never_drains_is_not_ready_and_leaves_replication_running",
        checks_secrets: false,
    },
    Row {
        id: "cutover-approval-rejected",
        fault: "A cutover with `approval: required` is rejected: the person runs the reject command of the approval request (SendTaskFailure, `CutoverRejected`)",
        ends: fails("AwaitApproval", "CutoverRejected"),
        sees: "the approval request (drained figures, the approve and reject commands with the task token), then one alert with the person's reason; nothing stopped",
        left: Left::Running(CDC_SET),
        left_detail: "the run's resources, replication still running",
        file: "e2e_cutover.rs",
        test: "a_rejected_approval_leaves_replication_running_and_says_so",
        checks_secrets: false,
    },
    Row {
        id: "cutover-check-failed",
        fault: "A run that tolerated 3 failed validation records (`validation.max_failed_records: 10`) is cut over",
        ends: fails("VerifyTarget", "CutoverCheckFailed"),
        sees: "one alert naming the table and its failed records, after the drain and the stop",
        left: Left::KeptForInspection(CDC_SET),
        left_detail: "the run's resources, the task stopped for inspection",
        file: "e2e_cutover.rs",
        test: "failed_validation_at_the_final_check_fails_the_cutover_and_keeps_the_task_stopped",
        checks_secrets: false,
    },
    Row {
        id: "cutover-foreign-run",
        fault: "A cutover request names a run whose task name is taken by someone else's running task (another run's tags)",
        ends: fails("DrainReplication", "CutoverRefused"),
        sees: "one alert saying the task does not carry the run's tags; no call changes or stops it",
        left: Left::Nothing,
        left_detail: "nothing of the run; the other run's task still running",
        file: "e2e_ownership.rs",
        test: "a_cutover_of_a_task_under_the_runs_name_that_is_not_its_own_touches_nothing",
        checks_secrets: false,
    },
    Row {
        id: "cutover-unknown-run",
        fault: "A cutover request names a run that has no task in the account and region",
        ends: fails("DrainReplication", "CutoverRefused"),
        sees: "one alert saying there is no such task; nothing created, stopped or deleted",
        left: Left::Nothing,
        left_detail: "nothing (there was nothing)",
        file: "e2e_cutover.rs",
        test: "a_cutover_of_an_unknown_run_is_refused_and_touches_nothing",
        checks_secrets: false,
    },
    Row {
        id: "serverless-provisioning-fails",
        fault: "DMS Serverless cannot provision the replication's capacity (`fail-provisioning` drill)",
        ends: fails("CheckProgress", "TaskFailed"),
        sees: "one alert saying the provisioning failed, with DMS's message, the capacity asked and the quotas to check",
        left: Left::KeptForInspection(SERVERLESS_SET),
        left_detail: "the run's resources, replication config `failed` (`on_failure: keep`)",
        file: "e2e_serverless.rs",
        test: "a_serverless_replication_whose_capacity_cannot_be_provisioned_alerts_once",
        checks_secrets: false,
    },
    Row {
        id: "serverless-fails-mid-load",
        fault: "A serverless replication fails at 40% of its full load",
        ends: fails("CheckProgress", "TaskFailed"),
        sees: "one alert quoting DMS's failure messages",
        left: Left::KeptForInspection(SERVERLESS_SET),
        left_detail: "the run's resources, replication config `failed` (`on_failure: keep`)",
        file: "e2e_serverless.rs",
        test: "a_serverless_replication_failing_mid_load_alerts_once_and_is_kept",
        checks_secrets: false,
    },
    Row {
        id: "serverless-table-error",
        fault: "A table of a serverless replication ends in `Table error`, and again after dmsflow reloads it",
        ends: fails("CheckProgress", "TablesErrored"),
        sees: "one alert naming the table and the `ReloadReplicationTables` tried",
        left: Left::KeptForInspection(SERVERLESS_SET),
        left_detail: "the run's resources, replication config `stopped` (`on_failure: keep`)",
        file: "e2e_serverless.rs",
        test: "a_serverless_table_error_is_reloaded_once_then_alerted_naming_the_table",
        checks_secrets: false,
    },
    Row {
        id: "serverless-rerun-after-failure",
        fault: "DMS Serverless's own connection test fails the start (target unreachable); after the fix the same input runs again",
        ends: Ends::Succeeds,
        sees: "one alert (`ConnectionTestFailed` naming the target, from CheckProgress), then the success notice; the rerun creates nothing and resumes the replication",
        left: Left::Running(SERVERLESS_SET),
        left_detail: "one set of the run's resources, replication running (`leave-running`)",
        file: "e2e_serverless.rs",
        test: "a_serverless_rerun_after_a_failed_connection_test_duplicates_nothing",
        checks_secrets: false,
    },
    Row {
        id: "serverless-cleanup-waits-for-capacity",
        fault: "DMS keeps a stopped serverless replication's capacity for a while (`deprovision-seconds` drill)",
        ends: Ends::Succeeds,
        sees: "the cleanup waits for the provision state `deprovisioned`, then deletes the config (DMS never refuses the delete) and the rest",
        left: Left::Nothing,
        left_detail: "nothing",
        file: "e2e_serverless.rs",
        test: "a_serverless_full_load_is_validated_then_deleted_once_dms_released_its_capacity",
        checks_secrets: false,
    },
];

/// The row named `id`.
pub fn row(id: &str) -> &'static Row {
    ROWS.iter()
        .find(|r| r.id == id)
        .unwrap_or_else(|| panic!("no fault matrix row {id}"))
}

pub const BEGIN: &str = "<!-- fault-matrix:begin (generated from tests/support/fault_matrix.rs: DMSFLOW_WRITE_FAULT_MATRIX=1 cargo test -p dmsflow-tests --test fault_matrix) -->";
pub const END: &str = "<!-- fault-matrix:end -->";

fn sees(row: &Row) -> String {
    match row.ends {
        Ends::Succeeds => format!("Execution succeeds; {}", row.sees),
        Ends::Aborted => format!("Execution aborted; {}", row.sees),
        Ends::Fails { state, error } => {
            format!("Execution fails at `{state}` with `{error}`; {}", row.sees)
        }
    }
}

fn left(row: &Row) -> String {
    match row.left.count() {
        0 => row.left_detail.to_string(),
        n => format!("{n} resources: {}", row.left_detail),
    }
}

/// The matrix as Markdown: the table, then the counts.
pub fn render(rows: &[Row]) -> String {
    let mut out = String::from(
        "| Fault | What the user sees | What is left in the account | Test |\n|---|---|---|---|\n",
    );
    for row in rows {
        out.push_str(&format!(
            "| {} | {} | {} | `{}` `{}` |\n",
            row.fault,
            sees(row),
            left(row),
            row.file,
            row.test
        ));
    }
    let survived = rows.iter().filter(|r| r.ends == Ends::Succeeds).count();
    let aborted = rows.iter().filter(|r| r.ends == Ends::Aborted).count();
    let failed = rows.len() - survived - aborted;
    let kept: usize = rows
        .iter()
        .filter(|r| !matches!(r.left, Left::NotDeleted(_)))
        .map(|r| r.left.count())
        .sum();
    let not_deleted: usize = rows
        .iter()
        .filter(|r| matches!(r.left, Left::NotDeleted(_)))
        .map(|r| r.left.count())
        .sum();
    let secret_tests = rows.iter().filter(|r| r.checks_secrets).count();
    out.push_str(&format!(
        "\nFaults tried: {}. Runs survived: {survived} (the run succeeds despite the fault). \
         Runs failed cleanly: {failed} (one alert naming the step and DMS's message, cleanup as the spec says). \
         Executions stopped from outside: {aborted} (one alert from the safety net). \
         Resources leaked: 0 (each test asserts exactly what its run leaves: {kept} resources kept as the spec asks, \
         {not_deleted} that DMS refused to delete, named in the alert). \
         Secrets leaked: 0 ({secret_tests} tests search every surface for a canary value).\n",
        rows.len()
    ));
    out
}
