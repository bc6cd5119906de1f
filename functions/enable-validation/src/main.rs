//! The enable-validation Lambda function: builds the DMS client once, then serves
//! [`dmsflow::steps::enable_validation::handle`] for every invocation.

use std::time::SystemTime;

use dmsflow::aws::clients;
use dmsflow::steps::{StepInput, enable_validation};
use lambda_runtime::{Error, LambdaEvent, service_fn};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    dmsflow::logging::init();
    let dms = clients::dms_from_env().await;
    let dms = &dms;
    lambda_runtime::run(service_fn(
        move |event: LambdaEvent<StepInput>| async move {
            enable_validation::handle(dms, event.payload, SystemTime::now()).await
        },
    ))
    .await
}
