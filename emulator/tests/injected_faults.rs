//! Injected faults: a scenario makes one DMS operation answer with a real DMS
//! fault, for a number of calls or for good, and the SDK sees DMS's own shape.

mod common;

use common::*;
use dms_emulator::Scenario;

fn scenario(faults: &str) -> Scenario {
    Scenario::from_json(&format!(r#"{{"faults": {faults}}}"#)).expect("a valid scenario")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_permanent_fault_answers_every_call_and_does_nothing() {
    let env = start_with(scenario(
        r#"[{"operation": "CreateReplicationInstance", "code": "InsufficientResourceCapacityFault",
             "message": "Insufficient capacity for dms.t3.medium in us-east-1a."}]"#,
    ))
    .await;
    for _ in 0..3 {
        let err = env
            .dms
            .create_replication_instance()
            .replication_instance_identifier("ri-1")
            .replication_instance_class("dms.t3.medium")
            .send()
            .await
            .unwrap_err();
        assert!(
            err.as_service_error()
                .is_some_and(|e| e.is_insufficient_resource_capacity_fault())
        );
        assert_eq!(
            message(&err),
            "Insufficient capacity for dms.t3.medium in us-east-1a."
        );
    }
    assert_eq!(env.handle.emulator().resources()["total"], 0);
    let calls = env.handle.emulator().calls();
    assert_eq!(calls["count"], 3);
    assert_eq!(
        calls["calls"][0]["outcome"],
        "InsufficientResourceCapacityFault"
    );
    // Other operations are untouched.
    create_endpoint(&env.dms, "src", "source", vec![]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_counted_fault_wears_off_and_the_call_then_works() {
    let env = start().await;
    let setup = setup(&env.dms, "busy").await;
    env.handle.emulator().set_scenario(scenario(
        r#"[{"operation": "DeleteEndpoint", "code": "InvalidResourceStateFault", "times": 2}]"#,
    ));
    for _ in 0..2 {
        let err = env
            .dms
            .delete_endpoint()
            .endpoint_arn(&setup.source_arn)
            .send()
            .await
            .unwrap_err();
        assert_eq!(code(&err), "InvalidResourceStateFault");
        assert!(
            message(&err).contains("DeleteEndpoint"),
            "{}",
            message(&err)
        );
    }
    env.dms
        .delete_endpoint()
        .endpoint_arn(&setup.source_arn)
        .send()
        .await
        .expect("the third call deletes");
}

#[test]
fn a_scenario_refuses_unknown_operations_codes_and_shares() {
    let unknown_code =
        Scenario::from_json(r#"{"faults": [{"operation": "DeleteEndpoint", "code": "Oops"}]}"#)
            .unwrap_err();
    assert!(unknown_code.contains("AccessDeniedFault"), "{unknown_code}");
    let unknown_operation = Scenario::from_json(
        r#"{"faults": [{"operation": "DeleteEverything", "code": "AccessDeniedFault"}]}"#,
    )
    .unwrap_err();
    assert!(unknown_operation.contains("DeleteEverything"));
    assert!(Scenario::from_json(r#"{"throttle": {"percent": 101}}"#).is_err());
    assert!(Scenario::from_json(r#"{"throttle": {"percent": 60, "for_calls": 40}}"#).is_ok());
}
