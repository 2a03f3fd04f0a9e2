//! The job store: one row per job (state, error, source size, duration)
//! and one per output image, in SQLite (the default, a file in WAL mode)
//! or PostgreSQL (`postgres://…`, with the crate's `postgres` feature).
//!
//! All statements go through [`sqlx::Any`] with portable SQL; only the
//! table definitions and SQLite's pragmas differ by driver, and only here.
//! A [`Session`] is one connection for one job: the naive variant opens a
//! new connection for every session, the optimized one borrows from a pool.
//! This module knows nothing about images beyond [`OutputRecord`].

use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions, install_default_drivers};
use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyConnection, AnyPool, ConnectOptions, Connection, Row};

/// How long a SQLite connection waits on a lock before it reports "busy".
const SQLITE_BUSY_TIMEOUT_MS: u64 = 5_000;

/// The URL of a SQLite database file, created if missing.
pub fn sqlite_url(path: &std::path::Path) -> String {
    format!("sqlite://{}?mode=rwc", path.display())
}

/// What went wrong with the store, naming the URL and the step.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot connect to the job store {url}")]
    Connect {
        url: String,
        #[source]
        source: sqlx::Error,
    },
    #[error("{what} failed on the job store {url}")]
    Statement {
        what: &'static str,
        url: String,
        #[source]
        source: sqlx::Error,
    },
    #[error("the job store {url} has a job with unknown state {state:?}")]
    BadState { url: String, state: String },
}

/// A job's state in the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobState {
    Running,
    Done,
    Failed,
}

impl JobState {
    pub fn name(self) -> &'static str {
        match self {
            JobState::Running => "running",
            JobState::Done => "done",
            JobState::Failed => "failed",
        }
    }
}

/// One job as the store has it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobRecord {
    pub id: i64,
    pub job_index: i64,
    pub variant: String,
    pub input: String,
    pub state: JobState,
    pub error: Option<String>,
}

/// One output image as the store has it (the pixels are not stored).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputRecord {
    pub name: String,
    pub format: String,
    pub width: u32,
    pub height: u32,
    pub bytes: u64,
    /// FNV-1a 64 of the encoded bytes, hex.
    pub checksum: String,
}

/// FNV-1a, 64 bits, as lowercase hex: enough to tell outputs apart.
pub fn checksum(bytes: &[u8]) -> String {
    format!("{:016x}", perflab_kit::fnv1a(bytes))
}

fn is_sqlite(url: &str) -> bool {
    url.starts_with("sqlite:")
}

fn options(url: &str) -> Result<AnyConnectOptions, sqlx::Error> {
    install_default_drivers();
    let opts: AnyConnectOptions = url.parse()?;
    Ok(opts.disable_statement_logging())
}

