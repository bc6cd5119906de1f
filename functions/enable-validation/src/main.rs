//! The enable-validation Lambda function: builds the AWS clients once, then serves
//! [`dmsflow::steps::enable_validation::handle`] for every invocation.

use std::time::SystemTime;

use dmsflow::aws::clients::Clients;
use dmsflow::steps::{StepInput, enable_validation};
use lambda_runtime::{Error, LambdaEvent, service_fn};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    dmsflow::logging::init();
    let clients = Clients::from_env().await;
    let clients = &clients;
    lambda_runtime::run(service_fn(
        move |event: LambdaEvent<StepInput>| async move {
            enable_validation::handle(&clients.dms, event.payload, SystemTime::now()).await
        },
    ))
    .await
}
