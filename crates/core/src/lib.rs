//! motcua's domain core: types and rules for administrative procedures, agencies,
//! dossiers and legal time. No I/O: no database, no HTTP, no clock reads. Callers pass
//! the current instant in; everything here is a pure function of its inputs.

pub mod admin_units;
pub mod agency;
pub mod calendar;
pub mod catalogue;
pub mod dossier;
pub mod legal_time;
pub mod national_status;
pub mod route;
pub mod text;
pub mod values;
