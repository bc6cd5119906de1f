//! The create Lambda function: builds the AWS clients once, then serves
//! ValidateSpec (`dmsflow::steps::validate_spec`) and CreateResources
//! (`dmsflow::steps::create`), by the state that calls it.
// The create step's future is deep (every resource's calls); its layout needs more
// than the default query depth.
#![recursion_limit = "256"]

use std::time::SystemTime;

use dmsflow::aws::clients::Clients;
use dmsflow::spec::stack_bounds::StackBounds;
use dmsflow::steps::{create, validate_spec};
use dmsflow::workflow::StepCall;
use lambda_runtime::{Error, LambdaEvent, service_fn};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    dmsflow::logging::init();
    let clients = Clients::from_env().await;
    let clients = &clients;
    let stack = StackBounds::from_vars(|name| std::env::var(name).ok());
    let stack = &stack;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<StepCall>| async move {
        if event.payload.step == "ValidateSpec" {
            return validate_spec::step(event.payload, stack);
        }
        create::step(&clients.dms, &clients.cloudwatch, event, SystemTime::now()).await
    }))
    .await
}
