use catalog::ListingId;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "database URL `{url}` is not supported: use a file path, `sqlite://FILE` or `postgres://…`"
    )]
    UnsupportedUrl { url: String },
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
}

pub(crate) trait QueryContext<T> {
    fn op(self, op: &'static str) -> Result<T, StoreError>;
}

impl<T> QueryContext<T> for Result<T, sqlx::Error> {
    fn op(self, op: &'static str) -> Result<T, StoreError> {
        self.map_err(|source| StoreError::Query { op, source })
    }
}
