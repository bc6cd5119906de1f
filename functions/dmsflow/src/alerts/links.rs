//! Console links of a run: its execution, its DMS task, the task's log group and
//! the run's dashboard.

use serde_json::{Map, Value};

use crate::naming::Names;

/// Where a person looks, for one execution (and its run's task, when known).
#[derive(Debug, Clone, PartialEq)]
pub struct Links<'a> {
    execution_arn: &'a str,
    region: &'a str,
    task: Option<&'a str>,
    instance: Option<&'a str>,
    /// `task` names a DMS Serverless replication config, not a task.
    config: bool,
}

impl<'a> Links<'a> {
    /// The region is the execution ARN's (`arn:aws:states:<region>:...`).
    pub fn new(execution_arn: &'a str, task: Option<&'a str>, instance: Option<&'a str>) -> Self {
        let region = execution_arn.split(':').nth(3).unwrap_or("us-east-1");
        Links {
            execution_arn,
            region,
            task,
            instance,
            config: false,
        }
    }

    /// The run's replication is a DMS Serverless replication config: no task
    /// page to link (the console URL of a config is not documented), no instance.
    pub fn on_serverless(mut self, serverless: bool) -> Self {
        self.config = serverless;
        if serverless {
            self.instance = None;
        }
        self
    }

    /// The execution's name (the ARN's last part).
    pub fn execution_name(&self) -> &'a str {
        self.execution_arn
            .rsplit(':')
            .next()
            .unwrap_or(self.execution_arn)
    }

    fn console(&self, service_path: &str) -> String {
        let region = self.region;
        format!("https://{region}.console.aws.amazon.com/{service_path}?region={region}")
    }

    pub fn execution(&self) -> String {
        format!(
            "{}#/v2/executions/details/{}",
            self.console("states/home"),
            self.execution_arn
        )
    }

    /// The DMS task's page.
    pub fn task(&self, task: &str) -> String {
        format!("{}#taskDetails/{task}", self.console("dms/v2/home"))
    }

    /// The log group DMS writes a task's log to, when task logging is on:
    /// `dms-tasks-<replication instance identifier>` (one stream per task,
    /// `dms-task-<task resource id>`). Source: the task settings DMS writes back
    /// (`Logging.CloudWatchLogGroup`/`CloudWatchLogStream`), as quoted in the DMS
    /// user guide's task settings example, and AWS's sample scripts that derive
    /// the group from the instance identifier.
    pub fn log_group(instance: &str) -> String {
        format!("dms-tasks-{instance}")
    }

    pub fn log_group_console(&self, instance: &str) -> String {
        format!(
            "{}#logsV2:log-groups/log-group/{}",
            self.console("cloudwatch/home"),
            Self::log_group(instance)
        )
    }

    /// The run's dashboard's page ([`crate::dashboard::console_url`]).
    pub fn dashboard(&self, name: &str) -> String {
        crate::dashboard::console_url(self.region, name)
    }

    /// Adds the task's links to a document and a text, when the run's names are
    /// known: the task, the run's dashboard, and the task's log.
    pub fn add_task_links(&self, fields: &mut Map<String, Value>, text: &mut String) {
        if let Some(config) = self.task.filter(|_| self.config) {
            fields.insert("replication_config".into(), config.into());
            text.push_str(&format!(
                "\nDMS Serverless replication config: {config} (DMS console, Serverless replications)"
            ));
        } else if let Some(task) = self.task {
            fields.insert("replication_task".into(), task.into());
            fields.insert("dms_task_console".into(), self.task(task).into());
            text.push_str(&format!("\nDMS task: {task} {}", self.task(task)));
        }
        if let Some(run_id) = self.task.and_then(Names::run_of_task) {
            let name = Names::for_run(run_id).dashboard;
            fields.insert("dashboard".into(), name.clone().into());
            fields.insert("dashboard_console".into(), self.dashboard(&name).into());
            text.push_str(&format!(
                "\nDashboard: {name} {} (while the run's resources exist)",
                self.dashboard(&name)
            ));
        }
        if let Some(instance) = self.instance {
            let group = Self::log_group(instance);
            fields.insert("task_log_group".into(), group.clone().into());
            fields.insert(
                "task_log_console".into(),
                self.log_group_console(instance).into(),
            );
            text.push_str(&format!(
                "\nTask log: CloudWatch log group {group} {}",
                self.log_group_console(instance)
            ));
        }
    }
}
