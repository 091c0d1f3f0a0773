//! Page tests (HTML forms).
