//! The import plan: what the admin runs, for each target (`csv` and
//! `powershell` for a provider, `teams` for Teams). One writer per file;
//! the words about what is wrong with a row are `report`'s.

pub mod csv;
pub mod powershell;
pub mod teams;
