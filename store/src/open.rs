//! Opening a database: choosing the backend from the URL, refusing a newer schema, migrating.

use std::str::FromStr;

use sqlx::any::{install_default_drivers, AnyPoolOptions};
use sqlx::migrate::Migrator;
use sqlx::Row;

use crate::error::QueryContext;
use crate::{Store, StoreError};

static SQLITE: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES: Migrator = sqlx::migrate!("./migrations/postgres");

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    fn migrator(self) -> &'static Migrator {
        match self {
            Backend::Sqlite => &SQLITE,
            Backend::Postgres => &POSTGRES,
        }
    }
}

/// `postgres://…` → PostgreSQL; `sqlite://FILE` or a plain path → SQLite, created if missing.
fn connection_url(url: &str) -> Result<(Backend, String), StoreError> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Ok((Backend::Postgres, url.to_owned()));
    }
    if let Some(rest) = url.strip_prefix("sqlite:") {
        let sep = if rest.contains('?') { '&' } else { '?' };
        let url = if rest.contains("mode=") {
            url.to_owned()
        } else {
            format!("{url}{sep}mode=rwc")
        };
        return Ok((Backend::Sqlite, url));
    }
    if url.contains("://") {
        return Err(StoreError::UnsupportedUrl {
            url: url.to_owned(),
        });
    }
    Ok((Backend::Sqlite, format!("sqlite://{url}?mode=rwc")))
}

/// How long opening the database may take before it is given up on: a server that does not
/// answer, a file on a hung disk.
const OPEN_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// One connection and one read, before any pool: a file that is not a database, or a server
/// that refuses, is said at once in one line (a pool retries each connection until its own
/// timeout, 30 s, logging every attempt).
async fn probe(
    backend: Backend,
    options: &sqlx::any::AnyConnectOptions,
    url: &str,
) -> Result<(), StoreError> {
    use sqlx::{ConnectOptions, Connection};
    let open_err = |source| StoreError::Open {
        url: url.to_owned(),
        source,
    };
    let attempt = async {
        let mut conn = options.connect().await?;
        let read = match backend {
            // Reads the file's header: random bytes are "file is not a database" here.
            Backend::Sqlite => "PRAGMA schema_version",
            Backend::Postgres => "SELECT 1",
        };
        sqlx::query(read).execute(&mut conn).await?;
        conn.close().await
    };
    match tokio::time::timeout(OPEN_TIMEOUT, attempt).await {
        Ok(done) => done.map_err(open_err),
        Err(_) => Err(open_err(sqlx::Error::PoolTimedOut)),
    }
}

/// How long a SQLite connection waits for another process's write transaction to end.
const BUSY_TIMEOUT_MS: u32 = 60_000;

fn pool_options(backend: Backend, max: u32) -> AnyPoolOptions {
    AnyPoolOptions::new()
        .max_connections(max)
        .after_connect(move |conn, _| {
            Box::pin(async move {
                if backend == Backend::Sqlite {
                    // In WAL mode NORMAL never corrupts the file; a power cut may lose the
                    // last commits, which the next crawl records again. FULL would fsync every
                    // page's transaction and make the crawl wait on the disk.
                    sqlx::query("PRAGMA synchronous = NORMAL")
                        .execute(&mut *conn)
                        .await?;
                    // A writer waits for the lock as long as the longest write transaction
                    // takes (an import of 100,000 listings: a few seconds; a crawl's batch:
                    // well under one), with room to spare on a slow disk; not sqlx's 5 s.
                    sqlx::query(&format!("PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}"))
                        .execute(&mut *conn)
                        .await?;
                }
                Ok(())
            })
        })
}

impl Store {
    /// Opens (and creates, for SQLite) the database at `url` and brings its schema up to date.
    pub async fn open(url: &str) -> Result<Store, StoreError> {
        install_default_drivers();
        let (backend, conn_url) = connection_url(url)?;
        let open_err = |source| StoreError::Open {
            url: url.to_owned(),
            source,
        };
        let options = sqlx::any::AnyConnectOptions::from_str(&conn_url).map_err(open_err)?;
        probe(backend, &options, url).await?;
        // The schema is brought up to date on a connection of its own, closed before the pool
        // opens: a SQLite connection that read the old schema would describe a rebuilt table by
        // its old columns.
        let migrating = Store {
            pool: pool_options(backend, 1)
                .connect_with(options.clone())
                .await
                .map_err(open_err)?,
            backend,
        };
        if backend == Backend::Sqlite {
            // WAL lets readers (`specsync changes list`) run while a crawl writes.
            sqlx::query("PRAGMA journal_mode=WAL")
                .execute(&migrating.pool)
                .await
                .map_err(open_err)?;
        }
        migrating.refuse_newer_schema(url).await?;
        let migrated = backend.migrator().run(&migrating.pool).await;
        migrating.pool.close().await;
        migrated.map_err(|source| StoreError::Migrate {
            url: url.to_owned(),
            source,
        })?;
        let max = if backend == Backend::Sqlite { 4 } else { 8 };
        let pool = pool_options(backend, max)
            .connect_with(options)
            .await
            .map_err(open_err)?;
        Ok(Store { pool, backend })
    }

    async fn refuse_newer_schema(&self, url: &str) -> Result<(), StoreError> {
        let exists_sql = match self.backend {
            Backend::Sqlite => "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
            Backend::Postgres => "SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_name = '_sqlx_migrations' AND table_schema = current_schema()",
        };
        let exists: i64 = sqlx::query(exists_sql)
            .fetch_one(&self.pool)
            .await
            .and_then(|r| r.try_get("n"))
            .op("read the schema version")?;
        if exists == 0 {
            return Ok(());
        }
        let found: Option<i64> = sqlx::query("SELECT MAX(version) AS v FROM _sqlx_migrations")
            .fetch_one(&self.pool)
            .await
            .and_then(|r| r.try_get("v"))
            .op("read the schema version")?;
        let known = self
            .backend
            .migrator()
            .iter()
            .map(|m| m.version)
            .max()
            .unwrap_or(0);
        match found {
            Some(found) if found > known => Err(StoreError::NewerSchema {
                url: url.to_owned(),
                found,
                known,
            }),
            _ => Ok(()),
        }
    }

    /// The highest schema version this build knows.
    pub fn schema_version(&self) -> i64 {
        self.backend
            .migrator()
            .iter()
            .map(|m| m.version)
            .max()
            .unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_choose_the_backend() {
        assert_eq!(
            connection_url("specsync.db").expect("path").1,
            "sqlite://specsync.db?mode=rwc"
        );
        assert_eq!(
            connection_url("sqlite:///tmp/a.db").expect("sqlite").1,
            "sqlite:///tmp/a.db?mode=rwc"
        );
        assert_eq!(
            connection_url("postgres://u@h/db").expect("pg").0,
            Backend::Postgres
        );
        assert!(matches!(
            connection_url("mysql://h/db"),
            Err(StoreError::UnsupportedUrl { .. })
        ));
    }
}
