//! The README's workflow diagram is the one rendered from
//! `statemachine/migration.asl.json` by `support/workflow_diagram.rs`, so a reader
//! sees the state machine as it is. Regenerate it with
//! `DMSFLOW_WRITE_DIAGRAM=1 cargo test -p dmsflow-tests --test workflow_diagram`.

#[path = "support/workflow_diagram.rs"]
mod diagram;
mod support;

use support::asl;

const README: &str = "README.md";
const BEGIN: &str = "<!-- workflow-diagram:begin (generated from statemachine/migration.asl.json: \
                     DMSFLOW_WRITE_DIAGRAM=1 cargo test -p dmsflow-tests --test workflow_diagram) -->";
const END: &str = "<!-- workflow-diagram:end -->";

/// The README's text between the markers (exclusive), and where it lies.
fn diagram_in(readme: &str) -> Option<(usize, usize)> {
    let start = readme.find(BEGIN)? + BEGIN.len();
    let end = start + readme[start..].find(END)?;
    Some((start, end))
}

#[test]
fn the_readme_holds_the_diagram_of_the_definition() {
    let readme = support::read(README);
    let Some((start, end)) = diagram_in(&readme) else {
        panic!("{README} has no workflow diagram between {BEGIN} and {END}");
    };
    let mermaid = diagram::render(&support::read(asl::PATH))
        .unwrap_or_else(|e| panic!("{} cannot be drawn: {e}", asl::PATH));
    let rendered = format!("\n```mermaid\n{mermaid}```\n");
    if readme[start..end] == rendered {
        return;
    }
    if std::env::var_os("DMSFLOW_WRITE_DIAGRAM").is_some() {
        let updated = format!("{}{rendered}{}", &readme[..start], &readme[end..]);
        std::fs::write(support::root().join(README), updated).expect("README.md is writable");
        return;
    }
    panic!(
        "{README}'s workflow diagram is not the one drawn from {}: \
         run `DMSFLOW_WRITE_DIAGRAM=1 cargo test -p dmsflow-tests --test workflow_diagram` \
         and commit README.md",
        asl::PATH
    );
}

#[test]
fn every_state_of_the_definition_is_drawn() {
    let mermaid = diagram::render(&support::read(asl::PATH)).expect("the definition draws");
    let asl = asl::Asl::load();
    let states = asl.states();
    for name in states.keys() {
        let label = format!("\"{}\"", name.replace('"', "#quot;"));
        assert_eq!(
            mermaid
                .lines()
                .filter(|l| !l.contains("-->") && !l.contains("-.->") && l.contains(&label))
                .count(),
            1,
            "state {name} is drawn once"
        );
    }
}

/// A Task that catches every error, a Choice with two choices and a Default, a Wait,
/// a Succeed and a Fail, listed in an order that is not the alphabetical one.
const SMALL: &str = r#"{
  "StartAt": "Work",
  "States": {
    "Work": {
      "Type": "Task",
      "Resource": "arn:aws:states:::lambda:invoke",
      "Next": "Done?",
      "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Failed"}]
    },
    "Done?": {
      "Type": "Choice",
      "Choices": [
        {"Variable": "$.loop.report.done", "BooleanEquals": true, "Next": "Finished"},
        {"Variable": "$.loop.checks", "NumericGreaterThanEqualsPath": "$.loop.max_checks", "Next": "Failed"}
      ],
      "Default": "Wait a \"bit\""
    },
    "Wait a \"bit\"": {"Type": "Wait", "Seconds": 5, "Next": "Work"},
    "Finished": {"Type": "Succeed"},
    "Failed": {"Type": "Fail", "Error": "Failed"}
  }
}"#;

const PROLOGUE: [&str; 4] = [
    "flowchart TD",
    "    classDef succeed fill:#d3f9d8,stroke:#2b8a3e",
    "    classDef fail fill:#ffe3e3,stroke:#c92a2a",
    "    start((\"start\"))",
];

fn lines(text: &str) -> Vec<String> {
    diagram::render(text)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

fn expected(body: &[&str]) -> Vec<String> {
    PROLOGUE.iter().chain(body).map(|l| l.to_string()).collect()
}

#[test]
fn a_small_definition_is_drawn_state_by_state_in_definition_order() {
    assert_eq!(
        lines(SMALL),
        expected(&[
            "    s0[\"Work\"]",
            "    s1{\"Done?\"}",
            "    s2([\"Wait a #quot;bit#quot;\"])",
            "    s3(((\"Finished\"))):::succeed",
            "    s4(((\"Failed\"))):::fail",
            "    start --> s0",
            "    s0 --> s1",
            "    s0 -.->|\"error\"| s4",
            "    s1 -->|\"done\"| s3",
            "    s1 -->|\"checks ≥ max_checks\"| s4",
            "    s1 -->|\"otherwise\"| s2",
            "    s2 --> s0",
        ])
    );
    assert!(diagram::render(SMALL).unwrap().ends_with('\n'));
}

#[test]
fn a_state_that_ends_the_machine_goes_to_an_end_node() {
    let text = r#"{"StartAt": "Only", "States": {"Only": {"Type": "Pass", "End": true}}}"#;
    assert_eq!(
        lines(text),
        expected(&[
            "    s0(\"Only\")",
            "    stop((\"end\"))",
            "    start --> s0",
            "    s0 --> stop",
        ])
    );
}

#[test]
fn a_map_draws_its_states_in_a_subgraph() {
    let text = r#"{"StartAt": "Each", "States": {
      "Each": {"Type": "Map", "Next": "Done",
        "ItemProcessor": {"StartAt": "One", "States": {"One": {"Type": "Task", "End": true}}}},
      "Done": {"Type": "Succeed"}}}"#;
    assert_eq!(
        lines(text),
        expected(&[
            "    s0[[\"Each\"]]",
            "    subgraph s0b0 [\"Each: each item\"]",
            "        s1[\"One\"]",
            "    end",
            "    s2(((\"Done\"))):::succeed",
            "    start --> s0",
            "    s0 -->|\"each item\"| s1",
            "    s0 --> s2",
        ])
    );
}

