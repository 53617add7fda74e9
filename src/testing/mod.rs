//! Native tests on simulated time: the simulated runtime, the request core end to end, and property tests over
//! every parser. Test-only: compiled for `cargo test` on the host.

mod account;
mod admission;
mod client;
mod observe;
mod offline;
mod parser_fuzz;
pub(crate) mod sim;
mod tabs;
