//! Native cost of the Argon2id parameter sets considered for password hashing. The Worker
//! figure (wasm in workerd) is what decides the default; see scripts/bench.
use authsec_edge::accounts::password::{hash_password, HashParams};
use std::time::Instant;

fn main() {
    for (m, t) in [(19_456, 2), (12_288, 3), (9_216, 4), (7_168, 5), (8_192, 2), (4_096, 3)] {
        let params = HashParams { memory_kib: m, iterations: t, parallelism: 1 };
        let runs = 5u8;
        let start = Instant::now();
        for i in 0..runs {
            hash_password("benchmark password", [i; 16], params).expect("hashing succeeds");
        }
        let ms = start.elapsed().as_secs_f64() * 1000.0 / f64::from(runs);
        println!("m={m:>6} KiB t={t}  p=1  {ms:7.1} ms per hash (native)");
    }
}
