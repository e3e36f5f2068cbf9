//! `evdms`: the EVDMS backend. See `evdms --help`.

fn main() -> std::process::ExitCode {
    evdms::cli::main()
}
