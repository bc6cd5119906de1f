//! The check-progress Lambda function (CheckProgress): builds the AWS clients
//! once, then serves [`dmsflow::steps::check_progress::step`] for every check.

use std::time::SystemTime;

use dmsflow::aws::clients::Clients;
use dmsflow::steps::check_progress;
use dmsflow::workflow::StepCall;
use lambda_runtime::{Error, LambdaEvent, service_fn};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    dmsflow::logging::init();
    let clients = Clients::from_env().await;
    let clients = &clients;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<StepCall>| async move {
        check_progress::step(
            &clients.dms,
            &clients.cloudwatch,
            event.payload,
            SystemTime::now(),
        )
        .await
    }))
    .await
}
