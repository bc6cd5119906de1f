//! The start Lambda function: builds the DMS client once, then serves
//! [`dmsflow::steps::start::handle`] for every invocation.

use std::time::SystemTime;

use dmsflow::aws::clients;
use dmsflow::steps::{StepInput, start};
use lambda_runtime::{Error, LambdaEvent, service_fn};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    dmsflow::logging::init();
    let dms = clients::dms_from_env().await;
    let dms = &dms;
    lambda_runtime::run(service_fn(
        move |event: LambdaEvent<StepInput>| async move {
            start::handle(dms, event.payload, SystemTime::now()).await
        },
    ))
    .await
}
