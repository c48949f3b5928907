//! Group commit: writes that arrive together share one transaction, and so one sync to disk.
//!
//! With `synchronous=FULL` every commit waits for the disk. One commit per lead caps intake at
//! the disk's syncs a second; a writer that takes every request waiting in its queue, runs each
//! in a savepoint of one transaction and commits once answers all of them for the price of one
//! sync. Each request is answered only after the commit that holds it is durable, so nothing is
//! acknowledged that a power cut could take back. One request's failure rolls back its own
//! savepoint only; a failed commit answers every request of the group with an error (nothing of
//! it is stored, so nothing is lost: the senders were told no).

use futures_util::future::BoxFuture;
use futures_util::FutureExt;
use sqlx::{Connection, SqliteConnection, SqlitePool};
use std::panic::AssertUnwindSafe;
use tokio::sync::{mpsc, oneshot};

/// The most requests one transaction holds: enough to absorb a burst, few enough that the first
/// in a group does not wait long for the last.
const MOST_PER_GROUP: usize = 256;
/// Requests waiting for the writer; a sender waits while it is full.
const QUEUE: usize = 4096;

/// One request's work: run inside the shared transaction on its connection.
type Work<T, E> =
    Box<dyn for<'c> FnOnce(&'c mut SqliteConnection) -> BoxFuture<'c, Result<T, E>> + Send>;

struct Request<T, E> {
    work: Work<T, E>,
    answer: oneshot::Sender<Result<T, E>>,
}

/// The queue to one writer task, which commits what is waiting as one transaction.
pub struct GroupCommit<T, E> {
    queue: mpsc::Sender<Request<T, E>>,
}

impl<T, E> Clone for GroupCommit<T, E> {
    fn clone(&self) -> Self {
        Self {
            queue: self.queue.clone(),
        }
    }
}

impl<T, E> GroupCommit<T, E>
where
    T: Send + 'static,
    E: From<sqlx::Error> + Send + 'static,
{
    /// Starts the writer on `db` (it stops when every handle is dropped).
    pub fn start(db: SqlitePool) -> Self {
        let (queue, waiting) = mpsc::channel(QUEUE);
        tokio::spawn(writer(db, waiting));
        Self { queue }
    }

    /// Runs `work` in the next group's transaction; answers once that transaction is committed
    /// (or with the error that kept it from being stored).
    pub async fn run<F>(&self, work: F) -> Result<T, E>
    where
        F: for<'c> FnOnce(&'c mut SqliteConnection) -> BoxFuture<'c, Result<T, E>> + Send + 'static,
    {
        let (answer, answered) = oneshot::channel();
        let request = Request {
            work: Box::new(work),
            answer,
        };
        if self.queue.send(request).await.is_err() {
            return Err(stopped().into());
        }
        answered.await.unwrap_or_else(|_| Err(stopped().into()))
    }
}

fn stopped() -> sqlx::Error {
    sqlx::Error::Protocol("the writer stopped before this was stored".to_string())
}

async fn writer<T, E>(db: SqlitePool, mut waiting: mpsc::Receiver<Request<T, E>>)
where
    E: From<sqlx::Error>,
{
    while let Some(first) = waiting.recv().await {
        let mut group = vec![first];
        while group.len() < MOST_PER_GROUP {
            match waiting.try_recv() {
                Ok(request) => group.push(request),
                Err(_) => break,
            }
        }
        commit_group(&db, group).await;
    }
}

