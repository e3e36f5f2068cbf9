//! The one retry schedule of the platform: exponential from a base, capped, optionally jittered
//! so that many failing workers do not retry in step.

use rand::Rng;
use std::time::Duration;

/// Delay after the `attempts`-th failure: base·2^(attempts−1), at most `max`.
pub fn exponential(base: Duration, max: Duration, attempts: u32) -> Duration {
    let exponent = attempts.saturating_sub(1).min(30);
    base.saturating_mul(1u32 << exponent).min(max)
}

/// [`exponential`] with ±20 % jitter.
pub fn jittered(base: Duration, max: Duration, attempts: u32) -> Duration {
    exponential(base, max, attempts).mul_f64(rand::rng().random_range(0.8..1.2))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_double_up_to_the_cap() {
        let ms = Duration::from_millis;
        let delays: Vec<Duration> = (1..=6).map(|a| exponential(ms(100), ms(1000), a)).collect();
        assert_eq!(
            delays,
            [ms(100), ms(200), ms(400), ms(800), ms(1000), ms(1000)]
        );
        assert_eq!(exponential(ms(100), ms(1000), 0), ms(100));
        assert_eq!(exponential(ms(100), Duration::MAX, 99), ms(100) * (1 << 30));
    }

    #[test]
    fn jitter_stays_within_a_fifth() {
        for attempt in 1..10 {
            let plain = exponential(Duration::from_millis(100), Duration::from_secs(5), attempt);
            let jittered = jittered(Duration::from_millis(100), Duration::from_secs(5), attempt);
            assert!(jittered >= plain.mul_f64(0.8) && jittered <= plain.mul_f64(1.2));
        }
    }
}
