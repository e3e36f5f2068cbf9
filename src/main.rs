//! `evdms`: the EVDMS backend. See `evdms --help`.

// glibc malloc kept the memory of argon2's 19 MiB working sets, spread over many threads:
// RSS after a 10 s login burst was 602 MiB with it and 64 MiB with mimalloc, which also did
// 101 logins/s against 89 (bench/http.sh, release, this 2-core machine).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    evdms::cli::main()
}
