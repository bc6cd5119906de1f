//! The assess Lambda function (AssessMigration): builds the DMS client once, then
//! serves `dmsflow::steps::assess::step` for every call of its loop.

use std::time::SystemTime;

use dmsflow::aws::clients;
use dmsflow::steps::assess::{self, ReportStore};
use dmsflow::workflow::StepCall;
use lambda_runtime::{Error, LambdaEvent, service_fn};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    dmsflow::logging::init();
    let dms = clients::dms_from_env().await;
    let dms = &dms;
    let store = ReportStore::from_vars(|name| std::env::var(name).ok());
    let store = &store;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<StepCall>| async move {
        assess::step(dms, event.payload, store, SystemTime::now()).await
    }))
    .await
}
