//! The cutover Lambda function: builds the AWS clients once, then serves the
//! cutover's steps by the state that calls it: DrainReplication
//! (`dmsflow::steps::drain_replication`), StopReplication
//! (`dmsflow::steps::stop_replication`) and VerifyTarget
//! (`dmsflow::steps::verify_target`).

use std::time::SystemTime;

use dmsflow::aws::clients::Clients;
use dmsflow::steps::{drain_replication, stop_replication, verify_target};
use dmsflow::workflow::StepCall;
use lambda_runtime::{Error, LambdaEvent, service_fn};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    dmsflow::logging::init();
    let clients = Clients::from_env().await;
    let clients = &clients;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<StepCall>| async move {
        let call = event.payload;
        let now = SystemTime::now();
        match call.step.as_str() {
            "StopReplication" => stop_replication::step(&clients.dms, call, now).await,
            "VerifyTarget" => verify_target::step(&clients.dms, call, now).await,
            _ => drain_replication::step(&clients.dms, &clients.cloudwatch, call, now).await,
        }
    }))
    .await
}
