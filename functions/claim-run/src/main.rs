//! The claim-run Lambda function: builds the Step Functions client once, then
//! serves `dmsflow::steps::claim_run::handle` (which execution drives a run).

use dmsflow::aws::clients;
use dmsflow::steps::claim_run::{self, ClaimInput};
use lambda_runtime::{Error, LambdaEvent, service_fn};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    dmsflow::logging::init();
    let sfn = clients::sfn_from_env().await;
    let sfn = &sfn;
    lambda_runtime::run(service_fn(
        move |event: LambdaEvent<ClaimInput>| async move {
            claim_run::handle(sfn, event.payload).await
        },
    ))
    .await
}
