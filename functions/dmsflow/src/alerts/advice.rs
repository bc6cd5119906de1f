//! What to do about each kind of failure, in one sentence or two.

/// The advice for an error type (dmsflow's own, or one Step Functions or Lambda
/// sets, such as `States.Timeout`).
pub fn advice(error: &str) -> &'static str {
    match error {
        "InvalidSpec" => {
            "Fix the fields named above and start the run again; nothing was created for it."
        }
        "ResourceConflict" => {
            "A resource under this run's name is not dmsflow's: choose another run_id, or remove \
             or retag that resource yourself (dmsflow never touches it)."
        }
        "ResourceMissing" => {
            "A resource of the run was deleted outside dmsflow: start the run again with the same \
             input, and dmsflow creates what is missing."
        }
        "ConnectionTestFailed" => {
            "Check the endpoint's server name, port, network path (security groups, routes, \
             firewalls) and the secret it reads; then start the run again with the same input."
        }
        "AssessmentFailed" => {
            "Read the report named above; fix what each failed check found in the source or \
             target (or exclude a check that does not apply, with assessment.exclude), then start \
             the run again with the same input: it assesses again, then starts the task."
        }
        "TaskFailed" | "TablesErrored" => {
            "Read the task log named below for the cause; fix it, then start the run again with \
             the same input (it resumes the existing task)."
        }
        "ValidationFailed" => {
            "Compare the failed records (table awsdms_validation_failures_v1 on the target) with \
             the source; fix the cause, then start the run again with the same input."
        }
        "StepTimedOut" => {
            "Look at the resource in the DMS console. If the wait is expected, raise the polling \
             setting named above and start the run again with the same input."
        }
        "AccessDenied" => {
            "Grant the permission AWS names above (to dmsflow's role, the key policy or the \
             topic policy), then start the run again with the same input."
        }
        "QuotaExceeded" => {
            "Ask for a quota increase, choose another instance class or Availability Zone, or \
             wait for capacity; then start the run again with the same input."
        }
        "InvalidRequest" => {
            "Change the value AWS rejected (named above) in the spec, then start the run again."
        }
        "RunInProgress" => {
            "Wait for the execution that drives the run, or stop it, as the message says."
        }
        "CutoverRefused" => {
            "Nothing was touched. Name the run_id of a run whose task is running in CDC after its \
             full load (the run's ready-for-cutover notice names it), then start the cutover again."
        }
        "CutoverNotReady" => {
            "Replication is still running and nothing was stopped. Make sure every writer of the \
             source has stopped, look at the figures above, then start the cutover again (or raise \
             drain_timeout_minutes or max_latency_seconds in the cutover request)."
        }
        "CutoverCheckFailed" => {
            "The task is stopped and kept for inspection; do not switch the application over yet. \
             Look at the tables named above (for validation failures, awsdms_validation_failures_v1 \
             on the target); once they are fixed, resume the run with its spec, then cut over again."
        }
        "CutoverRejected" => {
            "The cutover was rejected (the cause above says why): replication keeps running and \
             nothing was stopped. Start the cutover again when the team is ready."
        }
        "States.Timeout" => {
            "A wait of the definition ran past its bound: for AwaitApproval, nobody approved the \
             cutover within approval_timeout_minutes; replication keeps running and nothing was \
             stopped. Start the cutover again when someone can approve it."
        }
        "NotificationFailed" => {
            "Check the run's SNS topic: it may be deleted, or its access policy or KMS key may not \
             let dmsflow publish."
        }
        "Throttled" | "ResourceBusy" | "AwsUnavailable" => {
            "AWS kept refusing for a while (every retry was used): start the run again with the \
             same input; it picks up where this one stopped."
        }
        "AwsError" => {
            "See AWS's message above; once it is resolved, start the run again with the same input."
        }
        _ => {
            "A step of dmsflow itself failed: look at the execution's events in the console and \
             the step function's log, then start the run again with the same input."
        }
    }
}
