//! Product loads batched at the origin, in the manner of Facebook's
//! DataLoader: product keys that miss at the same moment (a category
//! page's twenty, a top list's ten, each in its own single flight and
//! under its own lease) are read in one `IN (…)` statement instead of one
//! statement each.
//!
//! Only the origin read is shared: each key keeps its single flight, its
//! lease and its store, so invalidation works exactly as for one key. The
//! batch is what has queued by the time the collector has yielded to the
//! runtime a few times in a row with nothing new arriving, so it adds no
//! timer wait to a load; a lone miss is read alone.

use std::collections::HashMap;
use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};

use crate::db::Db;
use crate::error::CatalogError;
use crate::model::Product;

/// Most ids in one statement (SQLite allows 32,766 parameters; PostgreSQL
/// 65,535): far past a page, small enough to keep a statement quick.
pub const MAX_BATCH: usize = 200;

/// Quiet rounds (yields with nothing new) that end a batch.
const QUIET_ROUNDS: usize = 2;

type Reply = oneshot::Sender<Result<Option<Product>, CatalogError>>;

/// The handle lookups send their product ids to.
#[derive(Debug)]
pub struct ProductBatcher {
    tx: mpsc::UnboundedSender<(i64, Reply)>,
}

impl ProductBatcher {
    /// A batcher reading from `db`, and its collector task (ends when the
    /// batcher is dropped).
    pub fn start(db: Db) -> (ProductBatcher, tokio::task::JoinHandle<()>) {
        let (tx, rx) = mpsc::unbounded_channel();
        (ProductBatcher { tx }, tokio::spawn(collect(db, rx)))
    }

    /// Product `id` (none when it does not exist), read in whatever batch
    /// it joins.
    pub async fn load(&self, id: i64) -> Result<Option<Product>, CatalogError> {
        let (reply, answer) = oneshot::channel();
        let stopped = || CatalogError::Internal("the product batcher has stopped".into());
        self.tx.send((id, reply)).map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

async fn collect(db: Db, mut rx: mpsc::UnboundedReceiver<(i64, Reply)>) {
    while let Some(first) = rx.recv().await {
        let mut batch = vec![first];
        let mut quiet = 0;
        while quiet < QUIET_ROUNDS && batch.len() < MAX_BATCH {
            tokio::task::yield_now().await;
            let before = batch.len();
            while batch.len() < MAX_BATCH {
                match rx.try_recv() {
                    Ok(request) => batch.push(request),
                    Err(_) => break,
                }
            }
            quiet = if batch.len() == before { quiet + 1 } else { 0 };
        }
        // The statement runs on its own, so the next batch gathers
        // meanwhile.
        tokio::spawn(answer(db.clone(), batch));
    }
}

async fn answer(db: Db, batch: Vec<(i64, Reply)>) {
    let mut ids: Vec<i64> = batch.iter().map(|(id, _)| *id).collect();
    ids.sort_unstable();
    ids.dedup();
    match db.products(&ids).await {
        Ok(found) => {
            let by_id: HashMap<i64, Product> = found.into_iter().map(|p| (p.id, p)).collect();
            for (id, reply) in batch {
                // A lookup that gave up is no one's loss.
                let _ = reply.send(Ok(by_id.get(&id).cloned()));
            }
        }
        Err(e) => {
            let e = CatalogError::Db(Arc::new(e));
            for (_, reply) in batch {
                let _ = reply.send(Err(e.clone()));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::QueryKind;

    #[tokio::test(flavor = "current_thread")]
    async fn loads_that_miss_together_share_one_statement_and_get_their_own_rows() {
        let dir = tempfile::tempdir().unwrap();
        let url = crate::db::sqlite_url(&dir.path().join("c.db"));
        crate::db::seed(&url, &crate::db::CatalogSpec::tiny())
            .await
            .unwrap();
        let db = Db::connect(&url).unwrap();
        let (batcher, _task) = ProductBatcher::start(db.clone());
        // Twenty ids, one of them twice and one that does not exist.
        let ids: Vec<i64> = (1..=18).chain([5, 9_999]).collect();
        let before = db.counts().get(QueryKind::Products);
        let answers = futures_util::future::join_all(ids.iter().map(|&id| batcher.load(id))).await;
        assert_eq!(db.counts().get(QueryKind::Products) - before, 1);
        for (id, answer) in ids.iter().zip(answers) {
            let answer = answer.unwrap();
            assert_eq!(answer, db.product(*id).await.unwrap(), "product {id}");
            assert_eq!(answer.is_some(), *id != 9_999, "product {id}");
        }
    }
}
