//! The import plan: what the admin runs. One writer per file; the words
//! about what is wrong with a row are `report`'s.

pub mod csv;
pub mod powershell;
