//! The wave Lambda function (the wave state machine's StartRun, FollowRun,
//! SettleRun, ReportWave and NotifyWaveFailure): builds the Step Functions client
//! once (SNS's on the first publish), then serves `dmsflow::steps::wave::handle`.

// The handler dispatches its steps, each an async chain of SDK calls: their
// nested futures are deeper than the default limit lets rustc lay out.
#![recursion_limit = "256"]

use dmsflow::aws::clients;
use dmsflow::steps::wave::{self, WaveCall, WaveEnv};
use lambda_runtime::{Error, LambdaEvent, service_fn};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    dmsflow::logging::init();
    let (sfn, sns) = clients::sfn_and_lazy_sns_from_env().await;
    let (sfn, sns) = (&sfn, &sns);
    let machine = std::env::var("DMSFLOW_MIGRATION_STATE_MACHINE_ARN").ok();
    let alert_topic = clients::alert_topic_from_env();
    let env = WaveEnv {
        machine: machine.as_deref(),
        alert_topic: alert_topic.as_deref(),
    };
    lambda_runtime::run(service_fn(move |event: LambdaEvent<WaveCall>| async move {
        wave::handle(
            (sfn, sfn),
            sns,
            env,
            event.payload,
            std::time::SystemTime::now(),
        )
        .await
    }))
    .await
}
