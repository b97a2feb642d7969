//! The binary's errors: the merchant's mistakes (bad arguments, configuration or input file, a
//! name that does not exist: exit 2) and everything else (exit 1), reported with their chain of
//! causes.

use std::fmt;

/// A mistake in what the merchant gave us: arguments, configuration, an input file.
#[derive(Debug)]
pub struct Usage(String);

impl Usage {
    pub fn new(message: impl Into<String>) -> Usage {
        Usage(message.into())
    }
}

impl fmt::Display for Usage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Usage {}

/// Exit code for an error: 2 for usage and config errors, 1 for the rest.
pub fn exit_code(error: &anyhow::Error) -> u8 {
    let usage = error.chain().any(|e| {
        e.is::<Usage>()
            || e.downcast_ref::<engine::Error>()
                .is_some_and(engine::Error::is_invalid_input)
            || e.downcast_ref::<store::StoreError>()
                .is_some_and(store::StoreError::is_invalid_input)
    });
    if usage {
        2
    } else {
        1
    }
}
