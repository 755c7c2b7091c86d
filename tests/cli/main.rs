//! End-to-end tests: the real binary on the files in `fixtures/`.

mod common;
mod export;
mod powershell;
mod properties;
mod reconcile;
mod sources;
mod validate;