/// The label of the edge of a Choice whose only choice is `rule`.
fn choice_label(rule: &str) -> String {
    let text = format!(
        r#"{{"StartAt": "C", "States": {{
          "C": {{"Type": "Choice", "Choices": [{rule}], "Default": "E"}},
          "E": {{"Type": "Succeed"}}}}}}"#
    );
    let mermaid = diagram::render(&text).unwrap();
    let line = mermaid
        .lines()
        .find(|l| l.starts_with("    s0 -->|") && !l.contains("otherwise"))
        .unwrap_or_else(|| panic!("no choice edge in {mermaid}"));
    line["    s0 -->|\"".len()..line.len() - "\"| s1".len()].to_string()
}

#[test]
fn choice_labels_are_short_forms_of_the_conditions() {
    let cases = [
        (
            r#"{"Variable": "$.report.done", "BooleanEquals": false, "Next": "E"}"#,
            "not done",
        ),
        (
            r#"{"Variable": "$.cleanup.request.reason", "StringEquals": "success", "Next": "E"}"#,
            "reason = success",
        ),
        (
            r#"{"Variable": "$.run.names", "IsPresent": true, "Next": "E"}"#,
            "names present",
        ),
        (
            r#"{"Variable": "$.failure.topic_arn", "StringEqualsPath": "$.deployment.alert_topic_arn", "Next": "E"}"#,
            "topic_arn = alert_topic_arn",
        ),
        (
            r#"{"Variable": "$.error.Cause", "StringMatches": "{\"errorType\"*}", "Next": "E"}"#,
            "Cause matches {#quot;errorType#quot;*}",
        ),
        (
            r#"{"Variable": "$.n", "NumericLessThan": 3, "Next": "E"}"#,
            "n #lt; 3",
        ),
        (
            r#"{"Not": {"Variable": "$.input.action", "IsPresent": true}, "Next": "E"}"#,
            "not (action present)",
        ),
        (
            r#"{"And": [{"Variable": "$.input.action", "IsPresent": true},
                        {"Variable": "$.input.action", "StringEquals": "cleanup"},
                        {"Variable": "$.input.run_id", "IsString": true}], "Next": "E"}"#,
            "action = cleanup and run_id is a string",
        ),
        (
            r#"{"Or": [{"Variable": "$.a", "IsPresent": true}, {"Variable": "$.b", "IsPresent": true},
                       {"Variable": "$.c", "IsPresent": true}, {"Variable": "$.d", "IsPresent": true}],
                "Next": "E"}"#,
            "a present or b present or 2 more",
        ),
        (
            r#"{"Condition": "{% $states.input.done %}", "Next": "E"}"#,
            "$states.input.done",
        ),
        (
            r#"{"Variable": "$.a_rather_long_name", "StringEquals": "and an even longer value than that", "Next": "E"}"#,
            "a_rather_long_name = and an even longer value t…",
        ),
    ];
    for (rule, label) in cases {
        assert_eq!(choice_label(rule), label, "{rule}");
    }
}

#[test]
fn catch_labels_name_the_errors_shortly() {
    let text = r#"{"StartAt": "T", "States": {
      "T": {"Type": "Task", "End": true, "Catch": [
        {"ErrorEquals": ["StepFunctions.ExecutionAlreadyExistsException", "RunInProgress"], "Next": "F"},
        {"ErrorEquals": ["States.ALL"], "Next": "F"}]},
      "F": {"Type": "Fail"}}}"#;
    let mermaid = diagram::render(text).unwrap();
    assert!(
        mermaid.contains("    s0 -.->|\"ExecutionAlreadyExists, RunInProgress\"| s1\n"),
        "{mermaid}"
    );
    assert!(mermaid.contains("    s0 -.->|\"error\"| s1\n"), "{mermaid}");
}

#[test]
fn what_cannot_be_drawn_is_refused() {
    let missing = r#"{"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}}}"#;
    assert!(diagram::render(missing).unwrap_err().contains("\"B\""));
    let unknown = r#"{"StartAt": "A", "States": {"A": {"Type": "Sleep", "End": true}}}"#;
    assert!(diagram::render(unknown).unwrap_err().contains("\"Sleep\""));
    assert!(diagram::render("{}").is_err());
}
