//! Build script of every function binary: link the `bootstrap` as a position-dependent
//! executable on Linux. A PIE carries a dynamic relocation for every pointer in its
//! read-only data (about 450 KB in each function) that the loader applies at every
//! cold start; a non-PIE executable has them resolved at link time, so it is smaller
//! and starts slightly faster. The code itself is unchanged.

fn main() {
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
}
