//! The notify Lambda function (NotifyFailure, NotifySuccess, and the safety net's
//! EventBridge rule): builds the SNS client once (the Step Functions client, which
//! only the safety net needs, on its first call), then serves
//! `dmsflow::steps::notify::handle`.

use dmsflow::aws::clients;
use dmsflow::steps::notify;
use lambda_runtime::{Error, LambdaEvent, service_fn};
use serde_json::Value;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    dmsflow::logging::init();
    let (sns, sfn) = clients::sns_and_history_from_env().await;
    let (sns, sfn) = (&sns, &sfn);
    let alert_topic = clients::alert_topic_from_env();
    let alert_topic = alert_topic.as_deref();
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        notify::handle(sns, sfn, alert_topic, event.payload).await
    }))
    .await
}
