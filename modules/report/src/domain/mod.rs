//! Pure domain logic of the report module: no I/O, no framework types.

pub mod forecast;
