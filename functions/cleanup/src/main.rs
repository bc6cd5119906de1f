//! The cleanup Lambda function (Cleanup): builds the AWS clients once, then
//! serves `dmsflow::steps::cleanup::step` (stop and delete a run's resources).

use std::time::SystemTime;

use dmsflow::aws::clients::Clients;
use dmsflow::steps::cleanup;
use dmsflow::workflow::StepCall;
use lambda_runtime::{Error, LambdaEvent, service_fn};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    dmsflow::logging::init();
    let clients = Clients::from_env().await;
    let clients = &clients;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<StepCall>| async move {
        cleanup::step(&clients.dms, &clients.cloudwatch, event, SystemTime::now()).await
    }))
    .await
}
