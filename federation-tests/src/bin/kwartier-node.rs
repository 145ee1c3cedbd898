//! The `kwartier` command line, built inside this package so that its tests can run real node
//! processes (and kill them with SIGKILL).

fn main() -> std::process::ExitCode {
    kwartier::cli::main()
}
