//! The Runtime API stand-in serves a real `lambda_runtime` function: the
//! hello-world binary starts against it, asks for work, answers an invocation
//! under the request id it was given, and asks again.

use std::path::Path;

use dmsflow_bench::function::Function;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lambda_runtime_function_is_served_and_measured() {
    let bootstrap = Path::new(env!("CARGO_BIN_EXE_hello-world"));
    // The hello-world calls no AWS API; the endpoint is never used.
    let mut function = Function::spawn(bootstrap, "hello-world", "http://127.0.0.1:9", None)
        .await
        .expect("the function starts");
    let init = function.init().await.expect("it asks for work");
    assert!(!init.is_zero());

    for _ in 0..2 {
        let invocation = function
            .invoke(&json!({"name": "test"}))
            .await
            .expect("it answers");
        assert_eq!(
            invocation.result.expect("a response, not an error"),
            json!({"message": "hello world"})
        );
    }
    let peak = function.peak_memory().expect("a live process has a VmHWM");
    assert!(peak > 0);
    function.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bootstrap_that_cannot_start_is_named_in_the_error() {
    let missing = Path::new("/nonexistent/bootstrap");
    let error = Function::spawn(missing, "missing", "http://127.0.0.1:9", None)
        .await
        .err()
        .expect("a missing binary does not start");
    assert!(error.contains("/nonexistent/bootstrap"), "{error}");
}