async fn tune(conn: &mut AnyConnection, sqlite: bool) -> Result<(), sqlx::Error> {
    if sqlite {
        let sql = format!("PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}");
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// The table definitions; only the id column differs by driver.
fn tables(sqlite: bool) -> [String; 2] {
    let id = if sqlite {
        "id INTEGER PRIMARY KEY AUTOINCREMENT"
    } else {
        "id BIGSERIAL PRIMARY KEY"
    };
    [
        format!(
            "CREATE TABLE IF NOT EXISTS image_jobs ({id}, run_id VARCHAR(64) NOT NULL, \
             job_index BIGINT NOT NULL, variant VARCHAR(16) NOT NULL, input TEXT NOT NULL, \
             state VARCHAR(16) NOT NULL, error TEXT, source_width BIGINT, \
             source_height BIGINT, duration_us BIGINT)"
        ),
        "CREATE TABLE IF NOT EXISTS image_outputs (job_id BIGINT NOT NULL, \
         name VARCHAR(200) NOT NULL, format VARCHAR(8) NOT NULL, width BIGINT NOT NULL, \
         height BIGINT NOT NULL, bytes BIGINT NOT NULL, checksum VARCHAR(16) NOT NULL, \
         PRIMARY KEY (job_id, name))"
            .to_owned(),
    ]
}

/// The store of one worker.
#[derive(Debug, Clone)]
pub struct Store {
    url: String,
    pool: Option<AnyPool>,
}

impl Store {
    /// Opens the store at `url` and creates its tables if missing. With
    /// `pool_size`, sessions borrow from a pool of that many connections;
    /// without, each session opens (and closes) its own connection.
    pub async fn open(url: &str, pool_size: Option<u32>) -> Result<Store, StoreError> {
        let sqlite = is_sqlite(url);
        let connect_error = |source| StoreError::Connect {
            url: url.to_owned(),
            source,
        };
        let opts = options(url).map_err(connect_error)?;
        let mut conn = AnyConnection::connect_with(&opts)
            .await
            .map_err(connect_error)?;
        tune(&mut conn, sqlite).await.map_err(connect_error)?;
        let step = |what| {
            move |source| StoreError::Statement {
                what,
                url: url.to_owned(),
                source,
            }
        };
        if sqlite {
            sqlx::raw_sql("PRAGMA journal_mode = WAL")
                .execute(&mut conn)
                .await
                .map_err(step("switching to WAL"))?;
        }
        for sql in tables(sqlite) {
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                .execute(&mut conn)
                .await
                .map_err(step("creating the tables"))?;
        }
        conn.close().await.map_err(step("closing"))?;
        let pool = pool_size.map(|size| {
            AnyPoolOptions::new()
                .max_connections(size)
                .acquire_timeout(Duration::from_secs(10))
                .after_connect(move |conn, _| Box::pin(async move { tune(conn, sqlite).await }))
                .connect_lazy_with(opts)
        });
        Ok(Store {
            url: url.to_owned(),
            pool,
        })
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// A connection for one job: borrowed from the pool, or new.
    pub async fn session(&self) -> Result<Session<'_>, StoreError> {
        let connect_error = |source| StoreError::Connect {
            url: self.url.clone(),
            source,
        };
        let conn = match &self.pool {
            Some(pool) => Conn::Pooled(pool.acquire().await.map_err(connect_error)?),
            None => {
                let opts = options(&self.url).map_err(connect_error)?;
                let mut conn = AnyConnection::connect_with(&opts)
                    .await
                    .map_err(connect_error)?;
                tune(&mut conn, is_sqlite(&self.url))
                    .await
                    .map_err(connect_error)?;
                Conn::Own(conn)
            }
        };
        Ok(Session { store: self, conn })
    }

    /// Every job of a run, by job index.
    pub async fn jobs(&self, run_id: &str) -> Result<Vec<JobRecord>, StoreError> {
        let mut session = self.session().await?;
        let rows = sqlx::query(
            "SELECT id, job_index, variant, input, state, error FROM image_jobs \
             WHERE run_id = $1 ORDER BY job_index, id",
        )
        .bind(run_id)
        .fetch_all(session.conn())
        .await
        .map_err(|e| self.statement("listing jobs", e))?;
        let jobs = rows
            .iter()
            .map(|row| -> Result<JobRecord, StoreError> {
                let get = |e| self.statement("reading a job row", e);
                let state: String = row.try_get(4).map_err(get)?;
                let state = match state.as_str() {
                    "running" => JobState::Running,
                    "done" => JobState::Done,
                    "failed" => JobState::Failed,
                    _ => {
                        return Err(StoreError::BadState {
                            url: self.url.clone(),
                            state,
                        });
                    }
                };
                Ok(JobRecord {
                    id: row.try_get(0).map_err(get)?,
                    job_index: row.try_get(1).map_err(get)?,
                    variant: row.try_get(2).map_err(get)?,
                    input: row.try_get(3).map_err(get)?,
                    state,
                    error: row.try_get(5).map_err(get)?,
                })
            })
            .collect();
        session.close().await?;
        jobs
    }

    /// The outputs recorded for one job, by name.
    pub async fn outputs(&self, job_id: i64) -> Result<Vec<OutputRecord>, StoreError> {
        let mut session = self.session().await?;
        let rows = sqlx::query(
            "SELECT name, format, width, height, bytes, checksum FROM image_outputs \
             WHERE job_id = $1 ORDER BY name",
        )
        .bind(job_id)
        .fetch_all(session.conn())
        .await
        .map_err(|e| self.statement("listing outputs", e))?;
        let get = |e| self.statement("reading an output row", e);
        let outputs = rows
            .iter()
            .map(|row| {
                Ok(OutputRecord {
                    name: row.try_get(0).map_err(get)?,
                    format: row.try_get(1).map_err(get)?,
                    width: row.try_get::<i64, _>(2).map_err(get)? as u32,
                    height: row.try_get::<i64, _>(3).map_err(get)? as u32,
                    bytes: row.try_get::<i64, _>(4).map_err(get)? as u64,
                    checksum: row.try_get(5).map_err(get)?,
                })
            })
            .collect();
        session.close().await?;
        outputs
    }

    /// Closes the pool, if any.
    pub async fn close(&self) {
        if let Some(pool) = &self.pool {
            pool.close().await;
        }
    }

    fn statement(&self, what: &'static str, source: sqlx::Error) -> StoreError {
        StoreError::Statement {
            what,
            url: self.url.clone(),
            source,
        }
    }
}

enum Conn {
    Own(AnyConnection),
    Pooled(PoolConnection<Any>),
}

/// One connection, held for one job.
pub struct Session<'a> {
    store: &'a Store,
    conn: Conn,
}

impl std::fmt::Debug for Session<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("url", &self.store.url)
            .finish_non_exhaustive()
    }
}

