//! End-to-end tests: the real binary on the files in `fixtures/`.

mod architecture;
mod commands;
mod common;
mod export;
mod hostile;
mod html;
mod ledger;
mod outputs;
mod powershell;
mod properties;
mod reconcile;
mod roundtrip;
mod sources;
mod teams;
mod validate;
