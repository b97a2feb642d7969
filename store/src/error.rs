use catalog::ListingId;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "database URL `{url}` is not supported: use a file path, `sqlite://FILE` or `postgres://…`"
    )]
    UnsupportedUrl { url: String },
    /// Asked of a backend that does not do it (a backup of PostgreSQL).
    #[error("{0}")]
    Unsupported(&'static str),
    #[error("failed to open the database {url}")]
    Open {
        url: String,
        #[source]
        source: sqlx::Error,
    },
    #[error(
        "the database {url} has schema version {found}, newer than this specsync knows ({known}); \
         upgrade specsync, or use a copy of the database made before the upgrade"
    )]
    NewerSchema { url: String, found: i64, known: i64 },
    #[error("failed to migrate the database {url}")]
    Migrate {
        url: String,
        #[source]
        source: sqlx::migrate::MigrateError,
    },
    #[error("failed to {op}")]
    Query {
        op: &'static str,
        #[source]
        source: sqlx::Error,
    },
    #[error("stored {what} is unreadable: {detail}")]
    Corrupt { what: String, detail: String },
    #[error("there is no listing `{0}`; import it first with `specsync listings import`")]
    NoListing(ListingId),
    #[error("there is no source `{0}`; add it with `specsync source add`")]
    NoSource(String),
    #[error("a source named `{0}` already exists")]
    SourceExists(String),
    #[error("there is no change {0}; see `specsync changes list`")]
    NoChange(i64),
    #[error("change {id} cannot be answered: {why}")]
    NotAnswerable { id: i64, why: String },
}

impl StoreError {
    /// Whether the input the merchant gave is at fault (a name or id that does not exist).
    pub fn is_invalid_input(&self) -> bool {
        matches!(
            self,
            StoreError::NoListing(_)
                | StoreError::Unsupported(_)
                | StoreError::NoSource(_)
                | StoreError::SourceExists(_)
                | StoreError::NoChange(_)
                | StoreError::NotAnswerable { .. }
        )
    }
}

pub(crate) trait QueryContext<T> {
    fn op(self, op: &'static str) -> Result<T, StoreError>;
}

impl<T> QueryContext<T> for Result<T, sqlx::Error> {
    fn op(self, op: &'static str) -> Result<T, StoreError> {
        self.map_err(|source| StoreError::Query { op, source })
    }
}
