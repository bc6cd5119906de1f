//! The claim-run Lambda function (ClaimRun): builds the Step Functions client
//! once, then serves `dmsflow::steps::claim_run::step` (what the input asks, and
//! which execution drives its run).

use dmsflow::aws::clients;
use dmsflow::steps::claim_run;
use dmsflow::workflow::StepCall;
use lambda_runtime::{Error, LambdaEvent, service_fn};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    dmsflow::logging::init();
    let sfn = clients::sfn_from_env().await;
    let sfn = &sfn;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<StepCall>| async move {
        claim_run::step(sfn, event.payload).await
    }))
    .await
}
