//! The create Lambda function: builds the AWS clients once, then serves
//! `dmsflow::steps::create::handle` (validate a spec, or create the run's resources).

use std::time::SystemTime;

use dmsflow::aws::clients::Clients;
use dmsflow::steps::create;
use lambda_runtime::{Error, LambdaEvent, service_fn};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    dmsflow::logging::init();
    let clients = Clients::from_env().await;
    let clients = &clients;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<_>| async move {
        create::handle(&clients.dms, &clients.cloudwatch, event, SystemTime::now()).await
    }))
    .await
}
