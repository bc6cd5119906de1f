//! The create Lambda function (CreateResources): builds the AWS clients once, then
//! serves `dmsflow::steps::create` for every call of its loop.
// The create step's future is deep (every resource's calls); its layout needs more
// than the default query depth.
#![recursion_limit = "256"]

use std::time::SystemTime;

use dmsflow::aws::clients::Clients;
use dmsflow::steps::create;
use dmsflow::workflow::StepCall;
use lambda_runtime::{Error, LambdaEvent, service_fn};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    dmsflow::logging::init();
    let clients = Clients::from_env().await;
    let clients = &clients;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<StepCall>| async move {
        create::step(&clients.dms, &clients.cloudwatch, event, SystemTime::now()).await
    }))
    .await
}
