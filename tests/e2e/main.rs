//! End-to-end tests: the `specsync` binary against the supplier simulator on 127.0.0.1, with a
//! real SQLite file and a real outbox folder.

mod backup;
mod bad_input;
mod concurrency;
mod conditional;
mod decisions;
mod demo;
mod discovery;
mod extract;
mod faults;
mod guard;
mod health;
mod helpers;
mod lease;
mod linking;
mod parse;
mod politeness;
mod resync;
mod robots;
mod rules;
mod smtp;
mod sync_loop;
