//! The cleanup Lambda function: builds the AWS clients once, then serves
//! `dmsflow::steps::cleanup::handle` (stop and delete a run's resources).

use dmsflow::aws::clients::Clients;
use dmsflow::steps::cleanup;
use lambda_runtime::{Error, LambdaEvent, service_fn};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    dmsflow::logging::init();
    let clients = Clients::from_env().await;
    let clients = &clients;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<_>| async move {
        cleanup::handle(&clients.dms, &clients.cloudwatch, event).await
    }))
    .await
}
