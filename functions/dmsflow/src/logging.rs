//! The functions' log output: what `lambda_runtime`'s default subscriber does,
//! without the regular-expression engine its `EnvFilter` carries.
//!
//! - The level follows Lambda's advanced logging controls: `AWS_LAMBDA_LOG_LEVEL`,
//!   else `RUST_LOG` as a bare level, else `INFO`.
//! - `RUST_LOG` may also hold `target=level` directives, comma separated (such as
//!   `dmsflow=debug,aws_smithy_runtime=trace`); when it holds any valid directive they
//!   decide alone, as with `EnvFilter`. Invalid directives are ignored with a note on
//!   stderr; span and field directives (`[span]=debug`, which need `EnvFilter`) match
//!   no target.
//! - `AWS_LAMBDA_LOG_FORMAT=JSON` writes one JSON object a line; otherwise plain text.
//!   Lines carry no time stamp (Lambda adds one) and no target.
//! - The deployed functions are built with tracing's `release_max_level_info`: debug
//!   and trace events (the AWS SDK's included) are compiled out of release builds, so
//!   levels below INFO show nothing there (that keeps each bootstrap under 6 MB). A
//!   debug build (`cargo lambda build` without `--release`) logs at every level.

use tracing::Subscriber;
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;

/// Installs the log subscriber for the process, writing to stdout.
pub fn init() {
    let env = |name: &str| std::env::var(name).ok();
    let json =
        env("AWS_LAMBDA_LOG_FORMAT").is_some_and(|format| format.eq_ignore_ascii_case("json"));
    let subscriber = subscriber(filter(env), json, std::io::stdout);
    tracing::subscriber::set_global_default(subscriber).expect("the log subscriber is set once");
}

/// Lines without time stamp or target, in JSON or plain text, through `filter`.
fn subscriber<W>(filter: Targets, json: bool, writer: W) -> Box<dyn Subscriber + Send + Sync>
where
    W: for<'writer> MakeWriter<'writer> + Send + Sync + 'static,
{
    let text = tracing_subscriber::fmt::layer()
        .with_target(false)
        .without_time()
        .with_writer(writer);
    let registry = tracing_subscriber::registry();
    if json {
        Box::new(registry.with(text.json()).with(filter))
    } else {
        Box::new(registry.with(text).with(filter))
    }
}

/// The filter the environment asks for (`var` reads one variable).
fn filter(var: impl Fn(&str) -> Option<String>) -> Targets {
    let directives = var("RUST_LOG").unwrap_or_default();
    let valid: Vec<&str> = directives
        .split(',')
        .filter(|directive| !directive.is_empty())
        .filter(|directive| match directive.parse::<Targets>() {
            Ok(_) => true,
            Err(error) => {
                eprintln!("ignoring `{directive}`: {error}");
                false
            }
        })
        .collect();
    if !valid.is_empty() {
        return valid
            .join(",")
            .parse()
            .expect("directives that parse one by one parse together");
    }
    let level = var("AWS_LAMBDA_LOG_LEVEL")
        .or_else(|| var("RUST_LOG"))
        .and_then(|level| level.parse::<LevelFilter>().ok())
        .unwrap_or(LevelFilter::INFO);
    Targets::new().with_default(level)
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use tracing::Level;

    use super::*;

    /// A writer into a shared buffer.
    #[derive(Clone, Default)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Buffer {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    /// The lines `log` writes through the subscriber for `json`, at level INFO.
    fn lines(json: bool, log: impl FnOnce()) -> String {
        let buffer = Buffer::default();
        let writer = buffer.clone();
        let filter = Targets::new().with_default(LevelFilter::INFO);
        let subscriber = subscriber(filter, json, move || writer.clone());
        tracing::subscriber::with_default(subscriber, log);
        String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap()
    }

    #[test]
    fn json_lines_carry_level_message_fields_and_span_without_time_or_target() {
        let out = lines(true, || {
            let span = tracing::info_span!("Lambda runtime invoke", requestId = "r-1");
            let _entered = span.enter();
            tracing::info!(action = "created", "create");
            tracing::debug!("hidden");
        });
        let line: serde_json::Value = serde_json::from_str(out.trim()).expect("one JSON line");
        assert_eq!(line["level"], "INFO");
        assert_eq!(line["fields"]["message"], "create");
        assert_eq!(line["fields"]["action"], "created");
        assert_eq!(line["span"]["requestId"], "r-1");
        assert!(
            line.get("timestamp").is_none() && line.get("target").is_none(),
            "{line}"
        );
    }

    #[test]
    fn text_lines_carry_level_span_and_message_without_time_or_target() {
        let out = lines(false, || {
            let span = tracing::info_span!("Lambda runtime invoke", requestId = "r-1");
            let _entered = span.enter();
            tracing::warn!(action = "kept", "cleanup");
        });
        assert_eq!(
            out,
            " WARN Lambda runtime invoke{requestId=\"r-1\"}: cleanup action=\"kept\"\n"
        );
    }

    fn env(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| {
            pairs
                .iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| value.to_string())
        }
    }

    fn enables(filter: &Targets, target: &str, level: Level) -> bool {
        filter.would_enable(target, &level)
    }

    #[test]
    fn the_level_is_info_unless_the_environment_names_one() {
        let filter = filter(env(&[]));
        assert!(enables(&filter, "dmsflow", Level::INFO));
        assert!(!enables(&filter, "dmsflow", Level::DEBUG));
    }

    #[test]
    fn lambda_log_level_sets_the_level() {
        let filter = filter(env(&[("AWS_LAMBDA_LOG_LEVEL", "WARN")]));
        assert!(enables(&filter, "dmsflow", Level::WARN));
        assert!(!enables(&filter, "dmsflow", Level::INFO));
        let filter = super::filter(env(&[("AWS_LAMBDA_LOG_LEVEL", "debug")]));
        assert!(enables(&filter, "aws_smithy_runtime", Level::DEBUG));
        assert!(!enables(&filter, "aws_smithy_runtime", Level::TRACE));
    }

    #[test]
    fn an_unknown_level_name_means_info() {
        let filter = filter(env(&[("AWS_LAMBDA_LOG_LEVEL", "LOUD")]));
        assert!(enables(&filter, "dmsflow", Level::INFO));
        assert!(!enables(&filter, "dmsflow", Level::DEBUG));
    }

    #[test]
    fn rust_log_directives_pick_levels_per_target_and_decide_alone() {
        let filter = filter(env(&[
            ("AWS_LAMBDA_LOG_LEVEL", "ERROR"),
            (
                "RUST_LOG",
                "warn,dmsflow=debug,[span]=trace,,aws_smithy=nonsense",
            ),
        ]));
        assert!(enables(&filter, "dmsflow::steps::create", Level::DEBUG));
        assert!(!enables(&filter, "dmsflow", Level::TRACE));
        assert!(enables(&filter, "lambda_runtime", Level::WARN));
        assert!(!enables(&filter, "lambda_runtime", Level::INFO));
        assert!(!enables(&filter, "aws_smithy", Level::INFO));
    }

    #[test]
    fn rust_log_without_a_valid_directive_falls_back_to_the_level() {
        let filter = filter(env(&[
            ("AWS_LAMBDA_LOG_LEVEL", "ERROR"),
            ("RUST_LOG", "=,dmsflow=loud"),
        ]));
        assert!(enables(&filter, "dmsflow", Level::ERROR));
        assert!(!enables(&filter, "dmsflow", Level::WARN));
    }
}
