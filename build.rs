//! `postgres_tests`: set when `SPECSYNC_TEST_POSTGRES` names a PostgreSQL server at build time;
//! the tests that run on PostgreSQL are `ignore`d without it (see `fixtures::postgres`).
//! `smtp_tests`: set when `SPECSYNC_TEST_SMTP_PYTHON` names a Python with aiosmtpd; the tests
//! that send mail to a real SMTP server are `ignore`d without it.
fn main() {
    println!("cargo::rustc-check-cfg=cfg(postgres_tests)");
    println!("cargo::rustc-check-cfg=cfg(smtp_tests)");
    println!("cargo::rerun-if-env-changed=SPECSYNC_TEST_POSTGRES");
    println!("cargo::rerun-if-env-changed=SPECSYNC_TEST_SMTP_PYTHON");
    if std::env::var_os("SPECSYNC_TEST_POSTGRES").is_some_and(|v| !v.is_empty()) {
        println!("cargo::rustc-cfg=postgres_tests");
    }
    if std::env::var_os("SPECSYNC_TEST_SMTP_PYTHON").is_some_and(|v| !v.is_empty()) {
        println!("cargo::rustc-cfg=smtp_tests");
    }
}
