//! The baseline of the cold-start figures: a hello-world `lambda_runtime` function,
//! built with the same release profile as the dmsflow functions.

use lambda_runtime::{Error, LambdaEvent, service_fn};
use serde_json::{Value, json};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    lambda_runtime::run(service_fn(|_event: LambdaEvent<Value>| async {
        Ok::<Value, Error>(json!({"message": "hello world"}))
    }))
    .await
}
