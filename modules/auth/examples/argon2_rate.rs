//! Raw argon2id hashes per second with the production parameters (the ceiling for logins/s).
//! `cargo run --release -p auth --example argon2_rate`

use auth::passwords::PasswordHasher;
use secrecy::SecretString;
use std::time::Instant;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let hasher = PasswordHasher::new().await?;
    let hash = hasher.hash(SecretString::from("ChangeMe-123!")).await?;
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    for concurrency in [1, cores] {
        let total = 40;
        let started = Instant::now();
        let mut tasks = Vec::new();
        for _ in 0..concurrency {
            let (hasher, hash) = (hasher.clone(), hash.clone());
            tasks.push(tokio::spawn(async move {
                for _ in 0..total / concurrency {
                    hasher
                        .verify(SecretString::from("ChangeMe-123!"), Some(hash.clone()))
                        .await?;
                }
                anyhow::Ok(())
            }));
        }
        for task in tasks {
            task.await??;
        }
        let rate = total as f64 / started.elapsed().as_secs_f64();
        println!("argon2id m=19456 t=2 p=1, {concurrency} at a time: {rate:.1} verifications/s");
    }
    Ok(())
}
