//! Pure normalisation: a raw cell in, a normalised value or a reason out.
//! No I/O and no shared state, so rows can be checked in parallel.

pub mod conference_id;
pub mod phone;
pub mod text;
