//! The PrepareWave Lambda function (the wave state machine's first step): builds
//! the Step Functions client once (S3's on the first read or write), then serves
//! `dmsflow::steps::prepare_wave::handle`. A function of its own: it is the only
//! step that reads and writes S3, and S3's client would take the wave
//! function's bootstrap past its size budget.

use dmsflow::aws::clients;
use dmsflow::spec::stack_bounds::StackBounds;
use dmsflow::steps::prepare_wave::{self, PrepareEnv};
use dmsflow::steps::wave::WaveCall;
use lambda_runtime::{Error, LambdaEvent, service_fn};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    dmsflow::logging::init();
    let (sfn, s3) = clients::sfn_and_lazy_s3_from_env().await;
    let (sfn, s3) = (&sfn, &s3);
    let stack = StackBounds::from_vars(|name| std::env::var(name).ok());
    let machine = std::env::var("DMSFLOW_MIGRATION_STATE_MACHINE_ARN").ok();
    let bucket = std::env::var("DMSFLOW_WAVE_BUCKET")
        .ok()
        .filter(|b| !b.trim().is_empty());
    let env = PrepareEnv {
        stack: &stack,
        machine: machine.as_deref(),
        bucket: bucket.as_deref(),
    };
    lambda_runtime::run(service_fn(move |event: LambdaEvent<WaveCall>| async move {
        prepare_wave::handle(sfn, s3, env, event.payload).await
    }))
    .await
}
