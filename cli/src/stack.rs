//! The stack a command talks to: its migration state machine, named by
//! `--state-machine-arn` or found in the `StateMachineArn` output of the
//! CloudFormation stack `--stack`, and a Step Functions client in its Region.

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_sfn::config::ProvideCredentials;
use dmsflow::aws::clients;

use crate::{StackArgs, TROUBLE};

/// The output of a dmsflow stack that names its migration state machine.
const OUTPUT: &str = "StateMachineArn";

/// A connected stack.
pub struct Stack {
    pub sfn: aws_sdk_sfn::Client,
    /// CloudWatch in the stack's Region (the runs' alarms).
    pub cloudwatch: aws_sdk_cloudwatch::Client,
    pub machine: String,
}

impl Stack {
    /// The stack `args` name; every problem is one line with exit code 2.
    pub async fn connect(args: &StackArgs) -> Result<Stack, (u8, String)> {
        let machine = match (&args.state_machine_arn, &args.stack) {
            (Some(arn), _) => arn.clone(),
            (None, Some(name)) => {
                let config = config(args, None).await;
                credentials(&config).await?;
                state_machine_of(&config, name).await?
            }
            (None, None) => {
                return Err((
                    TROUBLE,
                    "give --stack NAME or --state-machine-arn ARN".into(),
                ));
            }
        };
        let region = machine
            .split(':')
            .nth(3)
            .filter(|r| machine.starts_with("arn:") && !r.is_empty())
            .ok_or_else(|| {
                (
                    TROUBLE,
                    format!(
                        "--state-machine-arn {machine} is not a state machine ARN (arn:aws:states:<region>:<account>:stateMachine:<name>); give the stack's {OUTPUT} output"
                    ),
                )
            })?;
        let config = config(args, Some(region)).await;
        credentials(&config).await?;
        Ok(Stack {
            sfn: aws_sdk_sfn::Client::new(&config),
            cloudwatch: aws_sdk_cloudwatch::Client::new(&config),
            machine,
        })
    }
}

/// The SDK configuration: the default credential chain (environment, profile
/// files), `region` or the environment's, `--endpoint-url`.
async fn config(args: &StackArgs, region: Option<&str>) -> SdkConfig {
    let mut loader =
        aws_config::defaults(BehaviorVersion::latest()).http_client(clients::https_client());
    if let Some(region) = region {
        loader = loader.region(Region::new(region.to_string()));
    }
    if let Some(url) = &args.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    loader.load().await
}

/// Fails with one line when the default chain finds no credentials (rather than
/// at the first call, with the SDK's whole chain of causes).
async fn credentials(config: &SdkConfig) -> Result<(), (u8, String)> {
    let missing = |why: String| {
        (
            TROUBLE,
            format!(
                "no AWS credentials ({why}): set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
            ),
        )
    };
    let provider = config
        .credentials_provider()
        .ok_or_else(|| missing("no credential provider".into()))?;
    provider
        .provide_credentials()
        .await
        .map(|_| ())
        .map_err(|e| missing(e.to_string()))
}

/// The `StateMachineArn` output of CloudFormation stack `name`.
async fn state_machine_of(config: &SdkConfig, name: &str) -> Result<String, (u8, String)> {
    let Some(region) = config.region() else {
        return Err((
            TROUBLE,
            "no AWS Region for --stack: set AWS_REGION (or a profile's region), or give --state-machine-arn".into(),
        ));
    };
    let cloudformation = aws_sdk_cloudformation::Client::new(config);
    let answer = cloudformation
        .describe_stacks()
        .stack_name(name)
        .send()
        .await
        .map_err(|e| {
            let fault = dmsflow::aws::fault::classify(e);
            let text = match fault {
                dmsflow::aws::AwsFault::Invalid(message) => {
                    format!("no stack {name} in {region}: {message}")
                }
                other => {
                    other
                        .into_step_error(&format!("reading stack {name} in {region}"))
                        .message
                }
            };
            (TROUBLE, text)
        })?;
    let stack = answer
        .stacks()
        .first()
        .ok_or_else(|| (TROUBLE, format!("no stack {name} in {region}")))?;
    stack
        .outputs()
        .iter()
        .find(|o| o.output_key() == Some(OUTPUT))
        .and_then(|o| o.output_value())
        .map(str::to_string)
        .ok_or_else(|| {
            (
                TROUBLE,
                format!(
                    "stack {name} in {region} has no {OUTPUT} output: is it a dmsflow stack (template.yaml)?"
                ),
            )
        })
}
