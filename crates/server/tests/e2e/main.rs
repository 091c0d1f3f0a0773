//! End-to-end tests: the real server on a random port with a fresh data directory, driven
//! over HTTP through the JSON API and the HTML forms.

mod adversarial2;
mod api;
mod assisted;
mod calendar;
mod concurrency;
mod drafts;
mod helpers;
mod pages;
mod routes;
