//! The continue Lambda function (ContinueInNewExecution): builds the Step
//! Functions client once, then serves
//! `dmsflow::steps::continue_in_new_execution::step`.

use dmsflow::aws::clients;
use dmsflow::steps::continue_in_new_execution;
use dmsflow::workflow::StepCall;
use lambda_runtime::{Error, LambdaEvent, service_fn};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    dmsflow::logging::init();
    let sfn = clients::sfn_from_env().await;
    let sfn = &sfn;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<StepCall>| async move {
        continue_in_new_execution::step(sfn, sfn, event.payload).await
    }))
    .await
}
