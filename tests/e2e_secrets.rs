//! End to end, nothing leaks a credential: a run reads its connection from a
//! Secrets Manager secret whose value never shows up in the execution's history
//! and description, the alerts, what DMS and CloudWatch received, or any log of
//! the stack; and a spec carrying a plaintext password is refused before any DMS
//! call, without repeating the password anywhere but in the input it came in.

#[path = "support/e2e.rs"]
mod e2e;
#[path = "support/fault_matrix.rs"]
mod fault_matrix;

use dmsflow_local::Stack;
use dmsflow_local::drills::Drill;
use dmsflow_local::rehearsal::Outcome;
use serde_json::{Value, json};

/// Every place of the stack a value could leak to, as text, named.
async fn leak_surfaces(stack: &Stack, outcome: &Outcome) -> Vec<(String, String)> {
    let arn = &outcome.execution.execution_arn;
    let mut out = Vec::new();
    for event in stack
        .sfn
        .history(arn)
        .await
        .expect("the execution's history")
    {
        out.push((
            format!("history event {} {}", event.id, event.kind),
            event.details.to_string(),
        ));
    }
    let described = stack
        .http
        .aws_json(
            stack.moto_url(),
            "states",
            "AWSStepFunctions.DescribeExecution",
            &json!({"executionArn": arn}),
        )
        .await
        .and_then(|a| a.ok("DescribeExecution"))
        .expect("DescribeExecution")
        .json()
        .expect("DescribeExecution answers JSON");
    for field in ["output", "error", "cause"] {
        out.push((
            format!("DescribeExecution {field}"),
            described[field].to_string(),
        ));
    }
    out.extend(stack_surfaces(stack).await);
    out
}

/// What SNS, DMS, CloudWatch and every process of the stack hold or wrote.
async fn stack_surfaces(stack: &Stack) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let data = get(stack, &format!("{}/moto-api/data.json", stack.moto_url())).await;
    let data: Value = serde_json::from_str(&data).expect("moto's data is JSON");
    // Moto's Secrets Manager holds the secret itself: only SNS is a leak surface.
    out.push(("SNS (moto data)".into(), data["sns"].to_string()));
    for alert in stack.published().await.expect("published messages") {
        out.push((format!("SNS message {}", alert.message_id), alert.message));
    }
    for control in ["calls", "cloudwatch", "resources"] {
        let url = format!("{}/_emulator/{control}", stack.endpoint_url());
        out.push((format!("emulator {control}"), get(stack, &url).await));
    }
    let logs = std::fs::read_dir(&stack.log_dir).expect("the stack's log directory");
    let mut names = Vec::new();
    for entry in logs.flatten() {
        let path = entry.path();
        names.push(entry.file_name().to_string_lossy().to_string());
        let text = String::from_utf8_lossy(&std::fs::read(&path).expect("a log")).to_string();
        out.push((format!("log {}", path.display()), text));
    }
    for expected in [
        "cargo-lambda.log",
        "dmsflow-validate.log",
        "dmsflow-create.log",
        "dmsflow-cleanup.log",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} missing from the stack's logs: {names:?}"
        );
    }
    out
}

async fn get(stack: &Stack, url: &str) -> String {
    stack
        .http
        .get(url)
        .await
        .and_then(|a| a.ok(url))
        .unwrap_or_else(|e| panic!("GET {url}: {e}"))
        .text()
}

fn assert_nowhere(surfaces: &[(String, String)], secret: &str) {
    let leaks: Vec<&str> = surfaces
        .iter()
        .filter(|(_, text)| text.contains(secret))
        .map(|(name, _)| name.as_str())
        .collect();
    assert!(leaks.is_empty(), "{secret} leaked to {leaks:?}");
}

/// A secret in moto's Secrets Manager (through the stack's one endpoint); its ARN.
async fn create_secret(stack: &Stack, name: &str, value: &Value) -> String {
    let answer = stack
        .http
        .aws_json(
            &stack.endpoint_url(),
            "secretsmanager",
            "secretsmanager.CreateSecret",
            &json!({"Name": name, "SecretString": value.to_string()}),
        )
        .await
        .and_then(|a| a.ok("Secrets Manager CreateSecret"))
        .expect("CreateSecret")
        .json()
        .expect("CreateSecret answers JSON");
    answer["ARN"]
        .as_str()
        .unwrap_or_else(|| panic!("no ARN in {answer}"))
        .to_string()
}

fn canary(label: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("CANARY-{label}-{nanos:x}-{}", std::process::id())
}

