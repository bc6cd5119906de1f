//! The Task states' resources in the simulation: the real step handlers (on the
//! simulated DMS), SNS publishes and `states:startExecution` recorded.

use lambda_runtime::{Context, Diagnostic, LambdaEvent};
use serde::Serialize;
use serde_json::{Value, json};

use dmsflow::StepError;
use dmsflow::aws::AwsResult;
use dmsflow::aws::executions::{Described, Executions, Listed};
use dmsflow::steps::{
    StepInput, check_progress, claim_run, cleanup, create, enable_validation, start,
    test_connection,
};

use super::interpreter::{TaskError, Tasks, rfc3339, system_time};
use super::sim_dms::SimDms;

/// The simulation's value of a definition placeholder: `${CheckProgressFunctionArn}`
/// names the function `check-progress`.
pub fn substitution(name: &str) -> Option<String> {
    match name {
        "Region" => Some("us-east-1".into()),
        "AlertTopicArn" => Some("arn:aws:sns:us-east-1:123456789012:dmsflow-alerts".into()),
        _ => {
            let function = name.strip_suffix("FunctionArn")?;
            let mut kebab = String::new();
            for (i, c) in function.char_indices() {
                if c.is_ascii_uppercase() && i > 0 {
                    kebab.push('-');
                }
                kebab.push(c.to_ascii_lowercase());
            }
            Some(kebab)
        }
    }
}

/// The execution being simulated, as Step Functions would list and describe it.
#[derive(Debug, Clone, Default)]
pub struct Current {
    pub arn: String,
    pub input: Value,
    pub started_ms: i64,
}

/// A published alert, or a successor execution started.
#[derive(Debug, Clone)]
pub enum Effect {
    Published { at: f64, subject: String },
    Started { name: String, input: Value },
}

pub struct Functions<'d> {
    pub dms: &'d SimDms,
    pub runtime: tokio::runtime::Runtime,
    pub effects: Vec<Effect>,
    pub current: Current,
}

/// Step Functions as the election sees it: this execution is the only one running.
impl Executions for Current {
    async fn running(&self, _state_machine_arn: &str) -> AwsResult<Vec<Listed>> {
        Ok(vec![Listed {
            execution_arn: self.arn.clone(),
            started_ms: self.started_ms,
        }])
    }
    async fn describe(&self, execution_arn: &str) -> AwsResult<Described> {
        Ok(Described {
            execution_arn: execution_arn.to_string(),
            status: "RUNNING".into(),
            started_ms: self.started_ms,
            input: Some(self.input.to_string()),
        })
    }
}

impl Tasks for Functions<'_> {
    fn run(&mut self, resource: &str, parameters: &Value, now: f64) -> Result<Value, TaskError> {
        self.dms.set_now(now);
        match resource {
            "arn:aws:states:::lambda:invoke" => {
                let function = parameters["FunctionName"].as_str().unwrap_or_default();
                let payload = parameters["Payload"].clone();
                let output = self.invoke(function, payload, now)?;
                Ok(json!({"Payload": output, "StatusCode": 200}))
            }
            "arn:aws:states:::sns:publish" => {
                let subject = parameters["Subject"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string();
                self.effects.push(Effect::Published { at: now, subject });
                Ok(json!({"MessageId": format!("message-{}", self.effects.len())}))
            }
            "arn:aws:states:::states:startExecution" => {
                let name = parameters["Name"].as_str().unwrap_or_default().to_string();
                let arn = format!("arn:aws:states:us-east-1:123456789012:execution:dmsflow:{name}");
                let input = parameters["Input"].clone();
                self.effects.push(Effect::Started { name, input });
                Ok(json!({"ExecutionArn": arn, "StartDate": rfc3339(now)}))
            }
            other => Err(failure(
                "States.Runtime",
                format!("resource {other} is not simulated"),
            )),
        }
    }
}

impl Functions<'_> {
    fn invoke(&self, function: &str, payload: Value, now: f64) -> Result<Value, TaskError> {
        let dms = self.dms;
        let at = system_time(now);
        let step_input = || -> Result<StepInput, TaskError> {
            serde_json::from_value(payload.clone())
                .map_err(|e| failure("InvalidSpec", e.to_string()))
        };
        self.runtime.block_on(async {
            match function {
                "create" => {
                    let mut context = Context::default();
                    context.invoked_function_arn =
                        "arn:aws:lambda:us-east-1:123456789012:function:dmsflow-create".into();
                    answer(
                        create::handle(dms, dms, LambdaEvent::new(payload.clone(), context), at)
                            .await,
                    )
                }
                "claim-run" => {
                    let input = serde_json::from_value(payload.clone())
                        .map_err(|e| failure("InvalidSpec", e.to_string()))?;
                    answer(claim_run::handle(&self.current, input).await)
                }
                "test-connection" => answer(test_connection::handle(dms, step_input()?, at).await),
                "enable-validation" => {
                    answer(enable_validation::handle(dms, step_input()?, at).await)
                }
                "start" => answer(start::handle(dms, step_input()?, at).await),
                "check-progress" => {
                    answer(check_progress::handle(dms, dms, step_input()?, at).await)
                }
                "cleanup" => answer(
                    cleanup::handle(
                        dms,
                        dms,
                        LambdaEvent::new(payload.clone(), Context::default()),
                    )
                    .await,
                ),
                other => Err(failure(
                    "States.Runtime",
                    format!("function {other} is not simulated"),
                )),
            }
        })
    }
}

/// A handler's result as a Lambda invoke result: the output, or the error with
/// the cause Step Functions reports (`{"errorType","errorMessage"}`).
fn answer<T: Serialize>(result: Result<T, StepError>) -> Result<Value, TaskError> {
    match result {
        Ok(output) => {
            serde_json::to_value(output).map_err(|e| failure("States.Runtime", e.to_string()))
        }
        Err(error) => {
            let diagnostic = Diagnostic::from(error);
            let cause = json!({"errorType": diagnostic.error_type, "errorMessage": diagnostic.error_message});
            Err(failure(&diagnostic.error_type, cause.to_string()))
        }
    }
}

fn failure(error: &str, cause: String) -> TaskError {
    TaskError {
        error: error.to_string(),
        cause,
    }
}
