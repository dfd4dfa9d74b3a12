//! Live events between nodes: PostgreSQL NOTIFY within a transaction, LISTEN on every node.
//! SQLite has one node, so there is nothing to send.

use crate::{AsConn, Conn, Db, StoreError};

/// Sends `payload` on `channel` when the transaction commits (PostgreSQL only).
pub async fn notify(c: &mut impl AsConn, channel: &str, payload: &str) -> Result<(), StoreError> {
    if let Conn::Pg(c) = c.conn() {
        sqlx::query("SELECT pg_notify($1, $2)")
            .bind(channel)
            .bind(payload)
            .execute(&mut *c)
            .await?;
    }
    Ok(())
}

/// What a listener does with one payload of its channel.
pub type Handler = Box<dyn Fn(&str) + Send + Sync>;

/// Calls `on` with every payload sent on `channel` by any node, reconnecting after a lost
/// connection, until the pool closes. Returns at once on SQLite.
pub async fn listen(db: Db, channel: &'static str, on: impl Fn(&str) + Send + Sync + 'static) {
    listen_all(db, vec![(channel, Box::new(on))]).await;
}

/// One connection listening on every channel of `handlers`, each payload handed to its
/// channel's handler. A node keeps one such connection however many services listen, so
/// many nodes (or many platforms in one test process) don't exhaust the server's connections.
pub async fn listen_all(db: Db, handlers: Vec<(&'static str, Handler)>) {
    let Db::Pg(pool) = db else { return };
    let channels: Vec<&str> = handlers.iter().map(|(c, _)| *c).collect();
    loop {
        let lost = match sqlx::postgres::PgListener::connect_with(&pool).await {
            Ok(mut l) => match l.listen_all(channels.iter().copied()).await {
                Ok(()) => loop {
                    match l.recv().await {
                        Ok(n) => {
                            for (channel, on) in &handlers {
                                if *channel == n.channel() {
                                    on(n.payload());
                                }
                            }
                        }
                        Err(e) => break e,
                    }
                },
                Err(e) => e,
            },
            Err(e) => e,
        };
        // A closed pool is the process ending (a command line run, a test): nothing to say.
        if pool.is_closed() {
            return;
        }
        tracing::warn!(error = %lost, ?channels, "event listener lost, reconnecting");
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    }
}
