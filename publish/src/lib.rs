//! `cms publish`: moves a built output folder to where the public reads it, a folder behind
//! nginx or object storage behind a CDN, and keeps it reversible.
//!
//! A publish compares the output's manifest with the one live at the target and uploads only
//! the files whose hash changed, in an order that never breaks a live page: new and changed
//! assets, then pages and feeds, then the manifest (the switch), then deletions. Each
//! deployment is recorded at the target with the bytes it replaced, so the previous one can
//! be restored ([`rollback`]); an interrupted publish is completed by the next run. Each
//! object carries the headers of [`meta::object_meta`], the one description of hosting.

pub mod deploys;
mod error;
mod hooks;
pub mod manifest;
pub mod meta;
pub mod plan;
pub mod purge;
mod run;
mod target;

pub use error::Error;
pub use run::{list, publish, rollback, Listing, Options, Progress, Report};
pub use target::Target;

/// Makes rustls use `ring` for the process's TLS connections (object storage over HTTPS, the
/// purge webhook). Call once before the first connection; a second call changes nothing.
pub fn init_tls() {
    // rustls deprecates ring's provider for its lack of post-quantum key exchange; aws-lc-rs,
    // which has it, costs a C build several times longer. Revisit when object storage
    // endpoints require it.
    #[allow(deprecated)]
    let _ = rustls::crypto::ring::default_provider().install_default();
}
