//! The import plan and the send-back file: what the admin runs, and what
//! goes back to the vendor. One writer per file.

pub mod csv;
pub mod powershell;
pub mod send_back;
