//! `dmsflow`, the command line: the commands are in [`dmsflow_cli`]; this binary
//! hands them the process's arguments and streams and exits with their code.

use std::process::ExitCode;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let code = dmsflow_cli::run(
        std::env::args_os(),
        &mut std::io::stdout(),
        &mut std::io::stderr(),
    )
    .await;
    ExitCode::from(code)
}
