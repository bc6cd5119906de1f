//! The validate Lambda function (ValidateSpec): checks the run's spec against what
//! the stack can reach and answers it normalized. It calls no AWS API, so it builds
//! no AWS client and its role may only write its own logs.

use dmsflow::spec::stack_bounds::StackBounds;
use dmsflow::steps::validate_spec;
use dmsflow::workflow::StepCall;
use lambda_runtime::{Error, LambdaEvent, service_fn};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    dmsflow::logging::init();
    let stack = StackBounds::from_vars(|name| std::env::var(name).ok());
    let stack = &stack;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<StepCall>| async move {
        validate_spec::step(event.payload, stack)
    }))
    .await
}
