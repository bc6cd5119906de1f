//! The test-connection Lambda function: builds the AWS clients once, then serves
//! [`dmsflow::steps::test_connection::handle`] for every invocation.

use std::time::SystemTime;

use dmsflow::aws::clients::Clients;
use dmsflow::steps::{StepInput, test_connection};
use lambda_runtime::{Error, LambdaEvent, service_fn};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    dmsflow::logging::init();
    let clients = Clients::from_env().await;
    let clients = &clients;
    lambda_runtime::run(service_fn(
        move |event: LambdaEvent<StepInput>| async move {
            test_connection::handle(&clients.dms, event.payload, SystemTime::now()).await
        },
    ))
    .await
}