impl Session<'_> {
    fn conn(&mut self) -> &mut AnyConnection {
        match &mut self.conn {
            Conn::Own(conn) => conn,
            Conn::Pooled(conn) => conn,
        }
    }

    /// Records a job as running; returns its id.
    pub async fn begin(
        &mut self,
        run_id: &str,
        job_index: u64,
        variant: &str,
        input: &str,
    ) -> Result<i64, StoreError> {
        let store = self.store;
        sqlx::query_scalar::<_, i64>(
            "INSERT INTO image_jobs (run_id, job_index, variant, input, state) \
             VALUES ($1, $2, $3, $4, 'running') RETURNING id",
        )
        .bind(run_id)
        .bind(job_index as i64)
        .bind(variant)
        .bind(input)
        .fetch_one(self.conn())
        .await
        .map_err(|e| store.statement("recording a job start", e))
    }

    /// Records a job as done, with its outputs.
    pub async fn succeed(
        &mut self,
        id: i64,
        source: (u32, u32),
        outputs: &[OutputRecord],
        took: Duration,
    ) -> Result<(), StoreError> {
        let store = self.store;
        let fail = |e| store.statement("recording a finished job", e);
        let mut tx = self.conn().begin().await.map_err(fail)?;
        for o in outputs {
            sqlx::query(
                "INSERT INTO image_outputs (job_id, name, format, width, height, bytes, checksum) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(id)
            .bind(&o.name)
            .bind(&o.format)
            .bind(i64::from(o.width))
            .bind(i64::from(o.height))
            .bind(o.bytes as i64)
            .bind(&o.checksum)
            .execute(&mut *tx)
            .await
            .map_err(fail)?;
        }
        sqlx::query(
            "UPDATE image_jobs SET state = 'done', source_width = $2, source_height = $3, \
             duration_us = $4 WHERE id = $1",
        )
        .bind(id)
        .bind(i64::from(source.0))
        .bind(i64::from(source.1))
        .bind(took.as_micros() as i64)
        .execute(&mut *tx)
        .await
        .map_err(fail)?;
        tx.commit().await.map_err(fail)
    }

    /// Records a job as failed with the full error text.
    pub async fn fail(&mut self, id: i64, error: &str, took: Duration) -> Result<(), StoreError> {
        let store = self.store;
        sqlx::query(
            "UPDATE image_jobs SET state = 'failed', error = $2, duration_us = $3 WHERE id = $1",
        )
        .bind(id)
        .bind(error)
        .bind(took.as_micros() as i64)
        .execute(self.conn())
        .await
        .map(|_| ())
        .map_err(|e| store.statement("recording a failed job", e))
    }

    /// Closes an own connection, or gives a pooled one back.
    pub async fn close(self) -> Result<(), StoreError> {
        match self.conn {
            Conn::Own(conn) => conn
                .close()
                .await
                .map_err(|e| self.store.statement("closing a connection", e)),
            Conn::Pooled(_) => Ok(()),
        }
    }
}