/// Runs each request of `group` in its own savepoint of one transaction, commits, then answers.
async fn commit_group<T, E>(db: &SqlitePool, group: Vec<Request<T, E>>)
where
    E: From<sqlx::Error>,
{
    let mut tx = match super::begin_write(db).await {
        Ok(tx) => tx,
        Err(e) => {
            let message = e.to_string();
            for request in group {
                let _ = request
                    .answer
                    .send(Err(sqlx::Error::Protocol(message.clone()).into()));
            }
            return;
        }
    };
    let mut done = Vec::with_capacity(group.len());
    for request in group {
        let outcome = match tx.begin().await {
            Ok(mut savepoint) => {
                let ran = AssertUnwindSafe((request.work)(&mut savepoint))
                    .catch_unwind()
                    .await;
                match ran {
                    Ok(Ok(value)) => match savepoint.commit().await {
                        Ok(()) => Ok(value),
                        Err(e) => Err(e.into()),
                    },
                    Ok(Err(e)) => {
                        let _ = savepoint.rollback().await;
                        Err(e)
                    }
                    Err(_) => {
                        let _ = savepoint.rollback().await;
                        Err(sqlx::Error::Protocol("storing this failed unexpectedly".into()).into())
                    }
                }
            }
            Err(e) => Err(e.into()),
        };
        done.push((request.answer, outcome));
    }
    let committed = tx.commit().await.map_err(|e| e.to_string());
    for (answer, outcome) in done {
        let outcome = match (&committed, outcome) {
            (Ok(()), outcome) => outcome,
            (Err(message), Ok(_)) => Err(sqlx::Error::Protocol(message.clone()).into()),
            (Err(_), Err(e)) => Err(e),
        };
        let _ = answer.send(outcome);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn scratch() -> (tempfile::TempDir, SqlitePool) {
        let dir = tempfile::tempdir().expect("a scratch folder");
        let url = format!("sqlite:{}", dir.path().join("group.db").display());
        let db = super::super::connect(&url).await.expect("a database");
        sqlx::query("CREATE TABLE said (n INTEGER PRIMARY KEY)")
            .execute(&db)
            .await
            .expect("a table");
        (dir, db)
    }

    fn say(
        n: i64,
    ) -> impl for<'c> FnOnce(&'c mut SqliteConnection) -> BoxFuture<'c, Result<i64, sqlx::Error>>
           + Send
           + 'static {
        move |conn| {
            async move {
                sqlx::query("INSERT INTO said (n) VALUES ($1)")
                    .bind(n)
                    .execute(&mut *conn)
                    .await?;
                match n % 3 {
                    // Stored, then refused: its row must go with it.
                    1 => Err(sqlx::Error::Protocol(format!("{n} refused"))),
                    2 if n == 2 => panic!("a bug in one request"),
                    _ => Ok(n),
                }
            }
            .boxed()
        }
    }

    #[tokio::test]
    async fn each_request_is_stored_alone_or_not_at_all_and_answered_after_the_commit() {
        let (_dir, db) = scratch().await;
        let writer = GroupCommit::<i64, sqlx::Error>::start(db.clone());
        let asked: Vec<_> = (0..300)
            .map(|n| {
                let writer = writer.clone();
                tokio::spawn(async move { (n, writer.run(say(n)).await) })
            })
            .collect();
        let mut answered_ok = Vec::new();
        for ask in asked {
            let (n, answer) = ask.await.expect("answered");
            match answer {
                Ok(value) => {
                    assert_eq!(value, n);
                    // Answered means committed: another connection sees it now.
                    let seen: Option<i64> = sqlx::query_scalar("SELECT n FROM said WHERE n = $1")
                        .bind(n)
                        .fetch_optional(&db)
                        .await
                        .expect("read");
                    assert_eq!(seen, Some(n), "{n} was answered before it was stored");
                    answered_ok.push(n);
                }
                Err(_) => assert!(n % 3 == 1 || n == 2, "{n} failed"),
            }
        }
        let stored: Vec<i64> = sqlx::query_scalar("SELECT n FROM said ORDER BY n")
            .fetch_all(&db)
            .await
            .expect("read");
        answered_ok.sort_unstable();
        assert_eq!(stored, answered_ok, "exactly the requests answered yes");
        assert_eq!(
            stored.len(),
            199,
            "every third refused, and the one that panicked"
        );
        // The writer lives on after a request's panic.
        assert_eq!(writer.run(say(3000)).await.expect("stored"), 3000);
    }
}
