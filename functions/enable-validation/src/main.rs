//! The enable-validation Lambda function (EnableValidation): builds the DMS client once, then serves
//! `dmsflow::steps::enable_validation::handle` for every call of its loop.

use std::time::SystemTime;

use dmsflow::aws::clients;
use dmsflow::steps::enable_validation;
use dmsflow::workflow::{self, StepCall};
use lambda_runtime::{Error, LambdaEvent, service_fn};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    dmsflow::logging::init();
    let dms = clients::dms_from_env().await;
    let dms = &dms;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<StepCall>| async move {
        let now = SystemTime::now();
        workflow::advance(event.payload, now, |input| {
            enable_validation::handle(dms, input, now)
        })
        .await
    }))
    .await
}
