//! The 429 herd, as `make bench` reports it: 50,000 devices are refused with a 429 (no `Retry-After`) at the same
//! instant; when does each one retry? Uses the client's own retry policy with its defaults (base 1 s, cap 30 s) and
//! prints one JSON line per failure kind: the share of first retries within 500 ms of the refusal (the guide asks for
//! none), the earliest and median first retry, and the busiest 100 ms bin against a uniform spread.
//! Run: `cargo run --release --example herd_429`.

use carecloud_customer::retry::{Decision, Failure, RetryConfig, RetryPolicy};

const DEVICES: usize = 50_000;

fn main() {
    let policy = RetryPolicy::new(RetryConfig::default());
    for (name, failure) in [("429", Failure::Status(429)), ("503", Failure::Status(503))] {
        let mut rng = 0x9e37_79b9_7f4a_7c15_u64;
        let mut waits: Vec<u64> = (0..DEVICES)
            .filter_map(|_| {
                // xorshift64*: a uniform draw in [0, 1) per device, as each device's CSPRNG would give.
                rng ^= rng >> 12;
                rng ^= rng << 25;
                rng ^= rng >> 27;
                let unit =
                    (rng.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 11) as f64 / (1u64 << 53) as f64;
                match policy.decide(0, failure, false, false, None, unit) {
                    Decision::Retry(ms) => Some(ms),
                    Decision::GiveUp { .. } => None,
                }
            })
            .collect();
        waits.sort_unstable();
        let (Some(&first), Some(&last)) = (waits.first(), waits.last()) else {
            continue;
        };
        let within_500 = waits.iter().filter(|&&w| w < 500).count() as f64 / waits.len() as f64;
        let bins = (last / 100 + 1) as usize;
        let mut counts = vec![0usize; bins];
        for &w in &waits {
            if let Some(c) = counts.get_mut((w / 100) as usize) {
                *c += 1;
            }
        }
        let busiest = counts.iter().copied().max().unwrap_or(0);
        let spread_bins = ((last - first) / 100 + 1) as f64;
        let uniform = waits.len() as f64 / spread_bins;
        println!(
            "{{\"failure\":\"{name}\",\"devices\":{},\"within500ms\":{within_500},\"firstMs\":{first},\"medianMs\":{},\"lastMs\":{last},\"busiest100ms\":{busiest},\"uniform100ms\":{uniform}}}",
            waits.len(),
            waits[waits.len() / 2],
        );
    }
}
