//! The `kwartier` binary; the command line itself is in `kwartier::cli`.

fn main() -> std::process::ExitCode {
    kwartier::cli::main()
}