/// The sample spec reading both endpoints' credentials from `secret_arn`,
/// deleting everything once it ends either way.
fn spec_with_secret(secret_arn: &str) -> Value {
    let mut spec = e2e::events("mysql-full-load-and-cdc.json");
    for side in ["source", "target"] {
        spec[side]["secret_arn"] = json!(secret_arn);
    }
    spec["completion"]["then"] = json!("stop-and-clean-up");
    spec["cleanup"] = json!({"on_success": "delete", "on_failure": "delete"});
    spec
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_secrets_value_appears_nowhere_after_a_run_and_a_failed_run() {
    let row = fault_matrix::row("canary-secret");
    let mut stack = e2e::stack().await;
    let password = canary("pw");
    let secret_arn = create_secret(
        &stack,
        "dmsflow/e2e-canary",
        &json!({"username": "dmsflow", "password": password,
                "host": "orders-db.example.internal", "port": 3306}),
    )
    .await;
    assert!(
        secret_arn.starts_with("arn:aws:secretsmanager:"),
        "{secret_arn}"
    );
    // The canary is real: moto's Secrets Manager holds it.
    let data = get(&stack, &format!("{}/moto-api/data.json", stack.moto_url())).await;
    assert!(
        data.contains(&password),
        "the secret does not hold the canary"
    );

    let mut outcomes = Vec::new();
    for (run_id, drills) in [
        ("e2e-secret-ok", vec![]),
        ("e2e-secret-failed", vec![Drill::FailTask]),
    ] {
        let prepared = e2e::prepare(&stack, spec_with_secret(&secret_arn), run_id, &drills);
        let outcome = e2e::run(&mut stack, &prepared).await;
        // DMS was given the secret's ARN for both endpoints, never a password.
        let endpoints: Vec<Value> = stack
            .calls()
            .into_iter()
            .filter(|c| c.ok() && c.operation == "CreateEndpoint")
            .filter(|c| {
                c.request
                    .to_string()
                    .contains(&format!("dmsflow-{run_id}-"))
            })
            .map(|c| c.request)
            .collect();
        assert_eq!(endpoints.len(), 2, "{endpoints:?}");
        for request in &endpoints {
            let secret_ids: Vec<&Value> = request
                .as_object()
                .into_iter()
                .flatten()
                .filter(|(key, _)| key.ends_with("Settings"))
                .filter_map(|(_, settings)| settings.get("SecretsManagerSecretId"))
                .collect();
            assert_eq!(secret_ids, [&json!(secret_arn)], "{request}");
            // The emulator logs a password field's value as `***`, but keeps the field.
            assert!(password_fields(request).is_empty(), "{request}");
        }
        e2e::assert_holds(&stack, run_id, row.resources_left());
        outcomes.push(outcome);
    }
    e2e::assert_succeeded(&outcomes[0]);
    e2e::assert_failed_with_one_alert(&outcomes[1], "CheckProgress", "TaskFailed", "");

    for outcome in &outcomes {
        let surfaces = leak_surfaces(&stack, outcome).await;
        // The surfaces are real: the secret's ARN is in what DMS received.
        assert!(
            surfaces
                .iter()
                .any(|(name, text)| name == "emulator calls" && text.contains(&secret_arn)),
            "the emulator's call log does not name the secret"
        );
        assert_nowhere(&surfaces, &password);
    }
    e2e::stop(stack).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_spec_with_a_plaintext_password_is_refused_before_any_dms_call() {
    let row = fault_matrix::row("plaintext-password");
    let mut stack = e2e::stack().await;
    let run_id = "e2e-plaintext";
    let password = canary("hunter2");
    let setting = canary("setting");
    let mut spec = e2e::events("mysql-full-load-and-cdc.json");
    spec["source"]["password"] = json!(password);
    spec["source"]["settings"] = json!({"Password": setting});
    let prepared = e2e::prepare(&stack, spec, run_id, &[]);

    let outcome = e2e::run(&mut stack, &prepared).await;

    let cause = e2e::failed_with(&outcome, row.error());
    let execution = &outcome.execution;
    assert!(
        cause.contains("source.password") && cause.contains("source.settings"),
        "the cause names both places: {cause}"
    );
    let alerts = e2e::failure_alerts(&outcome);
    assert_eq!(alerts.len(), 1, "{:?}", outcome.alerts);
    assert_eq!(alerts[0].1["failed_state"], row.state(), "{}", alerts[0].1);
    assert!(stack.calls().is_empty(), "{:?}", stack.calls());
    e2e::assert_holds(&stack, run_id, row.resources_left());

    // The execution input holds what the user sent, and the state document carries
    // it (`input`) until ValidateSpec has read it: those copies are the input
    // itself. Everything the workflow and the
    // functions produced — task results and failures, the execution's error,
    // cause and output, the alerts, DMS and CloudWatch, the logs — must not
    // repeat it.
    let mut surfaces = Vec::new();
    for event in stack.sfn.history(&execution.execution_arn).await.unwrap() {
        let mut details = event.details.clone();
        for field in ["input", "output", "parameters"] {
            if let Some(text) = details.get(field).and_then(Value::as_str) {
                details[field] = without_input_copies(text, &prepared.input);
            }
        }
        surfaces.push((
            format!("history event {} {}", event.id, event.kind),
            details.to_string(),
        ));
    }
    surfaces.push(("execution cause".into(), cause.to_string()));
    surfaces.push((
        "execution output".into(),
        execution.output.clone().unwrap_or_default(),
    ));
    surfaces.extend(stack_surfaces(&stack).await);
    for secret in [&password, &setting] {
        assert_nowhere(&surfaces, secret);
    }
    e2e::stop(stack).await;
}

/// A state's data or a task's parameters with each copy of the execution input
/// (ClaimRun's `$$.Execution.Input`, the state document's `input` until
/// ValidateSpec has read it, at whatever depth a Task's parameters or result put
/// the state document) replaced by a marker.
fn without_input_copies(text: &str, input: &Value) -> Value {
    let Ok(mut data) = serde_json::from_str::<Value>(text) else {
        return Value::String(text.to_string());
    };
    mark_input_copies(&mut data, input);
    data
}

fn mark_input_copies(data: &mut Value, input: &Value) {
    if data == input {
        *data = Value::String("(the execution input)".into());
        return;
    }
    match data {
        Value::Object(map) => map.values_mut().for_each(|v| mark_input_copies(v, input)),
        Value::Array(items) => items.iter_mut().for_each(|v| mark_input_copies(v, input)),
        _ => {}
    }
}

/// The fields of a request, at any depth, whose name says password.
fn password_fields(value: &Value) -> Vec<String> {
    match value {
        Value::Object(map) => map
            .iter()
            .flat_map(|(key, v)| {
                let mut found = password_fields(v);
                if key.to_ascii_lowercase().contains("password") {
                    found.push(key.clone());
                }
                found
            })
            .collect(),
        Value::Array(items) => items.iter().flat_map(password_fields).collect(),
        _ => Vec::new(),
    }
}
